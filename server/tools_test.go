package main

import (
	"strings"
	"testing"

	"yousaid/server/internal/store"
	"yousaid/tools/loadgen/load"
)

// TestLoadgenDerivesTheStoresResponseIDs: the load generator's audit cannot
// import the store (tools stay out of the server's internals), so it
// derives response ids itself; they must be the store's.
func TestLoadgenDerivesTheStoresResponseIDs(t *testing.T) {
	subs := []*load.Submission{{Key: "0B6A7C3E-1111-4222-8333-944455556666"}, {Key: "k"}}
	got := load.ResponseIDs("wave1", subs)
	for i, s := range subs {
		if want := store.ResponseID("wave1", strings.ToLower(s.Key)); got[i] != want {
			t.Errorf("key %q: loadgen %s, store %s", s.Key, got[i], want)
		}
	}
}
