package survey

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Answers holds one response's answers by question id, in normal form:
// choice → string, multi → []string (no duplicates, in the order given),
// scale → int, text → string (trimmed, without control characters other
// than newline and tab). Unanswered questions are absent.
type Answers map[string]any

// Codes of FieldError, the machine-readable "code" of the API's error body.
const (
	// CodeInvalidKey: an answer key starting with "$" or containing ".",
	// which could reach the store as an operator or a path.
	CodeInvalidKey      = "invalid_key"
	CodeUnknownQuestion = "unknown_question"
	CodeNotAnOption     = "not_an_option"
	CodeOutOfRange      = "out_of_range"
	CodeTooManyChoices  = "too_many_choices"
	CodeWrongType       = "wrong_type"
	CodeHiddenQuestion  = "hidden_question"
	CodeRequired        = "required"
	CodeTooLong         = "too_long"
)

// Message ids of FieldError: go-i18n ids of the sentence shown to the
// person. Their English text lives in locales/active.en.toml. Those that
// take template data say which fields; FieldError.TemplateData supplies
// them.
//
//	MessageInvalidKey        CodeInvalidKey
//	MessageUnknownQuestion   CodeUnknownQuestion
//	MessageNotAnOption       CodeNotAnOption
//	MessageOutOfRange        CodeOutOfRange             Min, Max
//	MessageTooManyChoices    CodeTooManyChoices         Max (also the plural count)
//	MessageWrongTypeChoice   CodeWrongType, choice
//	MessageWrongTypeMulti    CodeWrongType, multi
//	MessageWrongTypeScale    CodeWrongType, scale       Min, Max
//	MessageWrongTypeText     CodeWrongType, text (a number, true or a list)
//	MessageUnreadableText    CodeWrongType, text that is not valid UTF-8
//	MessageDuplicateAnswer   CodeWrongType, the same key twice in JSON
//	MessageHiddenQuestion    CodeHiddenQuestion
//	MessageRequired          CodeRequired
//	MessageTooLong           CodeTooLong                Max (also the plural count)
const (
	MessageInvalidKey      = "ErrorInvalidKey"
	MessageUnknownQuestion = "ErrorUnknownQuestion"
	MessageNotAnOption     = "ErrorNotAnOption"
	MessageOutOfRange      = "ErrorOutOfRange"
	MessageTooManyChoices  = "ErrorTooManyChoices"
	MessageWrongTypeChoice = "ErrorWrongTypeChoice"
	MessageWrongTypeMulti  = "ErrorWrongTypeMulti"
	MessageWrongTypeScale  = "ErrorWrongTypeScale"
	MessageWrongTypeText   = "ErrorWrongTypeText"
	MessageUnreadableText  = "ErrorUnreadableText"
	MessageDuplicateAnswer = "ErrorDuplicateAnswer"
	MessageHiddenQuestion  = "ErrorHiddenQuestion"
	MessageRequired        = "ErrorRequired"
	MessageTooLong         = "ErrorTooLong"
)

// FieldError is one answer at fault.
type FieldError struct {
	// Field is the question id, or the offending key for CodeInvalidKey and
	// CodeUnknownQuestion (made valid UTF-8, so it can be echoed safely).
	Field string
	// Code is one of the Code constants.
	Code string
	// MessageID is one of the Message constants.
	MessageID string
}

// TemplateData returns the data MessageID's sentence needs (see the
// Message constants), taken from the question in d, or nil when it needs
// none.
func (e FieldError) TemplateData(d *Definition) map[string]any {
	q, ok := d.Question(e.Field)
	if !ok {
		return nil
	}
	switch e.MessageID {
	case MessageOutOfRange, MessageWrongTypeScale:
		if q.Min == nil || q.Max == nil {
			return nil
		}
		return map[string]any{"Min": *q.Min, "Max": *q.Max}
	case MessageTooManyChoices:
		return map[string]any{"Max": q.MaxChoices}
	case MessageTooLong:
		return map[string]any{"Max": maxLength(q)}
	}
	return nil
}

// FieldErrors lists every answer at fault, one error per field: first the
// keys that are no question of the survey (sorted), then the questions in
// survey order. The parsers return nil when nothing is wrong; convert to
// error only then, since a nil FieldErrors inside an error is not nil.
type FieldErrors []FieldError

// Error lists the fields and codes on one line, for logs and tests.
func (errs FieldErrors) Error() string {
	var b strings.Builder
	b.WriteString("survey: invalid answers: ")
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", e.Field, e.Code)
	}
	return b.String()
}

