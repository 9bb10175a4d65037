package locale

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"yousaid/survey"
)

// pluralForms are the CLDR plural categories in the order go-i18n names
// them.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// isPlural reports a message with plural forms: English gives it a "one".
func isPlural(en *i18n.Message) bool { return en.One != "" }

// formOf returns a pointer to one plural form's text of m.
func formOf(m *i18n.Message, form string) *string {
	switch form {
	case "zero":
		return &m.Zero
	case "one":
		return &m.One
	case "two":
		return &m.Two
	case "few":
		return &m.Few
	case "many":
		return &m.Many
	}
	return &m.Other
}

// formsOf lists the plural forms a language's file uses for its plural
// messages (at least "one" and "other"), so that each language is offered
// the forms its grammar needs: six for Arabic and Welsh, two for French.
func (b *Bundle) formsOf(tag string) []string {
	used := map[string]bool{"other": true}
	en := b.english()
	for _, m := range b.base[tag] {
		if e, ok := en[m.ID]; !ok || !isPlural(e) {
			continue
		}
		for _, f := range pluralForms {
			if *formOf(m, f) != "" {
				used[f] = true
			}
		}
	}
	if len(used) == 1 {
		used["one"] = true
	}
	var out []string
	for _, f := range pluralForms {
		if used[f] {
			out = append(out, f)
		}
	}
	return out
}

func (b *Bundle) english() map[string]*i18n.Message {
	out := make(map[string]*i18n.Message, len(b.base["en"]))
	for _, m := range b.base["en"] {
		out[m.ID] = m
	}
	return out
}

