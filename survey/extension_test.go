package survey_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"yousaid/survey"
)

// localPart is a council's own part of an extension of the test survey:
// one local section with one question, in English and Arabic.
func localPart() *survey.Definition {
	return &survey.Definition{
		ID: "leeds-test", Version: 1, Council: "leeds", Extends: "test-survey",
		Languages: []string{"en", "ar"},
		Title:     survey.Text{"en": "Leeds test survey", "ar": "استبيان ليدز"},
		Sections: []survey.Section{{
			ID: "local", Title: survey.Text{"en": "Leeds", "ar": "ليدز"},
			Questions: []survey.Question{localQuestion("bus_pass")},
		}},
	}
}

func localQuestion(id string) survey.Question {
	return survey.Question{
		ID: id, Type: survey.TypeChoice, Text: survey.Text{"en": "Do you have a bus pass?"},
		Options: []survey.Option{{Value: "yes", Label: survey.Text{"en": "Yes"}}, {Value: "no", Label: survey.Text{"en": "No"}}},
	}
}

// extended is the test survey extended by localPart, as stored.
func extended(t *testing.T) (base, merged *survey.Definition) {
	t.Helper()
	base = testDefinition(t)
	merged, err := survey.Extend(base, localPart())
	if err != nil {
		t.Fatalf("Extend: %v", err)
	}
	return base, merged
}

