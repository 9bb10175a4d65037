package web

// Tests of ruleMessages against every rule survey reports.

import (
	"fmt"
	"strings"
	"testing"

	"yousaid/locales"
	"yousaid/server/internal/locale"
	"yousaid/survey"
)

// ruleExample is a problem of rule r with a distinct value for each of its
// params: a string, or a number where the rule's sentence prints one (fmt
// marks a string given to %d, and that param is made a number).
func ruleExample(t *testing.T, r survey.Rule) survey.Problem {
	t.Helper()
	params := r.Params()
	args := make([]any, len(params))
	for i := range params {
		args[i] = fmt.Sprintf("v%d_%s", i, strings.ToLower(params[i]))
	}
	p := survey.NewProblem("sections[0]", r, args...)
	for i := range args {
		if strings.Contains(p.Message, fmt.Sprintf("(string=%s)", args[i])) {
			args[i] = 70 + i
		}
	}
	p = survey.NewProblem("sections[0]", r, args...)
	if p.Message == "" || strings.Contains(p.Message, "%!") {
		t.Fatalf("rule %s: no English sentence for %v: %q", r, args, p.Message)
	}
	return p
}

// TestEveryRuleHasAMessage walks every rule survey reports: each has a
// message whose English is the rule's English word for word, and which
// every language translates with every parameter filled in. A rule added
// to survey without its message fails here rather than ship English-only.
func TestEveryRuleHasAMessage(t *testing.T) {
	b, err := locale.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	rules := survey.Rules()
	if len(rules) < 60 {
		t.Fatalf("survey.Rules() lists %d rules: has the list stopped covering them?", len(rules))
	}
	for _, r := range rules {
		t.Run(string(r), func(t *testing.T) {
			id, ok := ruleMessages[r]
			if !ok {
				t.Fatalf("rule %s has no message in ruleMessages (add it there and to every locales/active.*.toml)", r)
			}
			p := ruleExample(t, r)
			english := b.Localizer("en").T(id, p.Params)
			if english != p.Message {
				t.Errorf("en: %s says %q, the rule says %q", id, english, p.Message)
			}
			for _, lang := range locale.Supported() {
				l := b.Localizer(lang.Tag)
				got := l.T(id, p.Params)
				if l.Fallbacks() > 0 || len(l.Missing()) > 0 || strings.Contains(got, "<no value>") {
					t.Errorf("%s: %s is not translated: %q", lang.Tag, id, got)
				}
				for name, v := range p.Params {
					if !strings.Contains(got, fmt.Sprint(v)) {
						t.Errorf("%s: %q lacks {{.%s}}", lang.Tag, got, name)
					}
				}
			}
		})
	}
}
