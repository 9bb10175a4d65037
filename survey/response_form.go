package survey

import (
	"net/url"
	"slices"
)

// ParseForm validates the survey form's fields against d, which must have
// passed Validate. Each field is named after its question id and a multi
// question repeats its name; fields named in reserved (the form's "lang"
// and "code") and a nameless field, which no browser sends, are ignored.
//
// The rules are those of ParseJSONAnswers, with the differences a plain
// HTML form brings: every value is a string, an empty value is not
// answered, a scale value is a decimal integer ("7"), a choice, scale or
// text question given two non-empty values is CodeWrongType, and answers to
// questions hidden by show_if are dropped, with any error they had, since
// without JavaScript a person sees every question.
//
// The answers come back in normal form, including the valid ones of a form
// that has errors. To show the form again after errors, fill it from the
// submitted values: an answer at fault (a text that is too long, say) is
// not among the answers, and the person needs to see it to correct it.
func ParseForm(d *Definition, form url.Values, reserved ...string) (Answers, FieldErrors) {
	c := newCollector(d)
	for key, values := range form {
		if key == "" || slices.Contains(reserved, key) {
			continue
		}
		if q, ok := c.question(key); ok {
			c.set(q, formAnswer(q, values))
		}
	}
	return c.finish(true)
}

// formAnswer normalises the values of one form field as an answer to q.
func formAnswer(q *Question, values []string) result {
	var given []string
	for _, v := range values {
		if v != "" {
			given = append(given, v)
		}
	}
	if len(given) == 0 {
		return emptyResult
	}
	if q.Type == TypeMulti {
		return normaliseMulti(q, given)
	}
	if len(given) > 1 {
		return wrongType(q)
	}
	s := given[0]
	switch q.Type {
	case TypeChoice:
		return normaliseChoice(q, s)
	case TypeScale:
		if !isDecimal(s) {
			return wrongType(q)
		}
		n, _, huge := wholeNumber(s)
		return normaliseScale(q, n, huge)
	case TypeText:
		return normaliseText(q, s)
	}
	return wrongType(q)
}

// isDecimal reports whether s is an optionally negative run of ASCII
// digits, the only spelling of a number a form's scale sends.
func isDecimal(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
