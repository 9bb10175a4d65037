package survey_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

func TestClampMinCell(t *testing.T) {
	for in, want := range map[int]int{-1: 5, 0: 5, 1: 3, 2: 3, 3: 3, 5: 5, 10: 10} {
		if got := survey.ClampMinCell(in); got != want {
			t.Errorf("ClampMinCell(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestSuppressOneWay(t *testing.T) {
	tests := []struct {
		name      string
		counts    []int64
		total     int64
		published bool
		additive  bool
		m         int
		want      []bool
	}{
		{"nothing small", []int64{20, 8, 7}, 35, true, true, 5, []bool{false, false, false}},
		{"small hides the next smallest", []int64{20, 3, 7}, 30, true, true, 5, []bool{false, true, true}},
		{"a zero can keep it company", []int64{20, 3, 0}, 23, true, true, 5, []bool{false, true, true}},
		{"two small keep each other company", []int64{20, 3, 4}, 27, true, true, 5, []bool{false, true, true}},
		{"all in one small option", []int64{2, 0, 0}, 2, true, true, 5, []bool{true, true, false}},
		{"minimum 3", []int64{20, 3, 7}, 30, true, true, 3, []bool{false, false, false}},
		{"minimum below 3 is 3", []int64{20, 2, 7}, 29, true, true, 1, []bool{false, true, true}},
		{"unpublished total", []int64{20, 3, 7}, 30, false, true, 5, []bool{false, true, false}},
		// A multi question: 2 of 19 chose 16-17, and the others' counts
		// leave it anywhere in [0, 19].
		{"multi", []int64{12, 12, 7, 2}, 19, true, false, 5, []bool{false, false, false, true}},
		// Two people answered and both chose only housing: alone, its
		// count would follow from "everyone chose something".
		{"multi, one choice", []int64{2, 0, 0}, 2, true, false, 5, []bool{true, true, false}},
		{"no counts", nil, 0, true, true, 5, []bool{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := survey.SuppressOneWay(tc.counts, tc.total, tc.published, tc.additive, tc.m)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("SuppressOneWay(%v) mismatch (-want +got):\n%s", tc.counts, diff)
			}
		})
	}
}

func TestSuppressVotes(t *testing.T) {
	if got := survey.SuppressVotes([]int64{3, 1, 0}, 4, 1, 5); !cmp.Equal(got, []bool{true, true, true}) {
		t.Errorf("fewer votes than the minimum: %v, want all hidden", got)
	}
	if got := survey.SuppressVotes([]int64{9, 5, 0}, 14, 1, 5); !cmp.Equal(got, []bool{false, false, false}) {
		t.Errorf("large counts: %v, want none hidden", got)
	}
	if got := survey.SuppressVotes([]int64{9, 5, 2}, 14, 3, 5); !cmp.Equal(got, []bool{false, false, true}) {
		t.Errorf("three choices each: %v, want only the small count hidden", got)
	}
}

// TestAttackerRecoversPrimaryOnly shows, on the smallest case, that the
// attacker of the property tests finds what primary suppression alone
// leaves: 3 = 30 - 20 - 7.
func TestAttackerRecoversPrimaryOnly(t *testing.T) {
	a := newAttacker()
	total := a.variable("answered", 30, true, 30)
	always := a.variable("always", 20, true, 30)
	sometimes := a.variable("sometimes", 3, false, 30)
	never := a.variable("never", 7, true, 30)
	a.sensitive[sometimes] = true
	a.sumEq(total, always, sometimes, never)
	exact, _ := a.exposures(5)
	if len(exact) != 1 || exact[0].name != "sometimes" || exact[0].lo != 3 {
		t.Errorf("exposures = %+v, want sometimes pinned at 3", exact)
	}
	// With "never" hidden too, as SuppressOneWay does, it is not pinned.
	a.known[never] = false
	if exact, _ := a.exposures(5); len(exact) != 0 {
		t.Errorf("exposures with secondary suppression = %+v, want none", exact)
	}
}
