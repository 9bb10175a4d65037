package web

// The survey editor's changes to a definition, one per small form: each
// works on a copy of the working version and knows nothing of HTTP
// beyond the posted values. What the survey rules forbid is left to
// saveSurvey; these only refuse what they cannot even write down (a
// number that is no number, a follow-up on two questions at once).

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"yousaid/survey"
)

// editorTypes are the question types the editor offers, in its order.
var editorTypes = []string{survey.TypeChoice, survey.TypeMulti, survey.TypeScale, survey.TypeText}

// editorFieldError is a form value the editor cannot use, with the
// control it belongs to and the message saying what to do.
type editorFieldError struct {
	Control   string
	MessageID string
	Data      map[string]any
}

func (e *editorFieldError) Error() string { return e.MessageID }

func fieldProblemAt(control, messageID string, data map[string]any) *editorFieldError {
	return &editorFieldError{Control: control, MessageID: messageID, Data: data}
}

// cloneDefinition deep-copies a definition, so that an edit never
// touches a version held elsewhere (the definitions cache).
func cloneDefinition(def *survey.Definition) (*survey.Definition, error) {
	raw, err := json.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("cloneDefinition: %w", err)
	}
	var out survey.Definition
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("cloneDefinition: %w", err)
	}
	return &out, nil
}

// sectionIndex returns the index of the section with id, or -1.
func sectionIndex(def *survey.Definition, id string) int {
	return slices.IndexFunc(def.Sections, func(s survey.Section) bool { return s.ID == id })
}

// questionIndex returns where the question with id is, or ok false.
func questionIndex(def *survey.Definition, id string) (section, question int, ok bool) {
	for i := range def.Sections {
		for j := range def.Sections[i].Questions {
			if def.Sections[i].Questions[j].ID == id {
				return i, j, true
			}
		}
	}
	return -1, -1, false
}

// idTaken reports whether id names a section or a question already:
// both share the page's id space in the editor and in results.
func idTaken(def *survey.Definition, id string) bool {
	if sectionIndex(def, id) >= 0 {
		return true
	}
	_, _, ok := questionIndex(def, id)
	return ok
}

// freshID makes an id from prefix that nothing in def uses yet, for an
// author who left the id blank.
func freshID(def *survey.Definition, prefix string) string {
	for n := 1; ; n++ {
		id := prefix + "_" + strconv.Itoa(n)
		if !idTaken(def, id) {
			return id
		}
	}
}