// Visible reports for every question of d whether it is shown given the
// answers a: a question without show_if always is; one with show_if is shown
// when the question it names is shown and answered with (for a multi
// question, any choice among) one of the listed values.
func Visible(d *Definition, a Answers) map[string]bool {
	shown := map[string]bool{}
	for _, q := range d.Questions() {
		c := q.ShowIf
		// Conditions only look back, so the target's visibility is known.
		shown[q.ID] = c == nil || (shown[c.Question] && anyIn(answerValues(a[c.Question]), c.In))
	}
	return shown
}

// answerValues returns the chosen values of a choice or multi answer.
func answerValues(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	}
	return nil
}

func anyIn(values, in []string) bool {
	for _, v := range values {
		if slices.Contains(in, v) {
			return true
		}
	}
	return false
}

// maxLength is the length limit of a text question, in characters.
func maxLength(q *Question) int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	return DefaultMaxTextLength
}

// invalidKey reports a key that must never reach the store: MongoDB reads
// "$" as an operator and "." as a path into the document.
func invalidKey(key string) bool {
	return strings.HasPrefix(key, "$") || strings.Contains(key, ".")
}

// collector gathers the answers and errors of one response. Both parsers
// feed it key by key and then call finish, so the rules live in one place.
type collector struct {
	d         *Definition
	questions map[string]*Question
	answers   Answers
	// errs holds at most one error per field.
	errs map[string]FieldError
	// given marks questions that received a non-empty answer, valid or not:
	// an invalid answer earns its own error, not also "required".
	given map[string]bool
}

func newCollector(d *Definition) *collector {
	c := &collector{
		d:         d,
		questions: map[string]*Question{},
		answers:   Answers{},
		errs:      map[string]FieldError{},
		given:     map[string]bool{},
	}
	for _, q := range d.Questions() {
		if _, dup := c.questions[q.ID]; !dup {
			c.questions[q.ID] = q
		}
	}
	return c
}

// question checks a key's name and returns its question, recording an
// error when the key is invalid or names no question.
func (c *collector) question(key string) (*Question, bool) {
	if invalidKey(key) {
		c.fail(key, CodeInvalidKey, MessageInvalidKey)
		return nil, false
	}
	q, ok := c.questions[key]
	if !ok {
		c.fail(key, CodeUnknownQuestion, MessageUnknownQuestion)
	}
	return q, ok
}

// fail records an error unless the field already has one.
func (c *collector) fail(field, code, messageID string) {
	field = strings.ToValidUTF8(field, "\uFFFD")
	if _, ok := c.errs[field]; !ok {
		c.errs[field] = FieldError{Field: field, Code: code, MessageID: messageID}
	}
}

// set records the outcome of normalising q's answer: nothing when it was
// empty, the value when valid, else the error.
func (c *collector) set(q *Question, r result) {
	if r.empty {
		return
	}
	c.given[q.ID] = true
	if r.code != "" {
		c.fail(q.ID, r.code, r.messageID)
		return
	}
	c.answers[q.ID] = r.value
}

// duplicate marks a key given twice: neither value is kept, because which
// one counts would depend on the parser.
func (c *collector) duplicate(q *Question) {
	c.given[q.ID] = true
	delete(c.answers, q.ID)
	c.errs[q.ID] = FieldError{Field: q.ID, Code: CodeWrongType, MessageID: MessageDuplicateAnswer}
}

