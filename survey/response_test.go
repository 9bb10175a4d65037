package survey_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

// fe builds the FieldError that a field and code are expected to give.
func fe(field, code, messageID string) survey.FieldError {
	return survey.FieldError{Field: field, Code: code, MessageID: messageID}
}

func errRequired(f string) survey.FieldError {
	return fe(f, survey.CodeRequired, survey.MessageRequired)
}
func errOption(f string) survey.FieldError {
	return fe(f, survey.CodeNotAnOption, survey.MessageNotAnOption)
}
func errRange(f string) survey.FieldError {
	return fe(f, survey.CodeOutOfRange, survey.MessageOutOfRange)
}
func errKey(f string) survey.FieldError {
	return fe(f, survey.CodeInvalidKey, survey.MessageInvalidKey)
}
func errTooLong(f string) survey.FieldError { return fe(f, survey.CodeTooLong, survey.MessageTooLong) }
func errDup(f string) survey.FieldError {
	return fe(f, survey.CodeWrongType, survey.MessageDuplicateAnswer)
}

func errHidden(f string) survey.FieldError {
	return fe(f, survey.CodeHiddenQuestion, survey.MessageHiddenQuestion)
}

func errUnknown(f string) survey.FieldError {
	return fe(f, survey.CodeUnknownQuestion, survey.MessageUnknownQuestion)
}

func errTooMany(f string) survey.FieldError {
	return fe(f, survey.CodeTooManyChoices, survey.MessageTooManyChoices)
}

// The wrong-type errors of the test survey, one per question type.
var (
	wrongChoice = fe("home_safe", survey.CodeWrongType, survey.MessageWrongTypeChoice)
	wrongMulti  = fe("areas", survey.CodeWrongType, survey.MessageWrongTypeMulti)
	wrongScale  = fe("anxiety", survey.CodeWrongType, survey.MessageWrongTypeScale)
	wrongText   = fe("anything_else", survey.CodeWrongType, survey.MessageWrongTypeText)
	unreadable  = fe("anything_else", survey.CodeWrongType, survey.MessageUnreadableText)
)

// safe is the one required answer of the test survey.
var safe = survey.Answers{"home_safe": "always"}

// with returns safe plus the given answers.
func with(kv ...any) survey.Answers {
	a := survey.Answers{"home_safe": "always"}
	for i := 0; i < len(kv); i += 2 {
		a[kv[i].(string)] = kv[i+1]
	}
	return a
}

