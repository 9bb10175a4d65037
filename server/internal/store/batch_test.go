package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// TestConcurrentInsertsKeepTheirOwnOutcome: responses inserted at once are
// written in batches, yet each caller learns its own outcome: a replayed
// id is ErrConflict for that caller alone, and every other response is
// stored exactly once.
func TestConcurrentInsertsKeepTheirOwnOutcome(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	const n, dupEvery = 300, 10
	// Every tenth id is sent twice.
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("r%03d", i))
		if i%dupEvery == 0 {
			ids = append(ids, fmt.Sprintf("r%03d", i))
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := map[string]int{}
	errs := 0
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InsertResponse(ctx, &store.Response{ID: id, Wave: "w", Survey: "s", Version: 1, Language: "en", Answers: map[string]any{"q": id}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, store.ErrConflict):
				conflicts[id]++
			case err != nil:
				errs++
				t.Errorf("%s: %v", id, err)
			}
		}()
	}
	wg.Wait()
	if errs > 0 {
		t.FailNow()
	}
	if len(conflicts) != n/dupEvery {
		t.Errorf("%d ids had a conflict, want %d", len(conflicts), n/dupEvery)
	}
	for id, k := range conflicts {
		var i int
		fmt.Sscanf(id, "r%d", &i)
		if k != 1 || i%dupEvery != 0 {
			t.Errorf("%s: %d conflicts", id, k)
		}
	}
	got, err := s.CountResponses(ctx, "w")
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Errorf("%d stored, want %d", got, n)
	}
	for _, id := range []string{"r000", "r123", "r299"} {
		r, err := s.Response(ctx, "w", id)
		if err != nil || r.Answers["q"] != id {
			t.Errorf("%s: %v %v", id, r, err)
		}
	}
}