// finish applies the rules that look at the whole response (show_if and
// required) and returns the answers and the sorted errors. With dropHidden,
// answers to hidden questions are discarded with any error they had;
// otherwise each is a CodeHiddenQuestion error.
func (c *collector) finish(dropHidden bool) (Answers, FieldErrors) {
	shown := Visible(c.d, c.answers)
	order := map[string]int{}
	for i, q := range c.d.Questions() {
		if _, dup := order[q.ID]; dup {
			continue
		}
		order[q.ID] = i
		switch {
		case !shown[q.ID] && c.given[q.ID]:
			delete(c.answers, q.ID)
			if dropHidden {
				delete(c.errs, q.ID)
			} else {
				c.errs[q.ID] = FieldError{Field: q.ID, Code: CodeHiddenQuestion, MessageID: MessageHiddenQuestion}
			}
		case shown[q.ID] && q.Required && !c.given[q.ID]:
			c.fail(q.ID, CodeRequired, MessageRequired)
		}
	}

	var errs FieldErrors
	for _, e := range c.errs {
		errs = append(errs, e)
	}
	slices.SortFunc(errs, func(a, b FieldError) int {
		ia, aq := order[a.Field]
		ib, bq := order[b.Field]
		switch {
		case aq && bq:
			return cmp.Compare(ia, ib)
		case aq != bq:
			// Keys that are no question come first.
			if bq {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Field, b.Field)
	})
	return c.answers, errs
}

// result is the outcome of normalising one answer.
type result struct {
	empty     bool // not answered
	value     any  // the normal form, when valid
	code      string
	messageID string
}

// emptyResult is the result of an answer that was not given.
var emptyResult = result{empty: true}

func validAnswer(v any) result { return result{value: v} }

func invalidAnswer(code, messageID string) result {
	return result{code: code, messageID: messageID}
}

// wrongType is the CodeWrongType result for q, whose sentence depends on
// what kind of answer q wants.
func wrongType(q *Question) result {
	switch q.Type {
	case TypeChoice:
		return invalidAnswer(CodeWrongType, MessageWrongTypeChoice)
	case TypeMulti:
		return invalidAnswer(CodeWrongType, MessageWrongTypeMulti)
	case TypeScale:
		return invalidAnswer(CodeWrongType, MessageWrongTypeScale)
	}
	return invalidAnswer(CodeWrongType, MessageWrongTypeText)
}

// normaliseChoice normalises a choice answer; s is not empty.
func normaliseChoice(q *Question, s string) result {
	if _, ok := q.Option(s); !ok {
		return invalidAnswer(CodeNotAnOption, MessageNotAnOption)
	}
	return validAnswer(s)
}

// normaliseMulti normalises the chosen values of a multi answer; empty
// values were already left out, and at least one value remains.
func normaliseMulti(q *Question, values []string) result {
	var out []string
	for _, v := range values {
		if _, ok := q.Option(v); !ok {
			return invalidAnswer(CodeNotAnOption, MessageNotAnOption)
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if q.MaxChoices > 0 && len(out) > q.MaxChoices {
		return invalidAnswer(CodeTooManyChoices, MessageTooManyChoices)
	}
	return validAnswer(out)
}

// normaliseScale checks a whole number against q's bounds. huge marks a
// number too large for any scale, which n cannot hold.
func normaliseScale(q *Question, n int, huge bool) result {
	if huge || q.Min == nil || q.Max == nil || n < *q.Min || n > *q.Max {
		return invalidAnswer(CodeOutOfRange, MessageOutOfRange)
	}
	return validAnswer(n)
}

// normaliseText normalises a free-text answer: invalid UTF-8 is refused
// rather than repaired, because the person would not see what was stored;
// control characters (a form's "\r" of "\r\n" among them) are removed.
func normaliseText(q *Question, s string) result {
	if !utf8.ValidString(s) {
		return invalidAnswer(CodeWrongType, MessageUnreadableText)
	}
	s = cleanText(s)
	if s == "" {
		return emptyResult
	}
	if utf8.RuneCountInString(s) > maxLength(q) {
		return invalidAnswer(CodeTooLong, MessageTooLong)
	}
	return validAnswer(s)
}

// cleanText removes control characters except newline and tab, then
// surrounding white space. Format characters stay: Persian and Arabic text
// needs the zero-width joiners.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// maxScaleDigits bounds the digits of a scale answer: every scale lies
// within 0..100, so a longer number is out of range whatever its value, and
// parsing stops before the number could overflow.
const maxScaleDigits = 4

// wholeNumber reads a JSON number literal (already known to be well-formed)
// exactly, without float rounding: whole reports a whole number ("7",
// "7.0", "70e-1"), huge one with more than maxScaleDigits digits, n its
// value otherwise.
func wholeNumber(lit string) (n int, whole, huge bool) {
	neg := strings.HasPrefix(lit, "-")
	lit = strings.TrimPrefix(lit, "-")
	mantissa, expPart, hasExp := strings.Cut(strings.ToLower(lit), "e")
	intPart, frac, _ := strings.Cut(mantissa, ".")
	exp := 0
	if hasExp {
		// Beyond ±(len(lit)+maxScaleDigits) the exponent decides alone:
		// huge when positive, not whole when negative.
		exp = parseExponent(expPart, len(lit)+maxScaleDigits+1)
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	digits = trimmed
	switch {
	case digits == "":
		return 0, true, false
	case exp < 0:
		return 0, false, false
	case len(digits)+exp > maxScaleDigits:
		return 0, true, true
	}
	for _, r := range digits {
		n = n*10 + int(r-'0')
	}
	for range exp {
		n *= 10
	}
	if neg {
		n = -n
	}
	return n, true, false
}

// parseExponent reads an exponent, clamped to ±limit so that
// "1e999999999999" cannot overflow.
func parseExponent(s string, limit int) int {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	e := 0
	for _, r := range s {
		e = e*10 + int(r-'0')
		if e > limit {
			e = limit
			break
		}
	}
	if neg {
		return -e
	}
	return e
}
