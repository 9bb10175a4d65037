package survey_test

import (
	"math"
	"testing"

	"yousaid/survey"
)

// The expected values were computed by hand (z = 1.959964) in a separate
// script. API.md's example gives [0.245, 0.409] for 38/118; Wilson's
// interval is [0.244, 0.411] to three decimals, the example being
// illustrative.
func TestWilson(t *testing.T) {
	tests := []struct {
		name           string
		num, den       int64
		wantLo, wantHi float64
	}{
		{"api example", 38, 118, 0.244488, 0.410801},
		{"none", 0, 10, 0, 0.277533},
		{"all", 10, 10, 0.722467, 1},
		{"half", 5, 10, 0.236593, 0.763407},
		{"one of one", 1, 1, 0.206549, 1},
		{"larger", 81, 263, 0.255289, 0.366210},
		{"no denominator", 0, 0, 0, 1},
		{"numerator above denominator", 3, 2, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := survey.Wilson(tc.num, tc.den)
			if math.Abs(lo-tc.wantLo) > 1e-6 || math.Abs(hi-tc.wantHi) > 1e-6 {
				t.Errorf("Wilson(%d, %d) = [%f, %f], want [%f, %f]", tc.num, tc.den, lo, hi, tc.wantLo, tc.wantHi)
			}
		})
	}
}

// The cases are Newcombe's (1998, Table II), recomputed with z = 1.959964.
func TestNewcombeDiff(t *testing.T) {
	tests := []struct {
		n1, d1, n2, d2           int64
		wantDiff, wantLo, wantHi float64
	}{
		{56, 70, 48, 80, 0.2, 0.052431, 0.333873},
		{9, 10, 3, 10, 0.6, 0.170523, 0.809018},
		{6, 7, 2, 7, 0.571429, 0.058228, 0.806250},
		{5, 56, 0, 29, 0.089286, -0.038137, 0.192560},
		{38, 118, 40, 120, -0.011299, -0.128858, 0.106879},
	}
	for _, tc := range tests {
		diff, lo, hi := survey.NewcombeDiff(tc.n1, tc.d1, tc.n2, tc.d2)
		if math.Abs(diff-tc.wantDiff) > 1e-6 || math.Abs(lo-tc.wantLo) > 1e-6 || math.Abs(hi-tc.wantHi) > 1e-6 {
			t.Errorf("NewcombeDiff(%d/%d, %d/%d) = %f [%f, %f], want %f [%f, %f]",
				tc.n1, tc.d1, tc.n2, tc.d2, diff, lo, hi, tc.wantDiff, tc.wantLo, tc.wantHi)
		}
	}
	if diff, lo, hi := survey.NewcombeDiff(1, 0, 1, 2); diff != 0 || lo != -1 || hi != 1 {
		t.Errorf("NewcombeDiff with a zero denominator = %f [%f, %f], want 0 [-1, 1]", diff, lo, hi)
	}
}