// Strings lists the interface messages of a language for translation, by
// key: a message's ID, or "ID.form" for each plural form of a message
// with plural forms ("CoverageMissing.few"), whose English is the English
// form of that name or else "other". Targets are the texts in use (the
// file's, or a reviewed upload's). Sorted by key.
func (b *Bundle) Strings(tag string) []survey.String {
	b.applyMu.Lock()
	over := b.overrides[tag]
	b.applyMu.Unlock()
	msgs, _ := b.messagesWith(tag, over)
	have := make(map[string]*i18n.Message, len(msgs))
	for _, m := range msgs {
		have[m.ID] = m
	}
	var out []survey.String
	forms := b.formsOf(tag)
	for _, en := range b.base["en"] {
		m := have[en.ID]
		if m == nil {
			m = &i18n.Message{}
		}
		if !isPlural(en) {
			out = append(out, survey.String{Key: en.ID, Source: en.Other, Target: m.Other, Note: en.Description})
			continue
		}
		for _, f := range forms {
			src := *formOf(en, f)
			if src == "" {
				src = en.Other
			}
			out = append(out, survey.String{Key: en.ID + "." + f, Source: src, Target: *formOf(m, f),
				Note: strings.TrimSpace(en.Description + " (plural form: " + f + ")")})
		}
	}
	slices.SortFunc(out, func(a, b survey.String) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// messagesWith returns copies of a language's file messages with texts
// (key → text, see Strings) put over them; a key names a message English
// has, which the language may lack.
func (b *Bundle) messagesWith(tag string, texts map[string]string) ([]*i18n.Message, error) {
	byID := map[string]*i18n.Message{}
	var out []*i18n.Message
	for _, m := range b.base[tag] {
		cp := *m
		byID[m.ID] = &cp
		out = append(out, &cp)
	}
	en := b.english()
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		text := texts[key]
		id, form, err := b.splitKey(en, tag, key)
		if err != nil {
			return nil, err
		}
		if text == "" {
			continue
		}
		m := byID[id]
		if m == nil {
			m = &i18n.Message{ID: id, Description: en[id].Description}
			byID[id] = m
			out = append(out, m)
		}
		*formOf(m, form) = text
	}
	for _, m := range out {
		// go-i18n needs "other"; a language that gained only another form
		// shows English for the rest, as it does for a missing message.
		if m.Other == "" {
			m.Other = en[m.ID].Other
		}
	}
	return out, nil
}

// splitKey parses a key of Strings into its message ID and plural form
// ("other" for a message without plural forms).
func (b *Bundle) splitKey(en map[string]*i18n.Message, tag, key string) (id, form string, err error) {
	if m, ok := en[key]; ok && !isPlural(m) {
		return key, "other", nil
	}
	id, form, ok := strings.Cut(key, ".")
	if m, known := en[id]; ok && known && isPlural(m) && slices.Contains(b.formsOf(tag), form) {
		return id, form, nil
	}
	return "", "", &UnknownKeyError{Key: key}
}

// UnknownKeyError is a key that names no interface message (or no plural
// form the language has).
type UnknownKeyError struct{ Key string }

func (e *UnknownKeyError) Error() string { return fmt.Sprintf("locale: no message %q", e.Key) }

// Apply makes texts (key → text, see Strings) a language's interface
// messages in place of its file's, for every request from now on;
// requests under way keep the messages they started with. Each call
// replaces the texts the previous call gave the language. English cannot
// be changed; a key that names no message is an *UnknownKeyError and
// nothing changes.
func (b *Bundle) Apply(tag string, texts map[string]string) error {
	if tag == "en" {
		return fmt.Errorf("locale.Apply: English is the source text, not a translation")
	}
	if l, ok := Lookup(tag); !ok || l.Tag != tag {
		return fmt.Errorf("locale.Apply: %q is not a supported language", tag)
	}
	b.applyMu.Lock()
	defer b.applyMu.Unlock()
	next := make(map[string]map[string]string, len(b.overrides)+1)
	for t, o := range b.overrides {
		next[t] = o
	}
	next[tag] = texts
	cat, err := b.build(next)
	if err != nil {
		return fmt.Errorf("locale.Apply: %w", err)
	}
	b.overrides = next
	b.cat.Store(cat)
	return nil
}

// placeholderPattern finds go-i18n placeholders such as {{.Count}}.
var placeholderPattern = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// PlaceholderError says what is wrong with a translated text's
// placeholders. Code is "broken" (a "{{" that is not a placeholder, which
// would show the message's ID instead of the text), "missing" (a
// placeholder of the English that the text lacks) or "extra" (one the
// English does not have, which cannot be filled). Name is the placeholder.
type PlaceholderError struct{ Code, Name string }

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("locale: placeholder %s: %s", e.Name, e.Code)
}

// CheckPlaceholders checks a translation of the interface string key
// against its English source: the same {{.Name}} placeholders, and a
// template go-i18n can render. The forms zero, one and two may leave out
// a placeholder: they often name the number in words ("one text" rather
// than "1 text", Arabic's "حرفين" for two characters).
func CheckPlaceholders(key, source, text string) error {
	if strings.Contains(text, "{{") || strings.Contains(text, "}}") {
		if _, err := template.New("").Option("missingkey=error").Parse(text); err != nil {
			return &PlaceholderError{Code: "broken", Name: "{{"}
		}
		// Only plain {{.Name}} actions: no functions, ranges or other
		// template code from an uploaded file.
		rest := placeholderPattern.ReplaceAllString(text, "")
		if strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
			return &PlaceholderError{Code: "broken", Name: "{{"}
		}
	}
	want := placeholderNames(source)
	have := placeholderNames(text)
	for _, n := range have {
		if !slices.Contains(want, n) {
			return &PlaceholderError{Code: "extra", Name: "{{." + n + "}}"}
		}
	}
	_, form, _ := strings.Cut(key, ".")
	for _, n := range want {
		if slices.Contains(have, n) {
			continue
		}
		if form == "zero" || form == "one" || form == "two" {
			continue
		}
		return &PlaceholderError{Code: "missing", Name: "{{." + n + "}}"}
	}
	return nil
}

func placeholderNames(s string) []string {
	var out []string
	for _, m := range placeholderPattern.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}
