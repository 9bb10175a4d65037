package survey_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

func TestCSVRows(t *testing.T) {
	d := testDefinition(t)
	rs := homeSafe()
	rs = append(rs, answersN(3, "fa-AF", survey.Answers{"home_safe": "always"})...)
	r := compute(t, d, rs, 5)
	r.By = breakdown(t, d, rs, survey.DimLanguage, 5)
	rows := survey.CSVRows(r)
	has := func(want []string) {
		t.Helper()
		for _, row := range rows {
			if cmp.Equal(row, want) {
				return
			}
		}
		t.Errorf("no row %q", want)
	}
	if diff := cmp.Diff(survey.CSVHeader, rows[0]); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	has([]string{"question", "home_safe", "", "33", "", "", ""})
	has([]string{"question", "home_safe", "always", "23", "", "", ""})
	has([]string{"question", "home_safe", "sometimes", "c", "", "", ""})
	has([]string{"question", "anxiety", "", "30", "4.13", "", ""})
	has([]string{"question", "anything_else", "", "0", "", "", ""})
	has([]string{"indicator", "not_safe_home", "", "10", "0.303", "0.174", "0.473"})
	has([]string{"indicator", "high_anxiety", "", "10", "0.333", "0.192", "0.512"})
	has([]string{"priority", "housing", "", "0", "z", "", ""})
	// fa-AF (3) is hidden, and the next smallest group with it.
	has([]string{"group", "language", "en", "23", "", "", ""})
	has([]string{"group", "language", "ar", "c", "", "", ""})
	has([]string{"group", "language", "fa-AF", "c", "", "", ""})
	has([]string{"group_question", "en/home_safe", "", "23", "", "", ""})
	has([]string{"group_question", "en/home_safe", "sometimes", "c", "", "", ""})
	has([]string{"group_question", "en/home_safe", "never", "0", "", "", ""})
	has([]string{"group_question", "en/anxiety", "", "23", "2.65", "", ""})
	has([]string{"group_indicator", "en/not_safe_home", "", "c", "c", "c", "c"})
	for _, row := range rows {
		if len(row) != len(survey.CSVHeader) {
			t.Errorf("row %q has %d columns", row, len(row))
		}
		if strings.HasPrefix(row[0], "group_") && !strings.HasPrefix(row[1], "en/") {
			t.Errorf("a suppressed group has figures: %q", row)
		}
	}
}
