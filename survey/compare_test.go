package survey_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

func published(num, den int64) survey.IndicatorResult {
	return survey.IndicatorResult{ID: "x", Numerator: &num, Denominator: &den}
}

func TestCompare(t *testing.T) {
	suppressed := survey.IndicatorResult{ID: "x", Suppressed: true}
	tests := []struct {
		name      string
		cur, prev survey.IndicatorResult
		want      survey.Comparison
	}{
		{"significant", published(56, 70), published(48, 80), survey.Comparison{
			Diff: ptr(0.2), Lo: ptr(0.052), Hi: ptr(0.334), Significant: true}},
		{"not significant", published(38, 118), published(40, 120), survey.Comparison{
			Diff: ptr(-0.011), Lo: ptr(-0.129), Hi: ptr(0.107)}},
		{"current suppressed", suppressed, published(48, 80), survey.Comparison{Suppressed: true}},
		{"previous suppressed", published(48, 80), suppressed, survey.Comparison{Suppressed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Previous = &tc.prev
			if diff := cmp.Diff(tc.want, survey.Compare(tc.cur, tc.prev)); diff != "" {
				t.Errorf("Compare mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPool(t *testing.T) {
	var parts []survey.IndicatorCounts
	for _, r := range []survey.IndicatorResult{published(38, 118), published(12, 40), {Suppressed: true}, published(5, 30)} {
		if c, ok := r.Counts(); ok {
			parts = append(parts, c)
		}
	}
	if num, den := survey.Pool(parts); num != 55 || den != 188 {
		t.Errorf("Pool = %d/%d, want 55/188", num, den)
	}
}
