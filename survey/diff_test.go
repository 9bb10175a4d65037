package survey

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// loadTestSurvey reads testdata/test-survey.json afresh, so each case
// may change its copy.
func loadTestSurvey(t *testing.T) *Definition {
	t.Helper()
	data, err := os.ReadFile("testdata/test-survey.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *Definition)
		want   []Change
	}{
		{name: "no change", change: func(*Definition) {}},
		{
			name:   "a title translated and another changed",
			change: func(d *Definition) { d.Title["en"] = "Our survey"; d.Sections[0].Title["fa-AF"] = "" },
			want: []Change{
				{Kind: ChangeChanged, Subject: SubjectSurvey, Field: "title", Lang: "en", Before: "Test survey", After: "Our survey"},
				{Kind: ChangeRemoved, Subject: SubjectSection, Section: "home", Field: "title", Lang: "fa-AF", Before: "خانه"},
			},
		},
		{
			name: "a language added",
			change: func(d *Definition) {
				d.Languages = append(d.Languages, "cy")
				d.Sections[0].Questions[0].Text["cy"] = "Ydych chi'n teimlo'n ddiogel?"
			},
			want: []Change{
				{Kind: ChangeAdded, Subject: SubjectSurvey, Field: "languages", Lang: "cy"},
				{Kind: ChangeAdded, Subject: SubjectQuestion, Section: "home", Question: "home_safe", Field: "text", Lang: "cy", After: "Ydych chi'n teimlo'n ddiogel?"},
			},
		},
		{
			name: "sections swapped",
			change: func(d *Definition) {
				d.Sections[0], d.Sections[1] = d.Sections[1], d.Sections[0]
			},
			want: []Change{{Kind: ChangeChanged, Subject: SubjectSurvey, Field: "order", Before: "home, wellbeing", After: "wellbeing, home"}},
		},
		{
			name: "a question added, one removed, two swapped",
			change: func(d *Definition) {
				qs := d.Sections[1].Questions
				qs[0], qs[1] = qs[1], qs[0]
				qs = qs[:len(qs)-1] // anything_else goes
				qs = append(qs, Question{ID: "local_bus", Type: TypeText, Text: Text{"en": "How is the bus?"}})
				d.Sections[1].Questions = qs
			},
			want: []Change{
				{Kind: ChangeChanged, Subject: SubjectSection, Section: "wellbeing", Field: "order", Before: "areas, housing_detail, anxiety", After: "housing_detail, areas, anxiety"},
				{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: "wellbeing", Question: "anything_else", Before: "Anything else?"},
				{Kind: ChangeAdded, Subject: SubjectQuestion, Section: "wellbeing", Question: "local_bus", After: "How is the bus?"},
			},
		},
		{
			name: "a question moved to another section",
			change: func(d *Definition) {
				q := d.Sections[1].Questions[3]
				d.Sections[1].Questions = d.Sections[1].Questions[:3]
				d.Sections[0].Questions = append(d.Sections[0].Questions, q)
			},
			want: []Change{{Kind: ChangeChanged, Subject: SubjectQuestion, Section: "home", Question: "anything_else", Field: "section", Before: "wellbeing", After: "home"}},
		},
		{
			name: "a section removed with its questions",
			change: func(d *Definition) {
				d.Sections = d.Sections[:1]
				d.Indicators = d.Indicators[:1]
				d.Priorities = ""
			},
			want: []Change{
				{Kind: ChangeChanged, Subject: SubjectSurvey, Field: "priorities", Before: "areas"},
				{Kind: ChangeRemoved, Subject: SubjectSection, Section: "wellbeing", Before: "How you are"},
				{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: "wellbeing", Question: "areas", Before: "What should the council work on first?"},
				{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: "wellbeing", Question: "housing_detail", Before: "What would make your home better?"},
				{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: "wellbeing", Question: "anxiety", Before: "Overall, how anxious did you feel yesterday?"},
				{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: "wellbeing", Question: "anything_else", Before: "Anything else?"},
				{Kind: ChangeRemoved, Subject: SubjectIndicator, Indicator: "high_anxiety", Before: "High anxiety"},
			},
		},
		{
			name: "options, scale, required, show_if and max_choices",
			change: func(d *Definition) {
				home := &d.Sections[0].Questions[0]
				home.Required = false
				home.Options = []Option{home.Options[1], home.Options[0], {Value: "mostly", Label: Text{"en": "Mostly"}}}
				home.Options[1].Label = Text{"en": "Always", "ar": "دائماً"}
				pa := &d.Sections[0].Questions[2]
				pa.ShowIf = &Condition{Question: "has_pa", In: []string{"yes", "no"}}
				areas := &d.Sections[1].Questions[0]
				areas.MaxChoices = 3
				anxiety := &d.Sections[1].Questions[2]
				five := 5
				anxiety.Max = &five
				anxiety.MaxLabel = Text{"en": "Very"}
			},
			want: []Change{
				{Kind: ChangeChanged, Subject: SubjectQuestion, Section: "home", Question: "home_safe", Field: "required", Before: "true", After: "false"},
				{Kind: ChangeChanged, Subject: SubjectQuestion, Section: "home", Question: "home_safe", Field: "order", Before: "always, sometimes", After: "sometimes, always"},
				{Kind: ChangeRemoved, Subject: SubjectOption, Section: "home", Question: "home_safe", Option: "never", Before: "Never"},
				{Kind: ChangeChanged, Subject: SubjectOption, Section: "home", Question: "home_safe", Option: "always", Field: "label", Lang: "en", Before: "All of the time", After: "Always"},
				{Kind: ChangeRemoved, Subject: SubjectOption, Section: "home", Question: "home_safe", Option: "always", Field: "label", Lang: "fa-AF", Before: "همیشه"},
				{Kind: ChangeAdded, Subject: SubjectOption, Section: "home", Question: "home_safe", Option: "mostly", After: "Mostly"},
				{Kind: ChangeChanged, Subject: SubjectQuestion, Section: "home", Question: "pa_contact", Field: "show_if", Before: "has_pa: yes", After: "has_pa: yes, no"},
				{Kind: ChangeChanged, Subject: SubjectQuestion, Section: "wellbeing", Question: "areas", Field: "max_choices", Before: "2", After: "3"},
				{Kind: ChangeChanged, Subject: SubjectQuestion, Section: "wellbeing", Question: "anxiety", Field: "max", Before: "10", After: "5"},
				{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: "wellbeing", Question: "anxiety", Field: "max_label", Lang: "ar", Before: "قلق تماماً"},
				{Kind: ChangeChanged, Subject: SubjectQuestion, Section: "wellbeing", Question: "anxiety", Field: "max_label", Lang: "en", Before: "Completely anxious", After: "Very"},
				{Kind: ChangeRemoved, Subject: SubjectQuestion, Section: "wellbeing", Question: "anxiety", Field: "max_label", Lang: "fa-AF", Before: "کاملاً مضطرب بودم"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := loadTestSurvey(t)
			to := loadTestSurvey(t)
			tt.change(to)
			got := Diff(from, to)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiffIsSymmetric: what one direction adds, the other removes, so the
// same number of changes comes back either way.
func TestDiffIsSymmetric(t *testing.T) {
	from := loadTestSurvey(t)
	to := loadTestSurvey(t)
	to.Sections = append(to.Sections, Section{ID: "local", Title: Text{"en": "Leeds"}, Questions: []Question{{ID: "bus", Type: TypeText, Text: Text{"en": "Bus?"}}}})
	to.Sections[0].Questions[1].Text["ar"] = "تغيير"
	forward, backward := Diff(from, to), Diff(to, from)
	if len(forward) != len(backward) || len(forward) != 3 {
		raw, _ := json.Marshal([]any{forward, backward})
		t.Fatalf("forward %d, backward %d changes, want 3 each: %s", len(forward), len(backward), raw)
	}
}
