package store_test

import (
	"testing"
	"time"

	"yousaid/server/internal/store"
)

func TestRetentionDates(t *testing.T) {
	at := func(s string) *time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	now := *at("2027-06-15")
	tests := []struct {
		name      string
		wave      store.Wave
		months    int
		closed    bool
		wantClose string
		wantDue   string
	}{
		{"open, no closing time", store.Wave{}, 24, false, "", ""},
		{"closing time still ahead", store.Wave{ClosesAt: at("2027-07-01")}, 24, false, "", ""},
		{"closing time passed", store.Wave{ClosesAt: at("2027-01-31")}, 3, true, "2027-01-31", "2027-05-01"},
		{"closed by hand", store.Wave{ClosedAt: at("2026-05-10")}, 24, true, "2026-05-10", "2028-05-10"},
		{"closed by hand before its closing time", store.Wave{ClosedAt: at("2027-02-01"), ClosesAt: at("2027-07-01")}, 3, true, "2027-02-01", "2027-05-01"},
		{"closing time passed before the hand close", store.Wave{ClosedAt: at("2027-03-01"), ClosesAt: at("2027-02-01")}, 3, true, "2027-02-01", "2027-05-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, closed := store.WaveClosedAt(&tt.wave, now)
			if closed != tt.closed {
				t.Fatalf("closed = %v, want %v", closed, tt.closed)
			}
			if !closed {
				return
			}
			if got.Format(time.DateOnly) != tt.wantClose {
				t.Errorf("closed at %s, want %s", got.Format(time.DateOnly), tt.wantClose)
			}
			// AddDate normalises: 31 January + 3 months is 1 May, not 30 April.
			if due := store.RetentionDue(got, tt.months).Format(time.DateOnly); due != tt.wantDue {
				t.Errorf("due %s, want %s", due, tt.wantDue)
			}
		})
	}
}

func TestCouncilRetentionPeriod(t *testing.T) {
	if got := (&store.Council{}).RetentionPeriod(); got != store.DefaultRetentionMonths {
		t.Errorf("unset: %d, want the default %d", got, store.DefaultRetentionMonths)
	}
	if got := (&store.Council{RetentionMonths: 6}).RetentionPeriod(); got != 6 {
		t.Errorf("set to 6: %d", got)
	}
}