// cleanID trims what a person typed around an id and lowers its case;
// whatever else is wrong with it, validation says.
func cleanID(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// addSection appends a section with one English title. A section needs a
// question to be valid, so the first question comes with it.
func addSection(def *survey.Definition, id, title, questionType, questionID, questionText string) error {
	id = cleanID(id)
	if id == "" {
		id = freshID(def, "section")
	}
	def.Sections = append(def.Sections, survey.Section{ID: id, Title: englishText(title)})
	return addQuestion(def, id, questionType, questionID, questionText)
}

// addQuestion appends a question of a type to a section, with what the
// type needs to be valid: two options for choice and multi, 0 to 10 for
// a scale. The author edits them next.
func addQuestion(def *survey.Definition, sectionID, typ, id, text string) error {
	i := sectionIndex(def, sectionID)
	if i < 0 {
		return errNotFound
	}
	if !slices.Contains(editorTypes, typ) {
		return fieldProblemAt("add-"+sectionID+"-type", "SurveyEditorTypeUnknown", nil)
	}
	id = cleanID(id)
	if id == "" {
		id = freshID(def, "q")
	}
	q := survey.Question{ID: id, Type: typ, Text: englishText(text)}
	switch typ {
	case survey.TypeChoice, survey.TypeMulti:
		q.Options = []survey.Option{
			{Value: "yes", Label: survey.Text{"en": "Yes"}},
			{Value: "no", Label: survey.Text{"en": "No"}},
		}
	case survey.TypeScale:
		lo, hi := 0, 10
		q.Min, q.Max = &lo, &hi
	}
	def.Sections[i].Questions = append(def.Sections[i].Questions, q)
	return nil
}

// englishText is a text with only its English, or nil when empty, so
// that validation names the missing English.
func englishText(s string) survey.Text {
	return survey.Text{"en": strings.TrimSpace(s)}
}

// setEnglish changes a text's English and keeps its translations; an
// optional text emptied in English goes with its translations, since a
// translation of nothing cannot be shown.
func setEnglish(t survey.Text, s string, optional bool) survey.Text {
	s = strings.TrimSpace(s)
	if s == "" && optional {
		return nil
	}
	if t == nil {
		t = survey.Text{}
	}
	t["en"] = s
	return t
}

// moveSection moves a section one place up (-1) or down (+1); it reports
// false when it is already at that end.
func moveSection(def *survey.Definition, id string, by int) (bool, error) {
	i := sectionIndex(def, id)
	if i < 0 {
		return false, errNotFound
	}
	j := i + by
	if j < 0 || j >= len(def.Sections) {
		return false, nil
	}
	def.Sections[i], def.Sections[j] = def.Sections[j], def.Sections[i]
	return true, nil
}

// moveQuestion moves a question one place up (-1) or down (+1). From the
// top of a section it goes to the end of the section before, and from the
// bottom to the start of the one after, so that a question can change
// section without being typed again.
func moveQuestion(def *survey.Definition, id string, by int) (bool, error) {
	si, qi, ok := questionIndex(def, id)
	if !ok {
		return false, errNotFound
	}
	qs := def.Sections[si].Questions
	if j := qi + by; j >= 0 && j < len(qs) {
		qs[qi], qs[j] = qs[j], qs[qi]
		return true, nil
	}
	to := si + by
	if to < 0 || to >= len(def.Sections) {
		return false, nil
	}
	q := qs[qi]
	def.Sections[si].Questions = slices.Delete(qs, qi, qi+1)
	if by < 0 {
		def.Sections[to].Questions = append(def.Sections[to].Questions, q)
	} else {
		def.Sections[to].Questions = slices.Insert(def.Sections[to].Questions, 0, q)
	}
	return true, nil
}

// deleteSection removes a section and its questions.
func deleteSection(def *survey.Definition, id string) error {
	i := sectionIndex(def, id)
	if i < 0 {
		return errNotFound
	}
	def.Sections = slices.Delete(def.Sections, i, i+1)
	return nil
}

// deleteQuestion removes a question.
func deleteQuestion(def *survey.Definition, id string) error {
	si, qi, ok := questionIndex(def, id)
	if !ok {
		return errNotFound
	}
	def.Sections[si].Questions = slices.Delete(def.Sections[si].Questions, qi, qi+1)
	return nil
}

// applySettings sets the survey's English title and introduction and its
// languages (English always among them, first).
func applySettings(def *survey.Definition, form url.Values) {
	def.Title = setEnglish(def.Title, form.Get("title"), false)
	def.Intro = setEnglish(def.Intro, form.Get("intro"), true)
	langs := []string{"en"}
	for _, tag := range form["languages"] {
		if tag != "en" && !slices.Contains(langs, tag) {
			langs = append(langs, tag)
		}
	}
	def.Languages = langs
}

// Control ids of the question form, which the error summary links to.
const (
	ctlText       = "ed-text"
	ctlHint       = "ed-hint"
	ctlRequired   = "ed-required"
	ctlNewValue   = "ed-new-value"
	ctlNewLabel   = "ed-new-label"
	ctlMaxChoices = "ed-max-choices"
	ctlMin        = "ed-min"
	ctlMax        = "ed-max"
	ctlMinLabel   = "ed-min-label"
	ctlMaxLabel   = "ed-max-label"
	ctlMaxLength  = "ed-max-length"
	ctlShowIf     = "ed-show-if"
)

func optionControl(k int, part string) string { return fmt.Sprintf("ed-opt-%d-%s", k, part) }

// showIfValue is one checkbox of the follow-up choice: "question:value".
func showIfValue(question, value string) string { return question + ":" + value }

// maxEditorOptions bounds the option rows one form may send.
const maxEditorOptions = 200

// applyQuestionForm writes the question form into q: its English texts,
// whether it is required, its options (changed, removed, one added), its
// limits and its condition. Translations of what stays are kept.
func applyQuestionForm(q *survey.Question, form url.Values) error {
	q.Text = setEnglish(q.Text, form.Get("text"), false)
	q.Hint = setEnglish(q.Hint, form.Get("hint"), true)
	q.Required = form.Get("required") == "true"

	switch q.Type {
	case survey.TypeChoice, survey.TypeMulti:
		if err := applyOptions(q, form); err != nil {
			return err
		}
		if q.Type == survey.TypeMulti {
			n, err := formInt(form.Get("max_choices"), ctlMaxChoices, true)
			if err != nil {
				return err
			}
			q.MaxChoices = n
		}
	case survey.TypeScale:
		lo, err := formInt(form.Get("min"), ctlMin, false)
		if err != nil {
			return err
		}
		hi, err := formInt(form.Get("max"), ctlMax, false)
		if err != nil {
			return err
		}
		q.Min, q.Max = &lo, &hi
		q.MinLabel = setEnglish(q.MinLabel, form.Get("min_label"), true)
		q.MaxLabel = setEnglish(q.MaxLabel, form.Get("max_label"), true)
	case survey.TypeText:
		n, err := formInt(form.Get("max_length"), ctlMaxLength, true)
		if err != nil {
			return err
		}
		q.MaxLength = n
	}
	return applyShowIf(q, form["show_if"])
}

// applyOptions reads the option rows: opt_was_K names the option a row
// edits (so its translations follow it), opt_value_K and opt_label_K its
// new value and English label, opt_remove_K removes it; new_value and
// new_label add one more.
func applyOptions(q *survey.Question, form url.Values) error {
	rows, _ := strconv.Atoi(form.Get("options"))
	rows = min(max(rows, 0), maxEditorOptions)
	var opts []survey.Option
	for k := range rows {
		if form.Get(fmt.Sprintf("opt_remove_%d", k)) == "true" {
			continue
		}
		var o survey.Option
		if was, ok := q.Option(form.Get(fmt.Sprintf("opt_was_%d", k))); ok {
			o = survey.Option{Value: was.Value, Label: maps.Clone(was.Label)}
		}
		o.Value = cleanID(form.Get(fmt.Sprintf("opt_value_%d", k)))
		o.Label = setEnglish(o.Label, form.Get(fmt.Sprintf("opt_label_%d", k)), false)
		opts = append(opts, o)
	}
	value, label := cleanID(form.Get("new_value")), strings.TrimSpace(form.Get("new_label"))
	if value != "" || label != "" {
		if value == "" {
			value = optionValueFrom(label, opts)
		}
		opts = append(opts, survey.Option{Value: value, Label: englishText(label)})
	}
	q.Options = opts
	return nil
}

var notValueChars = regexp.MustCompile(`[^a-z0-9]+`)

// optionValueFrom makes an option value from an English label ("Most of
// the time" → "most_of_the_time"), or option_N when the label has no
// ASCII letters, unique among opts.
func optionValueFrom(label string, opts []survey.Option) string {
	base := strings.Trim(notValueChars.ReplaceAllString(strings.ToLower(label), "_"), "_")
	if len(base) > 40 {
		base = strings.TrimRight(base[:40], "_")
	}
	taken := func(v string) bool {
		return slices.ContainsFunc(opts, func(o survey.Option) bool { return o.Value == v })
	}
	if base != "" && !taken(base) {
		return base
	}
	if base == "" {
		base = "option"
	}
	for n := 2; ; n++ {
		if v := base + "_" + strconv.Itoa(n); !taken(v) {
			return v
		}
	}
}

// applyShowIf sets the question's condition from the ticked answers,
// which must all be answers of one earlier question; none ticked means
// the question is always asked.
func applyShowIf(q *survey.Question, ticked []string) error {
	if len(ticked) == 0 {
		q.ShowIf = nil
		return nil
	}
	c := &survey.Condition{}
	for _, t := range ticked {
		question, value, ok := strings.Cut(t, ":")
		if !ok || (c.Question != "" && question != c.Question) {
			return fieldProblemAt(ctlShowIf, "SurveyEditorShowIfOneQuestion", nil)
		}
		c.Question = question
		if !slices.Contains(c.In, value) {
			c.In = append(c.In, value)
		}
	}
	q.ShowIf = c
	return nil
}

// formInt reads a whole number; blank is 0 where allowed.
func formInt(s, control string, blankIsZero bool) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" && blankIsZero {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1_000_000 || n > 1_000_000 {
		return 0, fieldProblemAt(control, "SurveyEditorNotNumber", nil)
	}
	return n, nil
}

