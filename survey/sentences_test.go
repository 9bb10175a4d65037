package survey_test

import (
	"math"
	"testing"

	"yousaid/survey"
)

func TestNaturalFrequency(t *testing.T) {
	tests := []struct {
		p    float64
		n, d int
	}{
		{0.32, 1, 3},
		{0.41, 2, 5},
		{0.05, 1, 20},
		{0.5, 1, 2},
		{0.25, 1, 4},
		{0.66, 2, 3},
		{0.7, 7, 10},
		{0.9, 9, 10},
		{0.1, 1, 10},
		{0.15, 1, 7},
		{0.95, 19, 20},
		{0.2, 1, 5},
		{0.34, 1, 3},
		{0, 0, 1},
		{-0.1, 0, 1},
		{math.NaN(), 0, 1},
		{1, 1, 1},
	}
	for _, tc := range tests {
		if n, d := survey.NaturalFrequency(tc.p); n != tc.n || d != tc.d {
			t.Errorf("NaturalFrequency(%v) = %d in %d, want %d in %d", tc.p, n, d, tc.n, tc.d)
		}
	}
}

// Every answer is a fraction in lowest terms, strictly between none and
// all, and close to p.
func TestNaturalFrequencyIsClose(t *testing.T) {
	for i := 1; i < 1000; i++ {
		p := float64(i) / 1000
		n, d := survey.NaturalFrequency(p)
		if n < 1 || n >= d {
			t.Fatalf("NaturalFrequency(%v) = %d in %d", p, n, d)
		}
		for k := 2; k <= n; k++ {
			if n%k == 0 && d%k == 0 {
				t.Fatalf("NaturalFrequency(%v) = %d in %d, not in lowest terms", p, n, d)
			}
		}
		if got := float64(n) / float64(d); math.Abs(got-p) > 0.05 {
			t.Fatalf("NaturalFrequency(%v) = %d in %d (%v), too far", p, n, d, got)
		}
	}
}
