// Package survey is the domain of yousaid: survey definitions, the validation
// of definitions and responses, scoring, aggregation and disclosure control.
// It knows nothing of HTTP or of the database.
package survey

// Text is a piece of survey text keyed by BCP 47 language tag. "en" is
// always present; other languages fall back to it.
type Text map[string]string

// In returns the text in lang, falling back to English. fellBack reports
// whether the fallback was used, so pages can mark untranslated text.
func (t Text) In(lang string) (text string, fellBack bool) {
	if s, ok := t[lang]; ok && s != "" {
		return s, false
	}
	return t["en"], lang != "en"
}

// Question types.
const (
	TypeChoice = "choice" // one of Options
	TypeMulti  = "multi"  // any of Options, at most MaxChoices when set
	TypeScale  = "scale"  // a whole number from Min to Max inclusive
	TypeText   = "text"   // free text, moderated before anyone sees it
)

// Definition is one version of a survey. Once a wave uses a version it never
// changes; an edited definition is stored as the next version.
type Definition struct {
	ID        string   `json:"id"`
	Version   int      `json:"version"`
	Languages []string `json:"languages"`
	Title     Text     `json:"title"`
	// Intro is shown before the first question (the anonymity reassurance).
	Intro    Text      `json:"intro,omitempty"`
	Sections []Section `json:"sections"`
	// Priorities is the id of the multi question whose choices rank priorities.
	Priorities string      `json:"priorities,omitempty"`
	Indicators []Indicator `json:"indicators,omitempty"`
	// Attribution lists notices the survey must show (e.g. the ONS questions
	// under the Open Government Licence).
	Attribution Text `json:"attribution,omitempty"`
	// Drafted lists languages whose survey text was machine-drafted and
	// still needs review by a fluent speaker.
	Drafted []string `json:"drafted,omitempty"`

	// Council is the slug of the council that owns the survey; empty for a
	// national survey (published by the platform).
	Council string `json:"council,omitempty"`
	// Extends is the id of the national survey this council survey extends;
	// empty for a survey of its own. An extension's definition is stored
	// whole: the base's sections, indicators and priorities first,
	// unchanged, then the local sections (see Extend).
	Extends string `json:"extends,omitempty"`
	// BaseVersion is the version of the base survey the extension was
	// built on.
	BaseVersion int `json:"base_version,omitempty"`
}

// Section groups questions; with JavaScript on, the survey shows one section
// at a time.
type Section struct {
	ID        string     `json:"id"`
	Title     Text       `json:"title"`
	Questions []Question `json:"questions"`
}

// Question is one question of a section.
type Question struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Text     Text   `json:"text"`
	Hint     Text   `json:"hint,omitempty"`
	Required bool   `json:"required"`
	// Options are the answers of a choice or multi question.
	Options []Option `json:"options,omitempty"`
	// Min and Max bound a scale question, inclusive.
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
	// MinLabel and MaxLabel name the ends of a scale ("not at all", "completely").
	MinLabel Text `json:"min_label,omitempty"`
	MaxLabel Text `json:"max_label,omitempty"`
	// MaxChoices limits a multi question; 0 means no limit.
	MaxChoices int `json:"max_choices,omitempty"`
	// MaxLength limits a text answer in characters; 0 means DefaultMaxTextLength.
	MaxLength int `json:"max_length,omitempty"`
	// ShowIf makes the question conditional on an earlier answer.
	ShowIf *Condition `json:"show_if,omitempty"`
	// Banded marks an "about you" question whose answers may break results
	// down (age band, came to the UK alone).
	Banded bool `json:"banded,omitempty"`
}

// Option is one answer of a choice or multi question.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Condition shows a question only when an earlier question's answer (any of
// the choices, for a multi question) is one of In.
type Condition struct {
	Question string   `json:"question"`
	In       []string `json:"in"`
}

// Indicator is a wellbeing measure: the share of those who answered Question
// whose answer is in Counts (choice, multi) or whose scale value lies in
// Range (inclusive).
type Indicator struct {
	ID       string   `json:"id"`
	Label    Text     `json:"label"`
	Question string   `json:"question"`
	Counts   []string `json:"counts,omitempty"`
	Range    []int    `json:"range,omitempty"`
	// Better says which direction is good: "lower" or "higher".
	Better string `json:"better"`
	// Definition says in words which answers are counted, shown under the figure.
	Definition Text `json:"definition,omitempty"`
}

// DefaultMaxTextLength bounds a free-text answer, in characters.
const DefaultMaxTextLength = 2000
