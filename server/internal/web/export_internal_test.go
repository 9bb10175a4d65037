package web

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestRowSpoolGivesEveryRowBackOnceInAnotherOrder: rows with commas,
// quotes and line breaks come back whole, each exactly once, and not in
// the order they were written.
func TestRowSpoolGivesEveryRowBackOnceInAnotherOrder(t *testing.T) {
	sp, err := newRowSpool()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var want [][]string
	for i := range 500 {
		row := []string{fmt.Sprint(i), "a,b", "say \"hi\"", "two\nlines", ""}
		want = append(want, row)
		if err := sp.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Seal(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := sp.WriteShuffled(&out, func(int) {}); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if slices.EqualFunc(got, want, slices.Equal) {
		t.Fatal("the rows came back in the order they were written")
	}
	key := func(a, b []string) int { return cmp.Compare(mustAtoi(t, a[0]), mustAtoi(t, b[0])) }
	slices.SortFunc(got, key)
	slices.SortFunc(want, key)
	if d := gocmp.Diff(want, got); d != "" {
		t.Fatalf("rows (-want +got):\n%s", d)
	}
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
