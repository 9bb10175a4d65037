package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Patterns of the identifiers a definition uses. Question ids become JSON
// keys, form field names and HTML ids, so they are kept to a plain ASCII
// subset that needs no escaping anywhere.
var (
	slugPattern        = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	idPattern          = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	optionValuePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
)

// maxSlugLength bounds a survey id, which appears in URLs.
const maxSlugLength = 64

// Scale bounds: a scale runs within 0..100 so results stay readable and a
// scale answer always fits a small integer.
const (
	scaleFloor   = 0
	scaleCeiling = 100
)

// reservedFormFields are the field names the survey form uses besides the
// questions (API.md, Responses): a question with one of these ids could not
// be answered through the form.
var reservedFormFields = []string{"lang", "code"}

// Problem is one thing wrong with a definition.
type Problem struct {
	// Path locates the fault in the definition's JSON, for example
	// "sections[1].questions[3].options[0].value".
	Path string
	// Message says what is wrong, as a sentence for the survey's author.
	Message string
}

// DefinitionError lists every problem found in a definition, in document
// order, so an author can fix them all in one go.
type DefinitionError struct {
	// ID is the survey id as written, to say which definition failed.
	ID       string
	Problems []Problem
}

// Error joins the problems into one line for logs and start-up failures.
func (e *DefinitionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "survey %q is invalid: ", e.ID)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Path)
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// Load decodes a definition strictly (no unknown fields, nothing after the
// definition) and validates it. A definition that fails validation comes
// back as an error wrapping *DefinitionError; malformed JSON comes back as
// the decoder's error, wrapped.
func Load(data []byte) (*Definition, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("survey.Load: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("survey.Load: unexpected data after the definition")
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("survey.Load: %w", err)
	}
	return &d, nil
}

// Validate checks everything the rest of the platform relies on: well-formed
// ids, English text everywhere, questions whose options, bounds and
// conditions make sense, and indicators that can be computed. It returns nil
// or a *DefinitionError listing every problem.
func (d *Definition) Validate() error {
	v := &validator{d: d}
	v.survey()
	if len(v.problems) == 0 {
		return nil
	}
	return &DefinitionError{ID: d.ID, Problems: v.problems}
}

// validator collects problems while walking a definition.
type validator struct {
	d        *Definition
	problems []Problem
	// langs holds the definition's languages, for checking Text keys.
	langs map[string]bool
	// seen maps each question id met so far to its question, so show_if
	// can tell an earlier question from a later one.
	seen map[string]*Question
}

func (v *validator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) survey() {
	d := v.d
	if len(d.ID) > maxSlugLength || !slugPattern.MatchString(d.ID) {
		v.addf("id", "%q is not a lowercase slug of letters, digits and single hyphens, at most %d characters.", d.ID, maxSlugLength)
	}
	if d.Version < 1 {
		v.addf("version", "the version is %d; versions start at 1.", d.Version)
	}
	v.ownership()
	v.languages()
	d.eachText(v.text)

	if len(d.Sections) == 0 {
		v.addf("sections", "a survey needs at least one section.")
	}
	sectionIDs := map[string]bool{}
	v.seen = map[string]*Question{}
	for i := range d.Sections {
		s := &d.Sections[i]
		path := fmt.Sprintf("sections[%d]", i)
		v.id(path+".id", s.ID)
		if sectionIDs[s.ID] {
			v.addf(path+".id", "another section already has the id %q.", s.ID)
		}
		sectionIDs[s.ID] = true
		if len(s.Questions) == 0 {
			v.addf(path+".questions", "a section needs at least one question.")
		}
		for j := range s.Questions {
			q := &s.Questions[j]
			v.question(fmt.Sprintf("%s.questions[%d]", path, j), q)
			if _, dup := v.seen[q.ID]; dup {
				v.addf(fmt.Sprintf("%s.questions[%d].id", path, j), "another question already has the id %q.", q.ID)
				continue
			}
			v.seen[q.ID] = q
		}
	}

	if d.Priorities != "" {
		if q, ok := v.seen[d.Priorities]; !ok || q.Type != TypeMulti {
			v.addf("priorities", "%q is not a multi question of this survey.", d.Priorities)
		}
	}
	v.indicators()
	v.drafted()
}

// ownership checks the fields that say whose survey it is; whether the
// base survey exists, and what the extension keeps of it, is checked
// against the base itself (CheckExtension).
func (v *validator) ownership() {
	d := v.d
	if d.Council != "" && (len(d.Council) > maxSlugLength || !slugPattern.MatchString(d.Council)) {
		v.addf("council", "%q is not a council slug.", d.Council)
	}
	switch {
	case d.Extends == "" && d.BaseVersion != 0:
		v.addf("base_version", "only an extension of a national survey has a base_version.")
	case d.Extends == "":
	case d.Council == "":
		v.addf("extends", "only a council's survey can extend a national survey.")
	case len(d.Extends) > maxSlugLength || !slugPattern.MatchString(d.Extends):
		v.addf("extends", "%q is not a survey id.", d.Extends)
	case d.Extends == d.ID:
		v.addf("extends", "a survey cannot extend itself.")
	case d.BaseVersion < 1:
		v.addf("base_version", "the base_version is %d; name the version of %q this survey extends.", d.BaseVersion, d.Extends)
	}
}

