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
	// Rule says which rule is broken, and Params holds the values its
	// sentence names (see the Rule constants), so that a caller can say it
	// in the author's language.
	Rule   Rule
	Params map[string]any
	// Message says what is wrong, as an English sentence for the survey's
	// author, for logs and Error().
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

// add records that the definition breaks rule at path; args are the
// values of the rule's Params, in order.
func (v *validator) add(path string, rule Rule, args ...any) {
	v.problems = append(v.problems, NewProblem(path, rule, args...))
}

func (v *validator) survey() {
	d := v.d
	if len(d.ID) > maxSlugLength || !slugPattern.MatchString(d.ID) {
		v.add("id", RuleSurveyIDInvalid, d.ID, maxSlugLength)
	}
	if d.Version < 1 {
		v.add("version", RuleVersionInvalid, d.Version)
	}
	v.ownership()
	v.languages()
	d.eachText(v.text)

	if len(d.Sections) == 0 {
		v.add("sections", RuleSectionsMissing)
	}
	sectionIDs := map[string]bool{}
	v.seen = map[string]*Question{}
	for i := range d.Sections {
		s := &d.Sections[i]
		path := fmt.Sprintf("sections[%d]", i)
		v.id(path+".id", s.ID)
		if sectionIDs[s.ID] {
			v.add(path+".id", RuleSectionIDTaken, s.ID)
		}
		sectionIDs[s.ID] = true
		if len(s.Questions) == 0 {
			v.add(path+".questions", RuleQuestionsMissing)
		}
		for j := range s.Questions {
			q := &s.Questions[j]
			v.question(fmt.Sprintf("%s.questions[%d]", path, j), q)
			if _, dup := v.seen[q.ID]; dup {
				v.add(fmt.Sprintf("%s.questions[%d].id", path, j), RuleQuestionIDTaken, q.ID)
				continue
			}
			v.seen[q.ID] = q
		}
	}

	if d.Priorities != "" {
		if q, ok := v.seen[d.Priorities]; !ok || q.Type != TypeMulti {
			v.add("priorities", RulePrioritiesNotMulti, d.Priorities)
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
		v.add("council", RuleCouncilInvalid, d.Council)
	}
	switch {
	case d.Extends == "" && d.BaseVersion != 0:
		v.add("base_version", RuleBaseVersionWithoutExtends)
	case d.Extends == "":
	case d.Council == "":
		v.add("extends", RuleExtendsWithoutCouncil)
	case len(d.Extends) > maxSlugLength || !slugPattern.MatchString(d.Extends):
		v.add("extends", RuleExtendsInvalid, d.Extends)
	case d.Extends == d.ID:
		v.add("extends", RuleExtendsItself)
	case d.BaseVersion < 1:
		v.add("base_version", RuleBaseVersionMissing, d.BaseVersion, d.Extends)
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
			v.add(path, RuleLanguageInvalid, tag)
		case tag == "prs":
			// go-i18n has no plural rules for "prs", so the interface would
			// lose its plural forms; the API spells Dari fa-AF.
			v.add(path, RuleLanguageDari)
		case parsed == language.Und:
			v.add(path, RuleLanguageUndetermined, tag)
		case parsed.String() != tag:
			// Text maps are looked up by exact key, so one spelling only.
			v.add(path, RuleLanguageNotCanonical, tag, parsed.String())
		}
		if v.langs[tag] {
			v.add(path, RuleListedTwice, tag)
		}
		v.langs[tag] = true
	}
	if !v.langs["en"] {
		v.add("languages", RuleEnglishMissing)
	}
}

// text checks that a text has English and no language the survey does not
// claim (most often a misspelt tag, whose text would never be shown).
func (v *validator) text(path string, t Text) {
	if strings.TrimSpace(t["en"]) == "" {
		v.add(path, RuleTextNoEnglish)
	}
	for _, tag := range sortedKeys(t) {
		// A missing "en" among languages is reported once, not per text.
		if tag != "en" && !v.langs[tag] {
			v.add(path, RuleTextUnknownLanguage, tag)
		}
	}
}

func (v *validator) id(path, id string) {
	if !idPattern.MatchString(id) {
		v.add(path, RuleIDInvalid, id)
	}
}

func (v *validator) question(path string, q *Question) {
	v.id(path+".id", q.ID)
	if slices.Contains(reservedFormFields, q.ID) {
		v.add(path+".id", RuleIDReserved, q.ID)
	}

	switch q.Type {
	case TypeChoice, TypeMulti:
		v.options(path, q)
	case TypeScale:
		v.scale(path, q)
	case TypeText:
	default:
		v.add(path+".type", RuleTypeUnknown, q.Type)
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
		v.add(path+".options", RuleOptionsMissing, q.Type)
	}
	values := map[string]bool{}
	for k, o := range q.Options {
		opath := fmt.Sprintf("%s.options[%d]", path, k)
		if !optionValuePattern.MatchString(o.Value) {
			v.add(opath+".value", RuleOptionValueInvalid, o.Value)
		}
		if values[o.Value] {
			v.add(opath+".value", RuleOptionValueTaken, o.Value)
		}
		values[o.Value] = true
	}
	if q.Type != TypeMulti {
		return
	}
	if q.MaxChoices < 0 {
		v.add(path+".max_choices", RuleMaxChoicesNegative, q.MaxChoices)
	}
	if q.MaxChoices > len(q.Options) {
		v.add(path+".max_choices", RuleMaxChoicesAboveOptions, q.MaxChoices, len(q.Options))
	}
}

