package tally_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

func vote(t *testing.T, s *store.Store, w *tally.Writer, session string, choices ...string) {
	t.Helper()
	ctx := context.Background()
	done, err := w.BeginVote(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	v := &store.Vote{ID: store.VoteID(session, ""), Session: session, Choices: choices}
	if err := s.InsertVote(ctx, v); err != nil {
		t.Fatal(err)
	}
	w.AddVote(v)
}

// TestVotesCountedAndRecounted: votes reach the session's tally with a
// flush; a recount from the stored votes agrees; a tally damaged by hand
// is put right; a writer that died with counts unwritten leaves a marker
// whose sessions the next writer recounts.
func TestVotesCountedAndRecounted(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	w := tally.New(s, quiet, tally.Options{})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vote(t, s, w, "s1", []string{"a", "b", "c"}[i%3])
		}()
	}
	wg.Wait()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionTally(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Counts[tally.KeyVotes] != 30 || got.Counts[tally.KeyChoice("a")] != 10 || tally.Check(got.Counts) != got.Check {
		t.Fatalf("tally %+v", got)
	}
	rep, err := w.RecountSession(ctx, "s1")
	if err != nil || rep.Corrected || rep.After != 30 {
		t.Errorf("recount of a good tally: %+v %v", rep, err)
	}
	// Damaged by hand: the recount puts it right.
	if err := s.IncSessionTally(ctx, "s1", map[string]int64{tally.KeyVotes: 5}, 0); err != nil {
		t.Fatal(err)
	}
	rep, err = w.RecountSession(ctx, "s1")
	if err != nil || !rep.Corrected || rep.Before != 35 || rep.After != 30 {
		t.Errorf("recount of a damaged tally: %+v %v", rep, err)
	}
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	// A writer that dies (is never stopped) with votes unflushed.
	dead := tally.New(s, quiet, tally.Options{Interval: time.Hour, Heartbeat: time.Hour}) // it never gets to flush
	if err := dead.Start(ctx); err != nil {
		t.Fatal(err)
	}
	vote(t, s, dead, "s2", "a")
	vote(t, s, dead, "s2", "b")
	next := tally.New(s, quiet, tally.Options{})
	if err := next.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = next.Stop(ctx) }()
	if _, err := next.RepairStale(ctx, func(string, int) (*survey.Definition, error) { return nil, fmt.Errorf("no waves here") }); err != nil {
		t.Fatal(err)
	}
	got, err = s.SessionTally(ctx, "s2")
	if err != nil || got.Counts[tally.KeyVotes] != 2 {
		t.Errorf("after repair: %+v %v", got, err)
	}
}

// TestCloseSessionRefusesVotes: once closed in this process a session
// admits no vote, and the close waits for the votes already admitted.
func TestCloseSessionRefusesVotes(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	w := tally.New(s, quiet, tally.Options{})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Stop(ctx) }()
	done, err := w.BeginVote(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		if err := w.CloseSession(ctx, "s1", func(context.Context) error { return nil }); err != nil {
			t.Error(err)
		}
	}()
	v := &store.Vote{ID: store.VoteID("s1", ""), Session: "s1", Choices: []string{"a"}}
	if err := s.InsertVote(ctx, v); err != nil {
		t.Fatal(err)
	}
	w.AddVote(v)
	done() // the vote in flight finishes; now the close can end
	<-closed
	if _, err := w.BeginVote(ctx, "s1"); err != tally.ErrSessionClosed {
		t.Errorf("BeginVote after close: %v, want ErrSessionClosed", err)
	}
	got, err := s.SessionTally(ctx, "s1")
	if err != nil || got.Counts[tally.KeyVotes] != 1 {
		t.Errorf("the vote admitted before the close was not counted by its final flush: %+v %v", got, err)
	}
}