func (v *validator) languages() {
	d := v.d
	v.langs = map[string]bool{}
	for i, tag := range d.Languages {
		path := fmt.Sprintf("languages[%d]", i)
		parsed, err := language.Parse(tag)
		switch {
		case err != nil:
			v.addf(path, "%q is not a BCP 47 language tag.", tag)
		case tag == "prs":
			// go-i18n has no plural rules for "prs", so the interface would
			// lose its plural forms; the API spells Dari fa-AF.
			v.addf(path, "write Dari as \"fa-AF\", not \"prs\".")
		case parsed == language.Und:
			v.addf(path, "%q names no language.", tag)
		case parsed.String() != tag:
			// Text maps are looked up by exact key, so one spelling only.
			v.addf(path, "write %q in its canonical form, %q.", tag, parsed.String())
		}
		if v.langs[tag] {
			v.addf(path, "%q is listed twice.", tag)
		}
		v.langs[tag] = true
	}
	if !v.langs["en"] {
		v.addf("languages", "English (\"en\") must be one of the languages.")
	}
}

// text checks that a text has English and no language the survey does not
// claim (most often a misspelt tag, whose text would never be shown).
func (v *validator) text(path string, t Text) {
	if strings.TrimSpace(t["en"]) == "" {
		v.addf(path, "has no English (\"en\") text.")
	}
	for _, tag := range sortedKeys(t) {
		// A missing "en" among languages is reported once, not per text.
		if tag != "en" && !v.langs[tag] {
			v.addf(path, "has text in %q, which is not one of the survey's languages.", tag)
		}
	}
}

func (v *validator) id(path, id string) {
	if !idPattern.MatchString(id) {
		v.addf(path, "%q is not an id: start with a lowercase letter, then up to 63 lowercase letters, digits or underscores.", id)
	}
}

func (v *validator) question(path string, q *Question) {
	v.id(path+".id", q.ID)
	if slices.Contains(reservedFormFields, q.ID) {
		v.addf(path+".id", "%q is a field of the survey form; choose another id.", q.ID)
	}

	switch q.Type {
	case TypeChoice, TypeMulti:
		v.options(path, q)
	case TypeScale:
		v.scale(path, q)
	case TypeText:
	default:
		v.addf(path+".type", "%q is not a question type: use choice, multi, scale or text.", q.Type)
	}
	if knownType(q.Type) {
		v.fieldsForType(path, q)
	}

	if c := q.ShowIf; c != nil {
		v.condition(path+".show_if", q, c)
	}
}

func (v *validator) options(path string, q *Question) {
	if len(q.Options) == 0 {
		v.addf(path+".options", "a %s question needs options.", q.Type)
	}
	values := map[string]bool{}
	for k, o := range q.Options {
		opath := fmt.Sprintf("%s.options[%d]", path, k)
		if !optionValuePattern.MatchString(o.Value) {
			v.addf(opath+".value", "%q is not an option value: start with a lowercase letter or digit, then up to 63 lowercase letters, digits, hyphens or underscores.", o.Value)
		}
		if values[o.Value] {
			v.addf(opath+".value", "another option of this question already has the value %q.", o.Value)
		}
		values[o.Value] = true
	}
	if q.Type != TypeMulti {
		return
	}
	if q.MaxChoices < 0 {
		v.addf(path+".max_choices", "max_choices is %d; use 0 for no limit or a positive number.", q.MaxChoices)
	}
	if q.MaxChoices > len(q.Options) {
		v.addf(path+".max_choices", "max_choices is %d but the question has only %d options.", q.MaxChoices, len(q.Options))
	}
}

func (v *validator) scale(path string, q *Question) {
	if q.Min == nil {
		v.addf(path+".min", "a scale question needs min.")
	}
	if q.Max == nil {
		v.addf(path+".max", "a scale question needs max.")
	}
	if q.Min == nil || q.Max == nil {
		return
	}
	if *q.Min >= *q.Max {
		v.addf(path+".max", "max (%d) must be greater than min (%d).", *q.Max, *q.Min)
	}
	if *q.Min < scaleFloor {
		v.addf(path+".min", "min is %d; a scale runs within %d to %d.", *q.Min, scaleFloor, scaleCeiling)
	}
	if *q.Max > scaleCeiling {
		v.addf(path+".max", "max is %d; a scale runs within %d to %d.", *q.Max, scaleFloor, scaleCeiling)
	}
}

