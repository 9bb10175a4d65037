package survey_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

// groupSummary is a group's value, responses and whether it is suppressed.
type groupSummary struct {
	Value      string
	Responses  *int64
	Suppressed bool
	Figures    bool
}

func summarise(b *survey.Breakdown) []groupSummary {
	var out []groupSummary
	for _, g := range b.Groups {
		out = append(out, groupSummary{g.Value, g.Responses, g.Suppressed, g.Questions != nil})
	}
	return out
}

func breakdown(t *testing.T, d *survey.Definition, rs []testResponse, dim string, m int) *survey.Breakdown {
	t.Helper()
	all, groups := tallies(d, rs)
	b, err := survey.ComputeBreakdown(d, dim, all, groups[dim], m)
	if err != nil {
		t.Fatalf("ComputeBreakdown(%s): %v", dim, err)
	}
	return b
}

func TestComputeBreakdownLanguage(t *testing.T) {
	d := testDefinition(t)
	a := survey.Answers{"home_safe": "always"}
	tests := []struct {
		name  string
		sizes map[string]int
		want  []groupSummary
	}{
		{"all shown", map[string]int{"en": 25, "ar": 10}, []groupSummary{
			{"en", ptr[int64](25), false, true},
			{"ar", ptr[int64](10), false, true},
			{"fa-AF", ptr[int64](0), false, false},
		}},
		// ar is too small; the smallest other group (here the empty
		// one) hides with it, so ar's size cannot be worked out.
		{"one small", map[string]int{"en": 25, "ar": 3}, []groupSummary{
			{"en", ptr[int64](25), false, true},
			{"ar", nil, true, false},
			{"fa-AF", nil, true, false},
		}},
		{"two small", map[string]int{"en": 25, "ar": 3, "fa-AF": 1}, []groupSummary{
			{"en", ptr[int64](25), false, true},
			{"ar", nil, true, false},
			{"fa-AF", nil, true, false},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rs []testResponse
			for _, lang := range d.Languages {
				rs = append(rs, answersN(tc.sizes[lang], lang, a)...)
			}
			if diff := cmp.Diff(tc.want, summarise(breakdown(t, d, rs, survey.DimLanguage, 5))); diff != "" {
				t.Errorf("groups mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// bandedDefinition is the test survey with has_pa as a banded question.
func bandedDefinition(t *testing.T) *survey.Definition {
	d := testDefinition(t)
	q, _ := d.Question("has_pa")
	q.Banded = true
	return d
}

func TestComputeBreakdownBanded(t *testing.T) {
	d := bandedDefinition(t)
	with := func(hasPA string) survey.Answers {
		a := survey.Answers{"home_safe": "always"}
		if hasPA != "" {
			a["has_pa"] = hasPA
			if hasPA == "yes" {
				a["pa_contact"] = "easy"
			}
		}
		return a
	}
	tests := []struct {
		name          string
		yes, no, skip int
		want          []groupSummary
	}{
		{"both shown", 10, 15, 0, []groupSummary{
			{"yes", ptr[int64](10), false, true},
			{"no", ptr[int64](15), false, true},
		}},
		// As the whole wave's figures hide has_pa's options, so the
		// breakdown hides its groups.
		{"small group", 3, 20, 0, []groupSummary{{"yes", nil, true, false}, {"no", nil, true, false}}},
		// Two people skipped has_pa: their figures would be the whole
		// minus the groups, so the smallest group hides too.
		{"small remainder", 10, 15, 2, []groupSummary{
			{"yes", nil, true, false},
			{"no", ptr[int64](15), false, true},
		}},
		{"large remainder", 10, 15, 6, []groupSummary{
			{"yes", ptr[int64](10), false, true},
			{"no", ptr[int64](15), false, true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rs []testResponse
			rs = append(rs, answersN(tc.yes, "en", with("yes"))...)
			rs = append(rs, answersN(tc.no, "en", with("no"))...)
			rs = append(rs, answersN(tc.skip, "en", with(""))...)
			if diff := cmp.Diff(tc.want, summarise(breakdown(t, d, rs, "has_pa", 5))); diff != "" {
				t.Errorf("groups mismatch (-want +got):\n%s", diff)
			}
			// The whole wave's figures are Compute's, whatever the breakdown.
			overall := question(t, compute(t, d, rs, 5).Questions, "has_pa")
			if want := tc.yes >= 5 && tc.no >= 5; overall.Options[0].Suppressed == want {
				t.Errorf("has_pa overall = %+v", overall)
			}
		})
	}
}

// The banded question inside its own group is that group, whole.
func TestComputeBreakdownBandedQuestionInItsGroup(t *testing.T) {
	d := bandedDefinition(t)
	rs := answersN(10, "en", survey.Answers{"home_safe": "always", "has_pa": "no"})
	rs = append(rs, answersN(8, "en", survey.Answers{"home_safe": "never", "has_pa": "yes", "pa_contact": "hard"})...)
	b := breakdown(t, d, rs, "has_pa", 5)
	got := question(t, b.Groups[0].Questions, "has_pa")
	want := survey.QuestionResult{ID: "has_pa", Type: "choice", Answered: 8, Options: []survey.OptionResult{
		{Value: "yes", Count: ptr[int64](8)}, {Value: "no", Count: ptr[int64](0)},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("has_pa in group yes mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeBreakdownErrors(t *testing.T) {
	d := testDefinition(t)
	rs := answersN(10, "en", survey.Answers{"home_safe": "always"})
	all, groups := tallies(d, rs)
	if _, err := survey.ComputeBreakdown(d, "home_safe", all, groups[survey.DimLanguage], 5); !errors.Is(err, survey.ErrUnknownDimension) {
		t.Errorf("by a question that is not banded: err = %v, want ErrUnknownDimension", err)
	}
	torn := map[string]survey.Counts{"en": {}}
	for k, n := range groups[survey.DimLanguage]["en"] {
		torn["en"][k] = n
	}
	torn["en"][survey.KeyResponses]++ // a group counted ahead of the whole
	if _, err := survey.ComputeBreakdown(d, survey.DimLanguage, all, torn, 5); !errors.Is(err, survey.ErrInconsistentCounts) {
		t.Errorf("groups above the whole: err = %v, want ErrInconsistentCounts", err)
	}
	bd := bandedDefinition(t)
	rs = answersN(10, "en", survey.Answers{"home_safe": "always", "has_pa": "no"})
	all, groups = tallies(bd, rs)
	delete(groups["has_pa"], "no") // the group's tally not written yet
	if _, err := survey.ComputeBreakdown(bd, "has_pa", all, groups["has_pa"], 5); !errors.Is(err, survey.ErrInconsistentCounts) {
		t.Errorf("group sizes unlike the banded question's counts: err = %v, want ErrInconsistentCounts", err)
	}
}
