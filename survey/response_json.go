package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ParseJSONAnswers validates the "answers" object of a JSON response
// against d, which must have passed Validate.
//
// raw is the object's JSON. The error is non-nil only when raw is not one
// well-formed JSON object (null included): the caller answers 400
// invalid_json. Otherwise every rule of API.md "Responses" is applied and
// every answer at fault reported:
//
//   - a key starting with "$" or containing "." is CodeInvalidKey (checked
//     before anything else), a key naming no question CodeUnknownQuestion
//     (an empty key too, with an empty Field);
//   - null, "" and [] are not answered; so is a multi answer whose elements
//     are all "", and a text answer that is blank once cleaned;
//   - a choice answer is a string, a multi answer an array of strings, a
//     scale answer a whole JSON number (7 and 7.0 alike; 7.5 and "7" are
//     CodeWrongType), a text answer a string; objects and booleans are
//     always CodeWrongType, and so is a key given twice, since which value
//     counts would depend on the parser;
//   - a text answer containing invalid UTF-8 is CodeWrongType (escapes of
//     lone surrogates decode to U+FFFD, as encoding/json does);
//   - an answer to a question hidden by show_if is CodeHiddenQuestion;
//   - a required question that is shown and not answered is CodeRequired.
//
// The answers come back in normal form (see Answers), including the valid
// ones of a response that has errors; store them only when there are none.
func ParseJSONAnswers(d *Definition, raw []byte) (Answers, FieldErrors, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("survey.ParseJSONAnswers: %w", err)
	}
	if tok != json.Delim('{') {
		return nil, nil, errors.New("survey.ParseJSONAnswers: answers are not a JSON object")
	}
	c := newCollector(d)
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("survey.ParseJSONAnswers: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, errors.New("survey.ParseJSONAnswers: an object key is not a string")
		}
		// The raw value keeps the bytes as sent, so invalid UTF-8 can be
		// told apart from text that really contains U+FFFD.
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, nil, fmt.Errorf("survey.ParseJSONAnswers: %w", err)
		}
		dup := seen[key]
		seen[key] = true
		q, ok := c.question(key)
		switch {
		case !ok:
		case dup:
			c.duplicate(q)
		default:
			c.set(q, jsonAnswer(q, value))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("survey.ParseJSONAnswers: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, errors.New("survey.ParseJSONAnswers: unexpected data after the answers")
	}
	answers, errs := c.finish(false)
	return answers, errs, nil
}

// jsonAnswer normalises one well-formed JSON value as an answer to q.
func jsonAnswer(q *Question, raw json.RawMessage) result {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return emptyResult
	}
	switch raw[0] {
	case 'n':
		return emptyResult
	case '"':
		s := jsonString(raw)
		switch {
		case s == "":
			return emptyResult
		case q.Type == TypeChoice:
			return normaliseChoice(q, s)
		case q.Type == TypeText:
			if !utf8.Valid(raw) {
				return invalidAnswer(CodeWrongType, MessageUnreadableText)
			}
			return normaliseText(q, s)
		}
		return wrongType(q)
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return wrongType(q)
		}
		if len(elems) == 0 {
			return emptyResult
		}
		if q.Type != TypeMulti {
			return wrongType(q)
		}
		var values []string
		for _, e := range elems {
			e = bytes.TrimLeft(e, " \t\r\n")
			if len(e) == 0 || e[0] != '"' {
				return wrongType(q)
			}
			if s := jsonString(e); s != "" {
				values = append(values, s)
			}
		}
		if len(values) == 0 {
			return emptyResult
		}
		return normaliseMulti(q, values)
	case '{', 't', 'f':
		return wrongType(q)
	}
	if q.Type != TypeScale {
		return wrongType(q)
	}
	n, whole, huge := wholeNumber(string(bytes.TrimRight(raw, " \t\r\n")))
	if !whole {
		return wrongType(q)
	}
	return normaliseScale(q, n, huge)
}

// jsonString decodes a JSON string literal that the decoder has already
// checked, so it cannot fail.
func jsonString(raw []byte) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}