// fieldsForType reports fields that the question's type ignores: an author
// who sets them expects an effect they will not get.
func (v *validator) fieldsForType(path string, q *Question) {
	isChoice := q.Type == TypeChoice || q.Type == TypeMulti
	if !isChoice && len(q.Options) > 0 {
		v.addf(path+".options", "only choice and multi questions have options.")
	}
	if q.Type != TypeMulti && q.MaxChoices != 0 {
		v.addf(path+".max_choices", "only multi questions have max_choices.")
	}
	if q.Type != TypeScale {
		if q.Min != nil {
			v.addf(path+".min", "only scale questions have min.")
		}
		if q.Max != nil {
			v.addf(path+".max", "only scale questions have max.")
		}
		if q.MinLabel != nil {
			v.addf(path+".min_label", "only scale questions have min_label.")
		}
		if q.MaxLabel != nil {
			v.addf(path+".max_label", "only scale questions have max_label.")
		}
	}
	if q.Type != TypeText && q.MaxLength != 0 {
		v.addf(path+".max_length", "only text questions have max_length.")
	}
	if q.MaxLength < 0 {
		v.addf(path+".max_length", "max_length is %d; use 0 for the default or a positive number.", q.MaxLength)
	}
	if q.Banded && q.Type != TypeChoice {
		// A breakdown splits respondents into disjoint groups, which only
		// a single-choice question does.
		v.addf(path+".banded", "only choice questions can break results down.")
	}
}

func (v *validator) condition(path string, q *Question, c *Condition) {
	target, ok := v.seen[c.Question]
	switch {
	case c.Question == q.ID:
		v.addf(path+".question", "a question cannot depend on itself.")
		return
	case !ok:
		v.addf(path+".question", "%q is not an earlier question of this survey.", c.Question)
		return
	case target.Type != TypeChoice && target.Type != TypeMulti:
		v.addf(path+".question", "%q is a %s question; show_if needs a choice or multi question.", c.Question, target.Type)
		return
	}
	if len(c.In) == 0 {
		v.addf(path+".in", "list the answers that show this question.")
	}
	in := map[string]bool{}
	for k, value := range c.In {
		if _, ok := target.Option(value); !ok {
			v.addf(fmt.Sprintf("%s.in[%d]", path, k), "%q is not an option of %q.", value, c.Question)
		}
		if in[value] {
			v.addf(fmt.Sprintf("%s.in[%d]", path, k), "%q is listed twice.", value)
		}
		in[value] = true
	}
}

func (v *validator) indicators() {
	ids := map[string]bool{}
	for i := range v.d.Indicators {
		ind := &v.d.Indicators[i]
		path := fmt.Sprintf("indicators[%d]", i)
		v.id(path+".id", ind.ID)
		if ids[ind.ID] {
			v.addf(path+".id", "another indicator already has the id %q.", ind.ID)
		}
		ids[ind.ID] = true
		if ind.Better != "lower" && ind.Better != "higher" {
			v.addf(path+".better", "%q must be \"lower\" or \"higher\".", ind.Better)
		}
		hasCounts, hasRange := len(ind.Counts) > 0, len(ind.Range) > 0
		if hasCounts == hasRange {
			v.addf(path, "give exactly one of counts (choice, multi) or range (scale).")
		}
		q, ok := v.seen[ind.Question]
		if !ok {
			v.addf(path+".question", "%q is not a question of this survey.", ind.Question)
			continue
		}
		switch q.Type {
		case TypeChoice, TypeMulti:
			if hasRange {
				v.addf(path+".range", "%q is a %s question; use counts.", q.ID, q.Type)
			}
			counted := map[string]bool{}
			for k, value := range ind.Counts {
				if _, ok := q.Option(value); !ok {
					v.addf(fmt.Sprintf("%s.counts[%d]", path, k), "%q is not an option of %q.", value, q.ID)
				}
				if counted[value] {
					v.addf(fmt.Sprintf("%s.counts[%d]", path, k), "%q is listed twice.", value)
				}
				counted[value] = true
			}
		case TypeScale:
			if hasCounts {
				v.addf(path+".counts", "%q is a scale question; use range.", q.ID)
			}
			if !hasRange {
				break
			}
			if len(ind.Range) != 2 {
				v.addf(path+".range", "a range is two numbers, [low, high].")
				break
			}
			lo, hi := ind.Range[0], ind.Range[1]
			if lo > hi {
				v.addf(path+".range", "the range [%d, %d] is reversed.", lo, hi)
			}
			if q.Min != nil && q.Max != nil && (lo < *q.Min || hi > *q.Max) {
				v.addf(path+".range", "the range [%d, %d] is outside the scale %d to %d.", lo, hi, *q.Min, *q.Max)
			}
		default:
			v.addf(path+".question", "%q is a %s question; indicators count choice, multi or scale answers.", q.ID, q.Type)
		}
	}
}

func (v *validator) drafted() {
	seen := map[string]bool{}
	for i, tag := range v.d.Drafted {
		path := fmt.Sprintf("drafted[%d]", i)
		switch {
		case tag == "en":
			v.addf(path, "English is the source text, not a draft.")
		case !v.langs[tag]:
			v.addf(path, "%q is not one of the survey's languages.", tag)
		}
		if seen[tag] {
			v.addf(path, "%q is listed twice.", tag)
		}
		seen[tag] = true
	}
}

func knownType(t string) bool {
	switch t {
	case TypeChoice, TypeMulti, TypeScale, TypeText:
		return true
	}
	return false
}

func sortedKeys(t Text) []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