func (v *validator) scale(path string, q *Question) {
	if q.Min == nil {
		v.add(path+".min", RuleScaleBoundMissing, "min")
	}
	if q.Max == nil {
		v.add(path+".max", RuleScaleBoundMissing, "max")
	}
	if q.Min == nil || q.Max == nil {
		return
	}
	if *q.Min >= *q.Max {
		v.add(path+".max", RuleScaleReversed, *q.Max, *q.Min)
	}
	if *q.Min < scaleFloor {
		v.add(path+".min", RuleScaleOutOfBounds, "min", *q.Min, scaleFloor, scaleCeiling)
	}
	if *q.Max > scaleCeiling {
		v.add(path+".max", RuleScaleOutOfBounds, "max", *q.Max, scaleFloor, scaleCeiling)
	}
}

// fieldsForType reports fields that the question's type ignores: an author
// who sets them expects an effect they will not get.
func (v *validator) fieldsForType(path string, q *Question) {
	isChoice := q.Type == TypeChoice || q.Type == TypeMulti
	if !isChoice && len(q.Options) > 0 {
		v.add(path+".options", RuleOptionsNotChoice)
	}
	if q.Type != TypeMulti && q.MaxChoices != 0 {
		v.add(path+".max_choices", RuleMaxChoicesNotMulti)
	}
	if q.Type != TypeScale {
		if q.Min != nil {
			v.add(path+".min", RuleFieldNotScale, "min")
		}
		if q.Max != nil {
			v.add(path+".max", RuleFieldNotScale, "max")
		}
		if q.MinLabel != nil {
			v.add(path+".min_label", RuleFieldNotScale, "min_label")
		}
		if q.MaxLabel != nil {
			v.add(path+".max_label", RuleFieldNotScale, "max_label")
		}
	}
	if q.Type != TypeText && q.MaxLength != 0 {
		v.add(path+".max_length", RuleMaxLengthNotText)
	}
	if q.MaxLength < 0 {
		v.add(path+".max_length", RuleMaxLengthNegative, q.MaxLength)
	}
	if q.Banded && q.Type != TypeChoice {
		// A breakdown splits respondents into disjoint groups, which only
		// a single-choice question does.
		v.add(path+".banded", RuleBandedNotChoice)
	}
}

func (v *validator) condition(path string, q *Question, c *Condition) {
	target, ok := v.seen[c.Question]
	switch {
	case c.Question == q.ID:
		v.add(path+".question", RuleShowIfSelf)
		return
	case !ok:
		v.add(path+".question", RuleShowIfNotEarlier, c.Question)
		return
	case target.Type != TypeChoice && target.Type != TypeMulti:
		v.add(path+".question", RuleShowIfNotChoice, c.Question, target.Type)
		return
	}
	if len(c.In) == 0 {
		v.add(path+".in", RuleShowIfInMissing)
	}
	in := map[string]bool{}
	for k, value := range c.In {
		if _, ok := target.Option(value); !ok {
			v.add(fmt.Sprintf("%s.in[%d]", path, k), RuleNotAnOption, value, c.Question)
		}
		if in[value] {
			v.add(fmt.Sprintf("%s.in[%d]", path, k), RuleListedTwice, value)
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
			v.add(path+".id", RuleIndicatorIDTaken, ind.ID)
		}
		ids[ind.ID] = true
		if ind.Better != "lower" && ind.Better != "higher" {
			v.add(path+".better", RuleBetterInvalid, ind.Better)
		}
		hasCounts, hasRange := len(ind.Counts) > 0, len(ind.Range) > 0
		if hasCounts == hasRange {
			v.add(path, RuleCountsOrRange)
		}
		q, ok := v.seen[ind.Question]
		if !ok {
			v.add(path+".question", RuleIndicatorQuestionUnknown, ind.Question)
			continue
		}
		switch q.Type {
		case TypeChoice, TypeMulti:
			if hasRange {
				v.add(path+".range", RuleRangeOnChoice, q.ID, q.Type)
			}
			counted := map[string]bool{}
			for k, value := range ind.Counts {
				if _, ok := q.Option(value); !ok {
					v.add(fmt.Sprintf("%s.counts[%d]", path, k), RuleNotAnOption, value, q.ID)
				}
				if counted[value] {
					v.add(fmt.Sprintf("%s.counts[%d]", path, k), RuleListedTwice, value)
				}
				counted[value] = true
			}
		case TypeScale:
			if hasCounts {
				v.add(path+".counts", RuleCountsOnScale, q.ID)
			}
			if !hasRange {
				break
			}
			if len(ind.Range) != 2 {
				v.add(path+".range", RuleRangeNotTwo)
				break
			}
			lo, hi := ind.Range[0], ind.Range[1]
			if lo > hi {
				v.add(path+".range", RuleRangeReversed, lo, hi)
			}
			if q.Min != nil && q.Max != nil && (lo < *q.Min || hi > *q.Max) {
				v.add(path+".range", RuleRangeOutsideScale, lo, hi, *q.Min, *q.Max)
			}
		default:
			v.add(path+".question", RuleIndicatorQuestionType, q.ID, q.Type)
		}
	}
}

func (v *validator) drafted() {
	seen := map[string]bool{}
	for i, tag := range v.d.Drafted {
		path := fmt.Sprintf("drafted[%d]", i)
		switch {
		case tag == "en":
			v.add(path, RuleDraftedEnglish)
		case !v.langs[tag]:
			v.add(path, RuleDraftedUnknownLanguage, tag)
		}
		if seen[tag] {
			v.add(path, RuleListedTwice, tag)
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
