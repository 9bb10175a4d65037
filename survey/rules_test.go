package survey

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// verbPattern finds the fmt verbs a rule's English sentence uses.
var verbPattern = regexp.MustCompile(`%[a-z]`)

// TestRuleTexts: each rule's parameter names match its sentence's verbs,
// in number and kind, so that a caller translating Params says what the
// English Message says.
func TestRuleTexts(t *testing.T) {
	for _, r := range Rules() {
		t.Run(string(r), func(t *testing.T) {
			text := ruleTexts[r]
			verbs := verbPattern.FindAllString(text.format, -1)
			if len(verbs) != len(text.params) {
				t.Fatalf("%q has %d verbs for params %v", text.format, len(verbs), text.params)
			}
			seen := map[string]bool{}
			args := make([]any, len(verbs))
			for i, verb := range verbs {
				name := text.params[i]
				if seen[name] || name == "" || strings.ToUpper(name[:1]) != name[:1] {
					t.Errorf("param %q is repeated or not a capitalised name (a template's {{.%s}})", name, name)
				}
				seen[name] = true
				switch verb {
				case "%q", "%s":
					args[i] = "x"
				case "%d":
					args[i] = 1
				default:
					t.Fatalf("verb %s in %q: use %%q, %%s or %%d", verb, text.format)
				}
			}
			p := NewProblem("p", r, args...)
			if p.Message == "" || strings.Contains(p.Message, "%!") {
				t.Errorf("NewProblem(%v) message %q", args, p.Message)
			}
			if len(p.Params) != len(verbs) {
				t.Errorf("params %v, want %d", p.Params, len(verbs))
			}
		})
	}
}

func TestNewProblemWrongArgs(t *testing.T) {
	// A mistaken call gives no sentence rather than a garbled one, which
	// the rule tests notice as an empty Message.
	for _, p := range []Problem{
		NewProblem("sections", RuleOptionsMissing),
		NewProblem("sections", RuleSectionsMissing, "extra"),
		NewProblem("sections", Rule("no_such_rule")),
	} {
		if p.Message != "" {
			t.Errorf("%s: message %q, want none", p.Rule, p.Message)
		}
	}
	p := NewProblem("sections[0].questions[1].options", RuleOptionsMissing, "multi")
	want := Problem{Path: "sections[0].questions[1].options", Rule: RuleOptionsMissing,
		Params: map[string]any{"Type": "multi"}, Message: "a multi question needs options."}
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("NewProblem = %+v, want %+v", p, want)
	}
}