// Translation keys name each text of a survey on the translation page,
// by ids rather than positions, so a form posted after another edit still
// lands on the right text.
func translationKeys(def *survey.Definition, editable func(section string) bool) []translationItem {
	var items []translationItem
	add := func(key string, t *survey.Text, long bool) {
		if t == nil || (*t)["en"] == "" {
			return
		}
		items = append(items, translationItem{Key: key, Text: t, Long: long})
	}
	add("title", &def.Title, false)
	add("intro", &def.Intro, true)
	for i := range def.Sections {
		s := &def.Sections[i]
		if !editable(s.ID) {
			continue
		}
		add("s."+s.ID+".title", &s.Title, false)
		for j := range s.Questions {
			q := &s.Questions[j]
			add("q."+q.ID+".text", &q.Text, true)
			add("q."+q.ID+".hint", &q.Hint, true)
			add("q."+q.ID+".min_label", &q.MinLabel, false)
			add("q."+q.ID+".max_label", &q.MaxLabel, false)
			for k := range q.Options {
				add("o."+q.ID+"."+q.Options[k].Value, &q.Options[k].Label, false)
			}
		}
	}
	return items
}

// translationItem is one text of the translation page; Text points into
// the definition being edited.
type translationItem struct {
	Key  string
	Text *survey.Text
	Long bool // a textarea rather than a line
}

