package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// String is one translatable text of a survey (or of the interface), as a
// translator sees it.
type String struct {
	// Key names the text by what it is, not where it is, so that it
	// survives reordering: "question.home_safe.option.never.label".
	Key string
	// Source is the English text the translation renders.
	Source string
	// Target is the text in the language, "" when there is none.
	Target string
	// Note tells the translator what the text is (a question, an answer
	// option, a heading).
	Note string
}

// Strings lists every text of the survey with its English source and its
// text in lang, in document order. Optional texts (hints, scale labels,
// the intro) are listed only when they have English.
func (d *Definition) Strings(lang string) []String {
	var out []String
	d.eachKeyed(func(key, note string, t *Text) {
		if *t == nil || (*t)["en"] == "" {
			return
		}
		out = append(out, String{Key: key, Source: (*t)["en"], Target: (*t)[lang], Note: note})
	})
	return out
}

// UnknownKeyError reports a translated text for a key the survey does not
// have.
type UnknownKeyError struct{ Key string }

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("survey: the survey has no text %q", e.Key)
}

// WithTranslation returns a copy of the survey with the texts in lang
// replaced by texts (key → text); d is not changed. English cannot be
// changed this way, and an empty text leaves the text as it is (an upload
// never deletes a translation). A key the survey does not have comes back
// as an *UnknownKeyError and no copy.
func (d *Definition) WithTranslation(lang string, texts map[string]string) (*Definition, error) {
	if lang == "en" {
		return nil, fmt.Errorf("survey.WithTranslation: English is the source text, not a translation")
	}
	if !d.HasLanguage(lang) {
		return nil, fmt.Errorf("survey.WithTranslation: %q is not one of the survey's languages", lang)
	}
	cp, err := d.clone()
	if err != nil {
		return nil, err
	}
	used := make(map[string]bool, len(texts))
	cp.eachKeyed(func(key, _ string, t *Text) {
		text, ok := texts[key]
		if !ok || *t == nil || (*t)["en"] == "" {
			return
		}
		used[key] = true
		if text != "" {
			(*t)[lang] = text
		}
	})
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !used[k] {
			return nil, &UnknownKeyError{Key: k}
		}
	}
	return cp, nil
}

// clone deep-copies the definition through its JSON form, which is also
// how the store keeps it.
func (d *Definition) clone() (*Definition, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("survey.clone: %w", err)
	}
	var cp Definition
	if err := json.Unmarshal(raw, &cp); err != nil {
		return nil, fmt.Errorf("survey.clone: %w", err)
	}
	return &cp, nil
}

// eachKeyed calls fn with the stable key, a note for the translator and a
// pointer to every text of the survey, required or optional, in document
// order. Question ids are unique in a survey and option values in a
// question, so every key is unique.
func (d *Definition) eachKeyed(fn func(key, note string, t *Text)) {
	fn("title", "The survey's title.", &d.Title)
	fn("intro", "Shown before the first question.", &d.Intro)
	for i := range d.Sections {
		s := &d.Sections[i]
		fn("section."+s.ID+".title", "A section heading.", &s.Title)
		for j := range s.Questions {
			q := &s.Questions[j]
			p := "question." + q.ID
			fn(p+".text", "A question.", &q.Text)
			fn(p+".hint", "The hint under a question.", &q.Hint)
			for k := range q.Options {
				fn(p+".option."+q.Options[k].Value+".label", fmt.Sprintf("An answer to the question %q.", q.Text["en"]), &q.Options[k].Label)
			}
			fn(p+".min_label", "The label of the lowest point of a scale.", &q.MinLabel)
			fn(p+".max_label", "The label of the highest point of a scale.", &q.MaxLabel)
		}
	}
	for i := range d.Indicators {
		ind := &d.Indicators[i]
		fn("indicator."+ind.ID+".label", "The name of a wellbeing figure in the results.", &ind.Label)
		fn("indicator."+ind.ID+".definition", "Says which answers a wellbeing figure counts.", &ind.Definition)
	}
	fn("attribution", "A notice the survey must show (a licence or source).", &d.Attribution)
}

// Review states of one translated text.
const (
	// StatusDrafted: nobody fluent has checked this text against its
	// current English (a machine draft, an edit, or a changed English).
	StatusDrafted = "drafted"
	// StatusReviewed: a fluent speaker checked this very text against this
	// very English.
	StatusReviewed = "reviewed"
)

// Review is what a reviewer last said about one text in one language.
type Review struct {
	Key string
	// SourceHash is SourceHash of the English the review was made against.
	SourceHash string
	// Text is the translation as the reviewer left it.
	Text string
	// Status is StatusDrafted or StatusReviewed.
	Status string
	// By is the email of the signed-in member of staff who uploaded it.
	By string
	At time.Time
}

// SourceHash identifies an English text, so that a review can tell when
// the English it was made against has changed.
func SourceHash(source string) string {
	sum := sha256.Sum256([]byte(source))
	return hex.EncodeToString(sum[:16])
}

// StatusOf says whether s is reviewed given the latest review of its key
// (nil: none): only when that review passed this very text against this
// very English. A changed English or a text edited since makes it drafted
// again.
func StatusOf(s String, r *Review) string {
	if r != nil && r.Status == StatusReviewed && r.SourceHash == SourceHash(s.Source) && r.Text == s.Target && s.Target != "" {
		return StatusReviewed
	}
	return StatusDrafted
}

// ReviewCount counts the strings StatusOf calls reviewed, given the
// reviews by key.
func ReviewCount(strs []String, reviews map[string]*Review) int {
	n := 0
	for _, s := range strs {
		if StatusOf(s, reviews[s.Key]) == StatusReviewed {
			n++
		}
	}
	return n
}

// DraftedLanguages lists, in the survey's order, the languages other than
// English with a text that is not reviewed; reviews maps each language to
// its reviews by key. It is what Definition.Drafted holds whenever the
// translation review saves a survey.
func (d *Definition) DraftedLanguages(reviews map[string]map[string]*Review) []string {
	var out []string
	for _, lang := range d.Languages {
		if lang == "en" {
			continue
		}
		strs := d.Strings(lang)
		if ReviewCount(strs, reviews[lang]) < len(strs) {
			out = append(out, lang)
		}
	}
	return out
}