func TestParseJSONAnswers(t *testing.T) {
	d := testDefinition(t)
	tests := []struct {
		name        string
		raw         string
		wantAnswers survey.Answers
		wantErrs    survey.FieldErrors
	}{
		{
			name: "every question answered",
			raw: `{"home_safe": "sometimes", "has_pa": "yes", "pa_contact": "easy", "areas": ["housing", "16-17"],
				"housing_detail": "  damp walls\r\n", "anxiety": 7, "anything_else": "thank you"}`,
			wantAnswers: survey.Answers{"home_safe": "sometimes", "has_pa": "yes", "pa_contact": "easy", "areas": []string{"housing", "16-17"},
				"housing_detail": "damp walls", "anxiety": 7, "anything_else": "thank you"},
		},
		{name: "only the required answer", raw: `{"home_safe": "always"}`, wantAnswers: safe},
		{name: "surrounding white space", raw: " \n{\"home_safe\": \"always\"}\n ", wantAnswers: safe},

		// Not answered.
		{name: "null, empty string and empty list are not answered",
			raw: `{"home_safe": "always", "has_pa": null, "areas": [], "anything_else": "", "anxiety": null}`, wantAnswers: safe},
		{name: "empty object", raw: `{}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errRequired("home_safe")}},
		{name: "required answered with null", raw: `{"home_safe": null}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errRequired("home_safe")}},
		{name: "required answered with empty string", raw: `{"home_safe": ""}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errRequired("home_safe")}},
		{name: "required answered with empty list", raw: `{"home_safe": []}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errRequired("home_safe")}},
		{name: "multi of empty strings is not answered", raw: `{"home_safe": "always", "areas": ["", ""]}`, wantAnswers: safe},
		{name: "blank text is not answered", raw: `{"home_safe": "always", "anything_else": " \t\n\u0000 "}`, wantAnswers: safe},

		// Keys.
		{name: "key starting with $", raw: `{"home_safe": "always", "$where": "1"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("$where")}},
		{name: "key containing a dot", raw: `{"home_safe": "always", "home_safe.x": "always"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("home_safe.x")}},
		{name: "question id behind $", raw: `{"$home_safe": "always"}`, wantAnswers: survey.Answers{},
			wantErrs: survey.FieldErrors{errKey("$home_safe"), errRequired("home_safe")}},
		{name: "invalid key with an object value", raw: `{"home_safe": "always", "$set": {"x": 1}}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("$set")}},
		{name: "escaped dollar", raw: `{"home_safe": "always", "\u0024gt": 1}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("$gt")}},
		{name: "unknown question", raw: `{"home_safe": "always", "age": "17"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errUnknown("age")}},
		{name: "question id in capitals", raw: `{"home_safe": "always", "HOME_SAFE": "always"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errUnknown("HOME_SAFE")}},
		{name: "empty key", raw: `{"home_safe": "always", "": 1}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errUnknown("")}},
		{name: "unknown key with invalid UTF-8", raw: "{\"home_safe\": \"always\", \"a\xffb\": 1}", wantAnswers: safe, wantErrs: survey.FieldErrors{errUnknown("a\uFFFDb")}},
		{name: "duplicate key", raw: `{"home_safe": "always", "home_safe": "never"}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errDup("home_safe")}},
		{name: "duplicate key spelt with an escape", raw: `{"anxiety": 3, "home_safe": "always", "\u0061nxiety": 3}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errDup("anxiety")}},
		{name: "duplicate key with an invalid first value", raw: `{"home_safe": "always", "anxiety": 30, "anxiety": 3}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errDup("anxiety")}},
		{name: "duplicate key three times", raw: `{"home_safe": "always", "has_pa": "no", "has_pa": "no", "has_pa": "no"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errDup("has_pa")}},
		{name: "duplicate invalid key", raw: `{"home_safe": "always", "$x": 1, "$x": 2}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("$x")}},
		{name: "duplicate unknown key", raw: `{"home_safe": "always", "x": 1, "x": 2}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errUnknown("x")}},

		// Choice.
		{name: "choice not an option", raw: `{"home_safe": "maybe"}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errOption("home_safe")}},
		{name: "choice in the wrong case", raw: `{"home_safe": "Always"}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errOption("home_safe")}},
		{name: "choice with spaces", raw: `{"home_safe": " always"}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errOption("home_safe")}},
		{name: "choice as a number", raw: `{"home_safe": 1}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},
		{name: "choice as a list", raw: `{"home_safe": ["always"]}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},
		{name: "choice as a boolean", raw: `{"home_safe": true}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},
		{name: "choice as an object", raw: `{"home_safe": {"$ne": null}}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},
		{name: "choice as an empty object", raw: `{"home_safe": {}}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},

		// Multi.
		{name: "multi in the order given", raw: `{"home_safe": "always", "areas": ["money", "health"]}`, wantAnswers: with("areas", []string{"money", "health"})},
		{name: "multi deduplicated", raw: `{"home_safe": "always", "areas": ["money", "health", "money"]}`, wantAnswers: with("areas", []string{"money", "health"})},
		{name: "multi empty strings left out", raw: `{"home_safe": "always", "areas": ["", "money"]}`, wantAnswers: with("areas", []string{"money"})},
		{name: "multi not an option", raw: `{"home_safe": "always", "areas": ["money", "pets"]}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errOption("areas")}},
		{name: "multi too many choices", raw: `{"home_safe": "always", "areas": ["money", "health", "housing"]}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errTooMany("areas")}},
		{name: "multi as a string", raw: `{"home_safe": "always", "areas": "money"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongMulti}},
		{name: "multi with a number", raw: `{"home_safe": "always", "areas": ["money", 1]}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongMulti}},
		{name: "multi with null", raw: `{"home_safe": "always", "areas": [null]}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongMulti}},
		{name: "multi with a list", raw: `{"home_safe": "always", "areas": [["money"]]}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongMulti}},
		{name: "multi as an object", raw: `{"home_safe": "always", "areas": {"0": "money"}}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongMulti}},

		// Scale.
		{name: "scale", raw: `{"home_safe": "always", "anxiety": 7}`, wantAnswers: with("anxiety", 7)},
		{name: "scale at min", raw: `{"home_safe": "always", "anxiety": 0}`, wantAnswers: with("anxiety", 0)},
		{name: "scale at max", raw: `{"home_safe": "always", "anxiety": 10}`, wantAnswers: with("anxiety", 10)},
		{name: "scale 7.0", raw: `{"home_safe": "always", "anxiety": 7.0}`, wantAnswers: with("anxiety", 7)},
		{name: "scale 70e-1", raw: `{"home_safe": "always", "anxiety": 70e-1}`, wantAnswers: with("anxiety", 7)},
		{name: "scale 0.7E+1", raw: `{"home_safe": "always", "anxiety": 0.7E+1}`, wantAnswers: with("anxiety", 7)},
		{name: "scale -0", raw: `{"home_safe": "always", "anxiety": -0}`, wantAnswers: with("anxiety", 0)},
		{name: "scale 7.5", raw: `{"home_safe": "always", "anxiety": 7.5}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale just above a whole number", raw: `{"home_safe": "always", "anxiety": 7.0000000000000000001}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale tiny", raw: `{"home_safe": "always", "anxiety": 1e-999999999999}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale as a string", raw: `{"home_safe": "always", "anxiety": "7"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale as a list", raw: `{"home_safe": "always", "anxiety": [7]}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale as a boolean", raw: `{"home_safe": "always", "anxiety": false}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale above max", raw: `{"home_safe": "always", "anxiety": 11}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},
		{name: "scale below min", raw: `{"home_safe": "always", "anxiety": -1}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},
		{name: "scale 1e3", raw: `{"home_safe": "always", "anxiety": 1e3}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},
		{name: "scale beyond float64", raw: `{"home_safe": "always", "anxiety": 1e400}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},
		{name: "scale beyond int64", raw: `{"home_safe": "always", "anxiety": 99999999999999999999999}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},
		{name: "scale hugely negative", raw: `{"home_safe": "always", "anxiety": -1e999999999999}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},

		// Text.
		{name: "text trimmed", raw: `{"home_safe": "always", "anything_else": "  hello  "}`, wantAnswers: with("anything_else", "hello")},
		{name: "text control characters removed", raw: `{"home_safe": "always", "anything_else": "a\u0000b\u0007c\r\nd\te\u0085"}`, wantAnswers: with("anything_else", "abc\nd\te")},
		{name: "text keeps zero-width joiners", raw: `{"home_safe": "always", "anything_else": "می‌کنم"}`, wantAnswers: with("anything_else", "می\u200cکنم")},
		{name: "text at the limit in Arabic", raw: `{"home_safe": "always", "anything_else": "` + strings.Repeat("ب", 20) + `"}`, wantAnswers: with("anything_else", strings.Repeat("ب", 20))},
		{name: "text too long", raw: `{"home_safe": "always", "anything_else": "` + strings.Repeat("b", 21) + `"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errTooLong("anything_else")}},
		{name: "text length counted after cleaning", raw: `{"home_safe": "always", "anything_else": "  ` + strings.Repeat(`b\u0000`, 20) + `  "}`, wantAnswers: with("anything_else", strings.Repeat("b", 20))},
		{name: "text over the default limit", raw: `{"home_safe": "always", "housing_detail": "` + strings.Repeat("x", survey.DefaultMaxTextLength+1) + `", "areas": ["housing"]}`,
			wantAnswers: with("areas", []string{"housing"}), wantErrs: survey.FieldErrors{errTooLong("housing_detail")}},
		{name: "text at the default limit", raw: `{"home_safe": "always", "housing_detail": "` + strings.Repeat("x", survey.DefaultMaxTextLength) + `", "areas": ["housing"]}`,
			wantAnswers: with("areas", []string{"housing"}, "housing_detail", strings.Repeat("x", survey.DefaultMaxTextLength))},
		{name: "text with invalid UTF-8", raw: "{\"home_safe\": \"always\", \"anything_else\": \"caf\xe9\"}", wantAnswers: safe, wantErrs: survey.FieldErrors{unreadable}},
		{name: "text with an escaped lone surrogate", raw: `{"home_safe": "always", "anything_else": "a\ud800b"}`, wantAnswers: with("anything_else", "a\uFFFDb")},
		{name: "text as a number", raw: `{"home_safe": "always", "anything_else": 5}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongText}},
		{name: "text as true", raw: `{"home_safe": "always", "anything_else": true}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongText}},
		{name: "text as a list", raw: `{"home_safe": "always", "anything_else": ["a"]}`, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongText}},

		// show_if.
		{name: "follow-up shown and answered", raw: `{"home_safe": "always", "has_pa": "yes", "pa_contact": "hard"}`, wantAnswers: with("has_pa", "yes", "pa_contact", "hard")},
		{name: "follow-up shown and required", raw: `{"home_safe": "always", "has_pa": "yes"}`, wantAnswers: with("has_pa", "yes"), wantErrs: survey.FieldErrors{errRequired("pa_contact")}},
		{name: "follow-up hidden is not required", raw: `{"home_safe": "always", "has_pa": "no"}`, wantAnswers: with("has_pa", "no")},
		{name: "follow-up hidden by another answer", raw: `{"home_safe": "always", "has_pa": "no", "pa_contact": "easy"}`, wantAnswers: with("has_pa", "no"), wantErrs: survey.FieldErrors{errHidden("pa_contact")}},
		{name: "follow-up hidden by no answer", raw: `{"home_safe": "always", "pa_contact": "easy"}`, wantAnswers: safe, wantErrs: survey.FieldErrors{errHidden("pa_contact")}},
		{name: "follow-up hidden by an invalid answer", raw: `{"home_safe": "always", "has_pa": "maybe", "pa_contact": "easy"}`, wantAnswers: safe,
			wantErrs: survey.FieldErrors{errOption("has_pa"), errHidden("pa_contact")}},
		{name: "hidden follow-up with an invalid answer", raw: `{"home_safe": "always", "has_pa": "no", "pa_contact": 5}`, wantAnswers: with("has_pa", "no"), wantErrs: survey.FieldErrors{errHidden("pa_contact")}},
		{name: "hidden follow-up answered with null", raw: `{"home_safe": "always", "has_pa": "no", "pa_contact": null}`, wantAnswers: with("has_pa", "no")},
		{name: "follow-up of a multi shown by any choice", raw: `{"home_safe": "always", "areas": ["money", "housing"], "housing_detail": "mould"}`,
			wantAnswers: with("areas", []string{"money", "housing"}, "housing_detail", "mould")},
		{name: "follow-up of a multi hidden", raw: `{"home_safe": "always", "areas": ["money"], "housing_detail": "mould"}`,
			wantAnswers: with("areas", []string{"money"}), wantErrs: survey.FieldErrors{errHidden("housing_detail")}},
		{name: "follow-up of a multi with too many choices", raw: `{"home_safe": "always", "areas": ["money", "health", "housing"], "housing_detail": "mould"}`,
			wantAnswers: safe, wantErrs: survey.FieldErrors{errTooMany("areas"), errHidden("housing_detail")}},
		{name: "required answered invalidly is not also missing", raw: `{"home_safe": 3}`, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},

		// Everything at once, ordered: bad keys sorted, then survey order.
		{name: "all errors in a stable order",
			raw:         `{"zz": 1, "anxiety": 11, "areas": ["pets"], "$a": 1, "pa_contact": "easy", "b.c": 2, "anything_else": 4, "aa": 1}`,
			wantAnswers: survey.Answers{},
			wantErrs: survey.FieldErrors{errKey("$a"), errUnknown("aa"), errKey("b.c"), errUnknown("zz"),
				errRequired("home_safe"), errHidden("pa_contact"), errOption("areas"), errRange("anxiety"), wrongText}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers, errs, err := survey.ParseJSONAnswers(d, []byte(tt.raw))
			if err != nil {
				t.Fatalf("ParseJSONAnswers: %v", err)
			}
			if diff := cmp.Diff(tt.wantErrs, errs); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAnswers, answers); diff != "" {
				t.Errorf("answers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseJSONAnswersNotAnObject(t *testing.T) {
	d := testDefinition(t)
	for _, raw := range []string{``, ` `, `null`, `[]`, `"x"`, `1`, `true`, `{`, `{"home_safe"}`, `{"home_safe": }`,
		`{"home_safe": "always",}`, `{"home_safe": "always"} {}`, `{}x`, `{} []`, `{'a': 1}`, `{"a": [1,]}`, `{"a": "\x"}`} {
		t.Run(raw, func(t *testing.T) {
			answers, errs, err := survey.ParseJSONAnswers(d, []byte(raw))
			if err == nil {
				t.Fatalf("ParseJSONAnswers(%q) = %v, %v, nil; want an error", raw, answers, errs)
			}
			if answers != nil || errs != nil {
				t.Errorf("ParseJSONAnswers(%q) returned %v, %v with error %v", raw, answers, errs, err)
			}
		})
	}
}

func TestParseForm(t *testing.T) {
	d := testDefinition(t)
	reserved := []string{"lang", "code"}
	tests := []struct {
		name        string
		form        url.Values
		wantAnswers survey.Answers
		wantErrs    survey.FieldErrors
	}{
		{
			name: "every question answered",
			form: url.Values{"home_safe": {"sometimes"}, "has_pa": {"yes"}, "pa_contact": {"easy"}, "areas": {"housing", "16-17"},
				"housing_detail": {"damp\r\nwalls\r\n"}, "anxiety": {"7"}, "anything_else": {" thank you "}, "lang": {"ps"}, "code": {"K7M2-QX9P"}},
			wantAnswers: survey.Answers{"home_safe": "sometimes", "has_pa": "yes", "pa_contact": "easy", "areas": []string{"housing", "16-17"},
				"housing_detail": "damp\nwalls", "anxiety": 7, "anything_else": "thank you"},
		},
		{name: "only the required answer", form: url.Values{"home_safe": {"always"}}, wantAnswers: safe},
		{name: "reserved fields ignored", form: url.Values{"home_safe": {"always"}, "lang": {"ar"}, "code": {"x", "y"}}, wantAnswers: safe},
		{name: "nameless field ignored", form: url.Values{"home_safe": {"always"}, "": {"x"}}, wantAnswers: safe},

		// Not answered.
		{name: "empty values are not answered", form: url.Values{"home_safe": {"always"}, "has_pa": {""}, "areas": {""}, "anxiety": {""}, "anything_else": {""}}, wantAnswers: safe},
		{name: "a field without values is not answered", form: url.Values{"home_safe": {"always"}, "areas": {}}, wantAnswers: safe},
		{name: "no fields", form: url.Values{}, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errRequired("home_safe")}},
		{name: "required left empty", form: url.Values{"home_safe": {""}, "lang": {"en"}}, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errRequired("home_safe")}},
		{name: "blank text is not answered", form: url.Values{"home_safe": {"always"}, "anything_else": {" \r\n "}}, wantAnswers: safe},

		// Keys.
		{name: "field starting with $", form: url.Values{"home_safe": {"always"}, "$where": {"1"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("$where")}},
		{name: "field containing a dot", form: url.Values{"home_safe": {"always"}, "a.b": {"1"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("a.b")}},
		{name: "invalid field without a value", form: url.Values{"home_safe": {"always"}, "$x": {""}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errKey("$x")}},
		{name: "unknown field", form: url.Values{"home_safe": {"always"}, "submit": {"Send"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errUnknown("submit")}},
		{name: "unknown field with invalid UTF-8", form: url.Values{"home_safe": {"always"}, "\xff": {"1"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errUnknown("\uFFFD")}},

		// Choice.
		{name: "choice not an option", form: url.Values{"home_safe": {"maybe"}}, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{errOption("home_safe")}},
		{name: "choice given twice", form: url.Values{"home_safe": {"always", "never"}}, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},
		{name: "choice given twice alike", form: url.Values{"home_safe": {"always", "always"}}, wantAnswers: survey.Answers{}, wantErrs: survey.FieldErrors{wrongChoice}},
		{name: "choice with an empty second value", form: url.Values{"home_safe": {"always", ""}}, wantAnswers: safe},

		// Multi.
		{name: "multi once", form: url.Values{"home_safe": {"always"}, "areas": {"money"}}, wantAnswers: with("areas", []string{"money"})},
		{name: "multi deduplicated", form: url.Values{"home_safe": {"always"}, "areas": {"money", "health", "money"}}, wantAnswers: with("areas", []string{"money", "health"})},
		{name: "multi not an option", form: url.Values{"home_safe": {"always"}, "areas": {"money", "pets"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errOption("areas")}},
		{name: "multi too many choices", form: url.Values{"home_safe": {"always"}, "areas": {"money", "health", "housing"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errTooMany("areas")}},

		// Scale.
		{name: "scale", form: url.Values{"home_safe": {"always"}, "anxiety": {"10"}}, wantAnswers: with("anxiety", 10)},
		{name: "scale with a leading zero", form: url.Values{"home_safe": {"always"}, "anxiety": {"07"}}, wantAnswers: with("anxiety", 7)},
		{name: "scale 7.0", form: url.Values{"home_safe": {"always"}, "anxiety": {"7.0"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale 7e0", form: url.Values{"home_safe": {"always"}, "anxiety": {"7e0"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale with a space", form: url.Values{"home_safe": {"always"}, "anxiety": {" 7"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale with a plus", form: url.Values{"home_safe": {"always"}, "anxiety": {"+7"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale as a word", form: url.Values{"home_safe": {"always"}, "anxiety": {"seven"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale as a minus sign", form: url.Values{"home_safe": {"always"}, "anxiety": {"-"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale in Arabic-Indic digits", form: url.Values{"home_safe": {"always"}, "anxiety": {"٧"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale given twice", form: url.Values{"home_safe": {"always"}, "anxiety": {"7", "8"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongScale}},
		{name: "scale above max", form: url.Values{"home_safe": {"always"}, "anxiety": {"11"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},
		{name: "scale below min", form: url.Values{"home_safe": {"always"}, "anxiety": {"-1"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},
		{name: "scale huge", form: url.Values{"home_safe": {"always"}, "anxiety": {"99999999999999999999999"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errRange("anxiety")}},

		// Text.
		{name: "text given twice", form: url.Values{"home_safe": {"always"}, "anything_else": {"a", "b"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{wrongText}},
		{name: "text with invalid UTF-8", form: url.Values{"home_safe": {"always"}, "anything_else": {"caf\xe9"}}, wantAnswers: safe, wantErrs: survey.FieldErrors{unreadable}},
		{name: "text too long", form: url.Values{"home_safe": {"always"}, "anything_else": {strings.Repeat("é", 21)}}, wantAnswers: safe, wantErrs: survey.FieldErrors{errTooLong("anything_else")}},
		{name: "text control characters removed", form: url.Values{"home_safe": {"always"}, "anything_else": {"a\x00b\x1bc"}}, wantAnswers: with("anything_else", "abc")},

		// show_if: hidden answers are dropped, not rejected.
		{name: "follow-up shown and answered", form: url.Values{"home_safe": {"always"}, "has_pa": {"yes"}, "pa_contact": {"easy"}}, wantAnswers: with("has_pa", "yes", "pa_contact", "easy")},
		{name: "follow-up shown and required", form: url.Values{"home_safe": {"always"}, "has_pa": {"yes"}, "pa_contact": {""}}, wantAnswers: with("has_pa", "yes"), wantErrs: survey.FieldErrors{errRequired("pa_contact")}},
		{name: "follow-up hidden is dropped", form: url.Values{"home_safe": {"always"}, "has_pa": {"no"}, "pa_contact": {"easy"}}, wantAnswers: with("has_pa", "no")},
		{name: "follow-up hidden by no answer is dropped", form: url.Values{"home_safe": {"always"}, "pa_contact": {"easy"}}, wantAnswers: safe},
		{name: "hidden follow-up with an invalid answer is dropped", form: url.Values{"home_safe": {"always"}, "has_pa": {"no"}, "pa_contact": {"maybe", "x"}}, wantAnswers: with("has_pa", "no")},
		{name: "follow-up hidden by an invalid answer is dropped", form: url.Values{"home_safe": {"always"}, "has_pa": {"maybe"}, "pa_contact": {"easy"}}, wantAnswers: safe,
			wantErrs: survey.FieldErrors{errOption("has_pa")}},
		{name: "follow-up of a multi shown", form: url.Values{"home_safe": {"always"}, "areas": {"money", "housing"}, "housing_detail": {"mould"}},
			wantAnswers: with("areas", []string{"money", "housing"}, "housing_detail", "mould")},
		{name: "follow-up of a multi hidden and too long is dropped", form: url.Values{"home_safe": {"always"}, "areas": {"money"}, "housing_detail": {strings.Repeat("x", 3000)}},
			wantAnswers: with("areas", []string{"money"})},

		{name: "all errors in a stable order",
			form:        url.Values{"zz": {"1"}, "anxiety": {"x"}, "areas": {"a", "b"}, "$a": {"1"}, "home_safe": {"a", "b"}, "anything_else": {strings.Repeat("x", 21)}, "lang": {"en"}},
			wantAnswers: survey.Answers{},
			wantErrs:    survey.FieldErrors{errKey("$a"), errUnknown("zz"), wrongChoice, errOption("areas"), wrongScale, errTooLong("anything_else")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers, errs := survey.ParseForm(d, tt.form, reserved...)
			if diff := cmp.Diff(tt.wantErrs, errs); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAnswers, answers); diff != "" {
				t.Errorf("answers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFormWithoutReservedFields(t *testing.T) {
	d := testDefinition(t)
	_, errs := survey.ParseForm(d, url.Values{"home_safe": {"always"}, "lang": {"en"}})
	want := survey.FieldErrors{errUnknown("lang")}
	if diff := cmp.Diff(want, errs); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
}

func TestVisible(t *testing.T) {
	d := testDefinition(t)
	all := func(hidden ...string) map[string]bool {
		m := map[string]bool{"home_safe": true, "has_pa": true, "pa_contact": true, "areas": true, "housing_detail": true, "anxiety": true, "anything_else": true}
		for _, id := range hidden {
			m[id] = false
		}
		return m
	}
	tests := []struct {
		name    string
		answers survey.Answers
		want    map[string]bool
	}{
		{name: "no answers", answers: nil, want: all("pa_contact", "housing_detail")},
		{name: "choice condition met", answers: survey.Answers{"has_pa": "yes"}, want: all("housing_detail")},
		{name: "choice condition not met", answers: survey.Answers{"has_pa": "no"}, want: all("pa_contact", "housing_detail")},
		{name: "multi condition met by one choice", answers: survey.Answers{"areas": []string{"money", "housing"}}, want: all("pa_contact")},
		{name: "multi condition not met", answers: survey.Answers{"areas": []string{"money"}}, want: all("pa_contact", "housing_detail")},
		{name: "wrong type never meets a condition", answers: survey.Answers{"has_pa": 1, "areas": "housing,money"}, want: all("pa_contact", "housing_detail")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, survey.Visible(d, tt.answers)); diff != "" {
				t.Errorf("Visible mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVisibleHiddenChain(t *testing.T) {
	d := testDefinition(t)
	// A third question that depends on the follow-up pa_contact.
	d.Sections[1].Questions[3].ShowIf = &survey.Condition{Question: "pa_contact", In: []string{"hard"}}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	// pa_contact is answered but hidden, so what depends on it is hidden.
	got := survey.Visible(d, survey.Answers{"has_pa": "no", "pa_contact": "hard"})
	if got["pa_contact"] || got["anything_else"] {
		t.Errorf("Visible = %v, want pa_contact and anything_else hidden", got)
	}
	_, errs, err := survey.ParseJSONAnswers(d, []byte(`{"home_safe": "always", "has_pa": "no", "pa_contact": "hard", "anything_else": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := survey.FieldErrors{errHidden("pa_contact"), errHidden("anything_else")}
	if diff := cmp.Diff(want, errs); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
}

func TestFieldErrorsError(t *testing.T) {
	errs := survey.FieldErrors{errKey("$a"), errRequired("home_safe")}
	var err error = errs
	want := "survey: invalid answers: $a: invalid_key; home_safe: required"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTemplateData(t *testing.T) {
	d := testDefinition(t)
	tests := []struct {
		name string
		err  survey.FieldError
		want map[string]any
	}{
		{name: "out of range", err: errRange("anxiety"), want: map[string]any{"Min": 0, "Max": 10}},
		{name: "scale wrong type", err: wrongScale, want: map[string]any{"Min": 0, "Max": 10}},
		{name: "too many choices", err: errTooMany("areas"), want: map[string]any{"Max": 2}},
		{name: "too long", err: errTooLong("anything_else"), want: map[string]any{"Max": 20}},
		{name: "too long at the default", err: errTooLong("housing_detail"), want: map[string]any{"Max": survey.DefaultMaxTextLength}},
		{name: "required", err: errRequired("home_safe")},
		{name: "unknown question", err: errUnknown("nope")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err.TemplateData(d)); diff != "" {
				t.Errorf("TemplateData mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// bsonA stands in for bson.A, the driver's named []any for arrays.
type bsonA []any

func TestCanonical(t *testing.T) {
	tests := []struct {
		name    string
		answers survey.Answers
		want    string
	}{
		{name: "empty", answers: survey.Answers{}, want: `{}`},
		{name: "keys sorted", answers: survey.Answers{"b": "x", "a": 7, "c": []string{"z", "y"}}, want: `{"a":7,"b":"x","c":["z","y"]}`},
		{name: "numbers from the store", answers: survey.Answers{"a": int32(7), "b": int64(8), "c": 9.0}, want: `{"a":7,"b":8,"c":9}`},
		{name: "lists from the store", answers: survey.Answers{"a": []any{"x", "y"}, "b": bsonA{"z"}}, want: `{"a":["x","y"],"b":["z"]}`},
		{name: "text kept exactly", answers: survey.Answers{"a": "<b> & \"é\"\n"}, want: `{"a":"\u003cb\u003e \u0026 \"é\"\n"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(tt.answers.Canonical())); diff != "" {
				t.Errorf("Canonical mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanonicalTellsAnswersApart(t *testing.T) {
	pairs := [][2]survey.Answers{
		{{"areas": []string{"money", "health"}}, {"areas": []string{"health", "money"}}},
		{{"anxiety": 7}, {"anxiety": "7"}},
		{{"anxiety": 7}, {"anxiety": 7.5}},
		{{"home_safe": "always"}, {"home_safe": []string{"always"}}},
		{{"home_safe": "always"}, {}},
	}
	for _, p := range pairs {
		if a, b := p[0].Canonical(), p[1].Canonical(); string(a) == string(b) {
			t.Errorf("Canonical(%v) = Canonical(%v) = %s", p[0], p[1], a)
		}
	}
}

func TestNormaliseStored(t *testing.T) {
	d := testDefinition(t)
	tests := []struct {
		name   string
		stored map[string]any
		want   survey.Answers
	}{
		{name: "as decoded from BSON",
			stored: map[string]any{"home_safe": "always", "areas": bsonA{"money", "health"}, "anxiety": int32(7), "anything_else": "hi"},
			want:   survey.Answers{"home_safe": "always", "areas": []string{"money", "health"}, "anxiety": 7, "anything_else": "hi"}},
		{name: "int64 scale", stored: map[string]any{"anxiety": int64(0)}, want: survey.Answers{"anxiety": 0}},
		{name: "float64 scale", stored: map[string]any{"anxiety": 10.0}, want: survey.Answers{"anxiety": 10}},
		{name: "[]any multi", stored: map[string]any{"areas": []any{"money"}}, want: survey.Answers{"areas": []string{"money"}}},
		{name: "[]string multi", stored: map[string]any{"areas": []string{"money"}}, want: survey.Answers{"areas": []string{"money"}}},
		{name: "nil and empty lists left out", stored: map[string]any{"areas": bsonA{}, "anxiety": nil}, want: survey.Answers{}},
		{name: "a fractional number is kept", stored: map[string]any{"anxiety": 7.5}, want: survey.Answers{"anxiety": 7.5}},
		{name: "a mixed list is kept", stored: map[string]any{"areas": bsonA{"money", int32(1)}}, want: survey.Answers{"areas": []any{"money", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, survey.NormaliseStored(d, tt.stored)); diff != "" {
				t.Errorf("NormaliseStored mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReplayMatchesStored is the idempotency check the server makes: the
// answers of a replayed request equal, under Canonical, those stored by the
// first request and read back.
func TestReplayMatchesStored(t *testing.T) {
	d := testDefinition(t)
	raw := []byte(`{"home_safe": "never", "areas": ["housing", "money"], "housing_detail": "mould", "anxiety": 7.0, "anything_else": " ok "}`)
	first, errs, err := survey.ParseJSONAnswers(d, raw)
	if err != nil || len(errs) > 0 {
		t.Fatalf("ParseJSONAnswers: %v, %v", errs, err)
	}
	stored := map[string]any{"home_safe": "never", "areas": bsonA{"housing", "money"}, "housing_detail": "mould", "anxiety": int32(7), "anything_else": "ok"}
	if got, want := string(survey.NormaliseStored(d, stored).Canonical()), string(first.Canonical()); got != want {
		t.Errorf("stored Canonical = %s, replay Canonical = %s", got, want)
	}
}

var knownMessages = map[string]string{
	survey.MessageInvalidKey:      survey.CodeInvalidKey,
	survey.MessageUnknownQuestion: survey.CodeUnknownQuestion,
	survey.MessageNotAnOption:     survey.CodeNotAnOption,
	survey.MessageOutOfRange:      survey.CodeOutOfRange,
	survey.MessageTooManyChoices:  survey.CodeTooManyChoices,
	survey.MessageWrongTypeChoice: survey.CodeWrongType,
	survey.MessageWrongTypeMulti:  survey.CodeWrongType,
	survey.MessageWrongTypeScale:  survey.CodeWrongType,
	survey.MessageWrongTypeText:   survey.CodeWrongType,
	survey.MessageUnreadableText:  survey.CodeWrongType,
	survey.MessageDuplicateAnswer: survey.CodeWrongType,
	survey.MessageHiddenQuestion:  survey.CodeHiddenQuestion,
	survey.MessageRequired:        survey.CodeRequired,
	survey.MessageTooLong:         survey.CodeTooLong,
}

// checkParsed checks what every parse must give: well-formed errors, one
// per field, in survey order, and answers in normal form to shown
// questions.
func checkParsed(t *testing.T, d *survey.Definition, answers survey.Answers, errs survey.FieldErrors) {
	t.Helper()
	order := map[string]int{}
	for i, q := range d.Questions() {
		order[q.ID] = i
	}
	seen := map[string]bool{}
	last := -1
	lastKey := ""
	for i, e := range errs {
		if code, ok := knownMessages[e.MessageID]; !ok || code != e.Code {
			t.Errorf("error %d %+v: unknown code or message id", i, e)
		}
		// The one empty field is an empty key in JSON, which names nothing.
		if e.Field == "" && e.Code != survey.CodeUnknownQuestion {
			t.Errorf("error %d %+v has an empty field", i, e)
		}
		if seen[e.Field] {
			t.Errorf("field %q has two errors: %v", e.Field, errs)
		}
		seen[e.Field] = true
		if n, ok := order[e.Field]; ok {
			if n <= last {
				t.Errorf("errors out of survey order: %v", errs)
			}
			last = n
		} else {
			if last >= 0 || (i > 0 && e.Field < lastKey) {
				t.Errorf("errors out of order: %v", errs)
			}
			lastKey = e.Field
		}
	}
	shown := survey.Visible(d, answers)
	for id, v := range answers {
		q, ok := d.Question(id)
		if !ok {
			t.Fatalf("answer to unknown question %q", id)
		}
		if !shown[id] {
			t.Errorf("answer to hidden question %q", id)
		}
		if seen[id] {
			t.Errorf("question %q has both an answer and an error", id)
		}
		switch v := v.(type) {
		case string:
			if q.Type != survey.TypeChoice && q.Type != survey.TypeText || v == "" {
				t.Errorf("answer %q = %q to a %s question", id, v, q.Type)
			}
		case []string:
			if q.Type != survey.TypeMulti || len(v) == 0 {
				t.Errorf("answer %q = %q to a %s question", id, v, q.Type)
			}
		case int:
			if q.Type != survey.TypeScale || v < *q.Min || v > *q.Max {
				t.Errorf("answer %q = %d to a %s question", id, v, q.Type)
			}
		default:
			t.Errorf("answer %q = %#v is not in normal form", id, v)
		}
	}
}

// checkReplay checks that answers without errors validate clean again when
// sent as JSON, unchanged, and survive a trip through a store that gives
// back generic numbers and lists.
func checkReplay(t *testing.T, d *survey.Definition, answers survey.Answers) {
	t.Helper()
	raw, err := json.Marshal(answers)
	if err != nil {
		t.Fatalf("Marshal(%v): %v", answers, err)
	}
	again, errs, err := survey.ParseJSONAnswers(d, raw)
	if err != nil || len(errs) > 0 {
		t.Fatalf("re-parsing %s: %v, %v", raw, errs, err)
	}
	if diff := cmp.Diff(answers, again); diff != "" {
		t.Errorf("re-parsed answers mismatch (-want +got):\n%s", diff)
	}
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	if got, want := string(survey.NormaliseStored(d, generic).Canonical()), string(answers.Canonical()); got != want {
		t.Errorf("stored Canonical = %s, want %s", got, want)
	}
}

func FuzzParseJSONAnswers(f *testing.F) {
	d := testDefinition(f)
	for _, seed := range []string{
		`{"home_safe": "sometimes", "has_pa": "yes", "pa_contact": "easy", "areas": ["housing", "16-17"], "housing_detail": " damp ", "anxiety": 7, "anything_else": "x"}`,
		`{"home_safe": "always", "areas": ["money", "money", ""], "anxiety": 7.0}`,
		`{"home_safe": "always", "home_safe": "never"}`,
		`{"$where": 1, "a.b": 2, "": 3, "zz": null}`,
		`{"home_safe": ["always"], "anxiety": "7", "anything_else": 5, "areas": "money"}`,
		`{"anxiety": 1e400, "has_pa": "no", "pa_contact": "easy"}`,
		`{"anxiety": -0.0e-5, "anything_else": "a\u0000b\r\n"}`,
		`{"home_safe": {}, "areas": [{}], "anxiety": true}`,
		"{\"anything_else\": \"\xff\"}",
		`null`, `[]`, `{`, `{} {}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		answers, errs, err := survey.ParseJSONAnswers(d, raw)
		if err != nil {
			if answers != nil || errs != nil {
				t.Fatalf("answers %v and errors %v with error %v", answers, errs, err)
			}
			return
		}
		checkParsed(t, d, answers, errs)
		if len(errs) == 0 {
			checkReplay(t, d, answers)
		}
	})
}

func FuzzParseForm(f *testing.F) {
	d := testDefinition(f)
	for _, seed := range []string{
		"home_safe=sometimes&has_pa=yes&pa_contact=easy&areas=housing&areas=16-17&housing_detail=+damp%0D%0A&anxiety=7&anything_else=x&lang=ps&code=K7M2",
		"home_safe=always&home_safe=never&areas=money&areas=money&areas=&anxiety=07",
		"%24where=1&a.b=2&=3&zz=",
		"home_safe=always&has_pa=no&pa_contact=easy&anxiety=7.0",
		"home_safe=always&anxiety=-99999999999999999999&anything_else=%FF",
		"home_safe=always&anything_else=%00%01+%0A",
		"lang=en&code=x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		// ParseQuery keeps what it could parse when it reports an error.
		form, _ := url.ParseQuery(query)
		answers, errs := survey.ParseForm(d, form, "lang", "code")
		checkParsed(t, d, answers, errs)
		for _, e := range errs {
			if e.Field == "" {
				t.Errorf("error %+v has an empty field", e)
			}
		}
		if len(errs) == 0 {
			checkReplay(t, d, answers)
		}
	})
}