// applyTranslations writes the posted texts in lang ("t:<key>") into
// def; an empty one removes the translation, so the page falls back to
// English visibly.
func applyTranslations(def *survey.Definition, lang string, form url.Values, editable func(string) bool) {
	for _, it := range translationKeys(def, editable) {
		name := "t:" + it.Key
		if !form.Has(name) {
			continue
		}
		s := strings.TrimSpace(form.Get(name))
		if *it.Text == nil {
			*it.Text = survey.Text{}
		}
		if s == "" {
			delete(*it.Text, lang)
		} else {
			(*it.Text)[lang] = s
		}
	}
}

// translationControl is the id of a translation's input.
func translationControl(key string) string {
	return "tr-" + strings.NewReplacer(".", "-", ":", "-").Replace(key)
}

// pathPattern reads the start of a definition path such as
// sections[2].questions[0].options[1].value.
var pathPattern = regexp.MustCompile(`^sections\[(\d+)\](?:\.questions\[(\d+)\])?(.*)$`)

// pathTarget says what a definition path points at: a section and
// question (by id, "" when the path stops above them) and the rest of the
// path inside them (".options[1].value", ".title").
type pathTarget struct {
	Section, Question, Rest string
}

func targetOf(def *survey.Definition, path string) pathTarget {
	m := pathPattern.FindStringSubmatch(path)
	if m == nil {
		return pathTarget{Rest: path}
	}
	t := pathTarget{Rest: m[3]}
	si, _ := strconv.Atoi(m[1])
	if si >= len(def.Sections) {
		return pathTarget{Rest: path}
	}
	t.Section = def.Sections[si].ID
	if m[2] != "" {
		qi, _ := strconv.Atoi(m[2])
		if qi < len(def.Sections[si].Questions) {
			t.Question = def.Sections[si].Questions[qi].ID
		}
	}
	return t
}

var optionPathPattern = regexp.MustCompile(`^\.options\[(\d+)\](?:\.(value|label))?`)

// questionControl maps the rest of a path inside a question to the
// question form's control.
func questionControl(rest string) string {
	if m := optionPathPattern.FindStringSubmatch(rest); m != nil {
		k, _ := strconv.Atoi(m[1])
		if m[2] == "value" {
			return optionControl(k, "value")
		}
		return optionControl(k, "label")
	}
	field, _, _ := strings.Cut(strings.TrimPrefix(rest, "."), ".")
	field, _, _ = strings.Cut(field, "[")
	switch field {
	case "hint":
		return ctlHint
	case "options":
		return ctlNewLabel
	case "max_choices":
		return ctlMaxChoices
	case "min":
		return ctlMin
	case "max":
		return ctlMax
	case "min_label":
		return ctlMinLabel
	case "max_label":
		return ctlMaxLabel
	case "max_length":
		return ctlMaxLength
	case "show_if":
		return ctlShowIf
	case "required":
		return ctlRequired
	}
	return ctlText
}

// translationKeyOf maps a path to the translation page's key, "" when the
// path names no text.
func translationKeyOf(def *survey.Definition, path string) string {
	t := targetOf(def, path)
	switch {
	case t.Section == "":
		if path == "intro" || strings.HasPrefix(path, "intro.") {
			return "intro"
		}
		return "title"
	case t.Question == "":
		return "s." + t.Section + ".title"
	}
	if m := optionPathPattern.FindStringSubmatch(t.Rest); m != nil {
		if q, ok := def.Question(t.Question); ok {
			k, _ := strconv.Atoi(m[1])
			if k < len(q.Options) {
				return "o." + t.Question + "." + q.Options[k].Value
			}
		}
	}
	field, _, _ := strings.Cut(strings.TrimPrefix(t.Rest, "."), ".")
	switch field {
	case "hint", "min_label", "max_label":
		return "q." + t.Question + "." + field
	}
	return "q." + t.Question + ".text"
}
