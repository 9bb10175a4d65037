package web

import (
	"net/url"
	"testing"

	"yousaid/survey"
)

// FuzzApplyQuestionForm feeds the question form any posted body: it must
// never panic, never keep more option rows than it was told of (plus the
// one added), and leave a choice question's other translations alone.
func FuzzApplyQuestionForm(f *testing.F) {
	f.Add("options=2&opt_was_0=yes&opt_value_0=yes&opt_label_0=Yes&opt_was_1=no&opt_remove_1=true&new_label=Not+really&text=Q%3F&required=true&show_if=a%3Ab")
	f.Add("options=-5&max_choices=lots&show_if=a%3Ab&show_if=c%3Ad")
	f.Add("options=999999999999&min=1&max=x")
	f.Add("%zz&options=1&opt_value_0=&new_value=&new_label=%E2%80%8F")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		for _, typ := range editorTypes {
			q := &survey.Question{ID: "q", Type: typ, Text: survey.Text{"en": "Q?", "ar": "س؟"},
				Options: []survey.Option{{Value: "yes", Label: survey.Text{"en": "Yes", "ar": "نعم"}}, {Value: "no", Label: survey.Text{"en": "No"}}}}
			if err := applyQuestionForm(q, form); err != nil {
				if _, ok := err.(*editorFieldError); !ok {
					t.Fatalf("%s: error %T %v, want a field error", typ, err, err)
				}
				continue
			}
			if q.Text["ar"] != "س؟" {
				t.Fatalf("%s: the Arabic text was lost: %v", typ, q.Text)
			}
			if len(q.Options) > maxEditorOptions+1 {
				t.Fatalf("%s: %d options kept", typ, len(q.Options))
			}
		}
	})
}