func TestExtend(t *testing.T) {
	base, m := extended(t)
	var sections []string
	for _, s := range m.Sections {
		sections = append(sections, s.ID)
	}
	if diff := cmp.Diff([]string{"home", "wellbeing", "local"}, sections); diff != "" {
		t.Errorf("sections mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"en", "ar", "fa-AF"}, m.Languages); diff != "" {
		t.Errorf("languages mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(base.Sections, m.Sections[:2]); diff != "" {
		t.Errorf("national sections changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(base.Indicators, m.Indicators); diff != "" {
		t.Errorf("indicators mismatch (-want +got):\n%s", diff)
	}
	if m.Priorities != base.Priorities || m.Extends != base.ID || m.BaseVersion != base.Version || m.Council != "leeds" {
		t.Errorf("priorities %q, extends %s@%d, council %q", m.Priorities, m.Extends, m.BaseVersion, m.Council)
	}
	if diff := cmp.Diff(base.Intro, m.Intro); diff != "" {
		t.Errorf("an extension without an intro keeps the national one (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(base.Attribution, m.Attribution); diff != "" {
		t.Errorf("attribution mismatch (-want +got):\n%s", diff)
	}
	if err := survey.ValidateExtension(base, m); err != nil {
		t.Errorf("ValidateExtension(merged) = %v", err)
	}

	// The merged definition shares nothing with the stored base.
	m.Sections[0].Questions[0].Text["en"] = "changed"
	if base.Sections[0].Questions[0].Text["en"] == "changed" {
		t.Error("changing the merged definition changed the base")
	}

	// Local gives back what the author wrote.
	want := localPart()
	want.Extends = ""
	got := survey.Local(base, m)
	got.Languages, got.Intro, got.Drafted = want.Languages, nil, nil
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Local mismatch (-want +got):\n%s", diff)
	}

	// The stored form loads strictly, like any definition.
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := survey.Load(raw); err != nil {
		t.Errorf("Load(merged): %v", err)
	}
}

// problemPaths returns the paths of a *DefinitionError, or fails.
func problemPaths(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var de *survey.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a *DefinitionError", err)
	}
	var paths []string
	for _, p := range de.Problems {
		checkRule(t, p)
		paths = append(paths, p.Path)
	}
	return paths
}

// TestExtendProblems: a local part that breaks a rule is reported with
// paths into the local part, as its author wrote it.
func TestExtendProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(l *survey.Definition)
		want   []string
	}{
		{name: "valid", change: func(*survey.Definition) {}},
		{name: "show_if on a national question is valid", change: func(l *survey.Definition) {
			l.Sections[0].Questions[0].ShowIf = &survey.Condition{Question: "has_pa", In: []string{"yes"}}
		}},
		{name: "local indicator is valid", change: func(l *survey.Definition) {
			l.Indicators = []survey.Indicator{{ID: "no_bus_pass", Label: survey.Text{"en": "No bus pass"}, Question: "bus_pass", Counts: []string{"no"}, Better: "lower"}}
		}},
		{name: "ten local questions", change: func(l *survey.Definition) {
			for i := 2; i <= 10; i++ {
				l.Sections[0].Questions = append(l.Sections[0].Questions, localQuestion(fmt.Sprintf("q%d", i)))
			}
		}},
		{name: "eleven local questions", change: func(l *survey.Definition) {
			l.Sections = append(l.Sections, survey.Section{ID: "more", Title: survey.Text{"en": "More"}})
			for i := 2; i <= 11; i++ {
				l.Sections[1].Questions = append(l.Sections[1].Questions, localQuestion(fmt.Sprintf("q%d", i)))
			}
		}, want: []string{"sections[1].questions[9]"}},
		{name: "question id of a national question", change: func(l *survey.Definition) {
			l.Sections[0].Questions[0].ID = "home_safe"
		}, want: []string{"sections[0].questions[0].id"}},
		{name: "section id of a national section", change: func(l *survey.Definition) {
			l.Sections[0].ID = "wellbeing"
		}, want: []string{"sections[0].id"}},
		{name: "indicator id of a national indicator", change: func(l *survey.Definition) {
			l.Indicators = []survey.Indicator{{ID: "high_anxiety", Label: survey.Text{"en": "x"}, Question: "bus_pass", Counts: []string{"no"}, Better: "lower"}}
		}, want: []string{"indicators[0].id"}},
		{name: "no local section", change: func(l *survey.Definition) { l.Sections = nil }, want: []string{"sections"}},
		{name: "own priorities", change: func(l *survey.Definition) { l.Priorities = "bus_pass" }, want: []string{"priorities"}},
		{name: "own attribution", change: func(l *survey.Definition) { l.Attribution = survey.Text{"en": "x"} }, want: []string{"attribution"}},
		{name: "a loader rule in a local question", change: func(l *survey.Definition) {
			l.Sections[0].Questions[0].Options = nil
		}, want: []string{"sections[0].questions[0].options"}},
		{name: "a loader rule in the title", change: func(l *survey.Definition) { l.Title = survey.Text{"ar": "x"} }, want: []string{"title"}},
		{name: "a bad language", change: func(l *survey.Definition) { l.Languages = append(l.Languages, "prs") }, want: []string{"languages[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := testDefinition(t)
			l := localPart()
			tt.change(l)
			m, err := survey.Extend(base, l)
			if diff := cmp.Diff(tt.want, problemPaths(t, err)); diff != "" {
				t.Errorf("problem paths mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
			if (err == nil) != (m != nil) {
				t.Errorf("Extend = %v, %v: want a definition or an error", m != nil, err)
			}
		})
	}
}

// TestCheckExtension: a whole extension (as a PUT sends it) keeps every
// national section, question and indicator in place and unchanged.
func TestCheckExtension(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *survey.Definition)
		want   []string
	}{
		{name: "valid", change: func(*survey.Definition) {}},
		{name: "a local question edited", change: func(d *survey.Definition) {
			d.Sections[2].Questions[0].Text = survey.Text{"en": "Have you got a bus pass?"}
		}},
		{name: "a national question removed", change: func(d *survey.Definition) {
			qs := d.Sections[0].Questions
			d.Sections[0].Questions = append(qs[:1:1], qs[2:]...)
		}, want: []string{"sections[0].questions[1]"}},
		{name: "a national question's options changed", change: func(d *survey.Definition) {
			d.Sections[0].Questions[0].Options = d.Sections[0].Questions[0].Options[:2]
		}, want: []string{"sections[0].questions[0].options"}},
		{name: "a national question's text changed", change: func(d *survey.Definition) {
			d.Sections[1].Questions[2].Text["ar"] = "تغيير"
		}, want: []string{"sections[1].questions[2].text"}},
		{name: "a national question made required", change: func(d *survey.Definition) {
			d.Sections[1].Questions[3].Required = true
		}, want: []string{"sections[1].questions[3].required"}},
		{name: "national questions swapped", change: func(d *survey.Definition) {
			qs := d.Sections[1].Questions
			qs[2], qs[3] = qs[3], qs[2]
		}, want: []string{"sections[1].questions[3]"}},
		{name: "a local question in a national section", change: func(d *survey.Definition) {
			d.Sections[1].Questions = append(d.Sections[1].Questions, localQuestion("extra"))
		}, want: []string{"sections[1].questions[4]"}},
		{name: "a national question moved to the local section", change: func(d *survey.Definition) {
			q := d.Sections[1].Questions[3]
			d.Sections[1].Questions = d.Sections[1].Questions[:3]
			d.Sections[2].Questions = append(d.Sections[2].Questions, q)
		}, want: []string{"sections[2].questions[1]"}},
		{name: "a national section removed", change: func(d *survey.Definition) {
			d.Sections = append(d.Sections[:1:1], d.Sections[2:]...)
			d.Indicators, d.Priorities = d.Indicators[:1], ""
		}, want: []string{"sections[1].id", "sections", "indicators[1]", "priorities"}},
		{name: "a national section's title changed", change: func(d *survey.Definition) {
			d.Sections[0].Title = survey.Text{"en": "Where you live"}
		}, want: []string{"sections[0].title"}},
		{name: "a local question with a national id", change: func(d *survey.Definition) {
			d.Sections[2].Questions = append(d.Sections[2].Questions, d.Sections[0].Questions[0])
			d.Sections[2].Questions[1].Text = survey.Text{"en": "Another"}
		}, want: []string{"sections[2].questions[1].id"}},
		{name: "eleven local questions", change: func(d *survey.Definition) {
			for i := 2; i <= 11; i++ {
				d.Sections[2].Questions = append(d.Sections[2].Questions, localQuestion(fmt.Sprintf("q%d", i)))
			}
		}, want: []string{"sections[2].questions[10]"}},
		{name: "no local question", change: func(d *survey.Definition) { d.Sections = d.Sections[:2] }, want: []string{"sections"}},
		{name: "a national indicator changed", change: func(d *survey.Definition) {
			d.Indicators[0].Counts = []string{"never"}
		}, want: []string{"indicators[0].counts"}},
		{name: "a national indicator removed", change: func(d *survey.Definition) {
			d.Indicators = d.Indicators[1:]
		}, want: []string{"indicators[0]", "indicators[1]"}},
		{name: "priorities changed", change: func(d *survey.Definition) { d.Priorities = "" }, want: []string{"priorities"}},
		{name: "attribution removed", change: func(d *survey.Definition) { d.Attribution = nil }, want: []string{"attribution"}},
		{name: "a national language dropped", change: func(d *survey.Definition) {
			d.Languages = []string{"en", "ar"}
		}, want: []string{"languages", "sections[0].title"}},
		{name: "extends changed", change: func(d *survey.Definition) { d.Extends = "other-survey" }, want: []string{"extends"}},
		{name: "base_version changed", change: func(d *survey.Definition) { d.BaseVersion = 1 }, want: []string{"base_version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, m := extended(t)
			tt.change(m)
			got := problemPaths(t, survey.ValidateExtension(base, m))
			if len(tt.want) > 0 && len(got) > len(tt.want) {
				got = got[:len(tt.want)] // a dropped language also faults every text in it
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problem paths mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzExtend checks that Extend never panics on any local part, and that
// whatever it builds passes the extension rules and loads strictly.
func FuzzExtend(f *testing.F) {
	raw, err := json.Marshal(localPart())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(`{"id":"x","version":1,"council":"c","languages":["en"],"title":{"en":"X"},"sections":[{"id":"s","title":{"en":"S"},"questions":[{"id":"home_safe","type":"text","text":{"en":"Q"}}]}]}`))
	f.Add([]byte(`{"sections":[{"questions":[{"show_if":{"question":"areas","in":["housing"]}}]}],"indicators":[{"question":"anxiety","range":[1]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var local survey.Definition
		if json.Unmarshal(data, &local) != nil {
			return
		}
		base := testDefinition(t)
		m, err := survey.Extend(base, &local)
		if err != nil {
			return
		}
		if err := survey.ValidateExtension(base, m); err != nil {
			t.Fatalf("Extend built a definition that breaks a rule: %v", err)
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := survey.Load(again); err != nil {
			t.Fatalf("Load(Extend(...)): %v", err)
		}
	})
}
