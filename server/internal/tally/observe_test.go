package tally_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/server/internal/tally"
)

type recount struct {
	Kind, Cause string
	Corrected   bool
}

type recorder struct {
	mu   sync.Mutex
	seen []recount
}

func (r *recorder) Recounted(kind, cause string, corrected bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, recount{kind, cause, corrected})
}

func (r *recorder) take() []recount {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.seen
	r.seen = nil
	return out
}

// TestLagCountsWhatIsUnwritten: responses and votes added but not flushed
// show in Lag with the time they may have waited; a flush clears it.
func TestLagCountsWhatIsUnwritten(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	def := seedSurvey(t)
	ctx := context.Background()
	w := tally.New(s, quiet, tally.Options{Interval: time.Hour})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.Lag(); got != (tally.Lag{}) {
		t.Fatalf("lag of an idle writer = %+v, want none", got)
	}
	insert(t, s, w, def, "w1", 0, 7)
	insert(t, s, w, def, "w2", 0, 5)
	vote(t, s, w, "s1", "housing")
	vote(t, s, w, "s1", "money")
	time.Sleep(30 * time.Millisecond)
	got := w.Lag()
	if got.Responses != 12 || got.Votes != 2 || got.Oldest < 30*time.Millisecond {
		t.Fatalf("lag = %+v, want 12 responses, 2 votes, at least 30ms old", got)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.Lag(); got != (tally.Lag{}) {
		t.Fatalf("lag after a flush = %+v, want none", got)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
}

// TestRecountsAreObservedWithTheirCause: a dead writer's waves and
// sessions, a corrupted tally and a recount asked for each reach the
// Observer with their cause.
func TestRecountsAreObservedWithTheirCause(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	def := seedSurvey(t)
	ctx := context.Background()
	if err := s.CreateWave(ctx, &store.Wave{Council: "c", Survey: def.ID, Version: 1, Name: "x", Access: store.AccessOpen}); err != nil {
		t.Fatal(err)
	}
	waves, err := s.AllWaveIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wave := waves[0]
	dead := tally.New(s, quiet, tally.Options{Interval: time.Hour, Heartbeat: time.Hour})
	if err := dead.Start(ctx); err != nil {
		t.Fatal(err)
	}
	insert(t, s, dead, def, wave, 0, 4)
	vote(t, s, dead, "s1", "housing")

	obs := &recorder{}
	next := newWriter(t, s, tally.Options{Observer: obs})
	defer func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := next.Stop(stopCtx); err != nil {
			t.Error(err)
		}
	}()
	if _, err := next.RepairStale(ctx, defs(def)); err != nil {
		t.Fatal(err)
	}
	want := []recount{{"wave", tally.CauseStaleWriter, true}, {"session", tally.CauseStaleWriter, true}}
	if diff := cmp.Diff(want, obs.take()); diff != "" {
		t.Errorf("dead writer's recounts (-want +got):\n%s", diff)
	}

	_, err = s.Database().Collection("tallies").UpdateOne(ctx, bson.M{"_id": store.TallyID(wave, "", "")},
		bson.M{"$set": bson.M{"c.r": 999}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := next.RepairStale(ctx, defs(def)); err != nil {
		t.Fatal(err)
	}
	if _, err := next.Recount(ctx, wave, defs(def)); err != nil {
		t.Fatal(err)
	}
	want = []recount{{"wave", tally.CauseCheckFailed, true}, {"wave", tally.CauseRequested, false}}
	if diff := cmp.Diff(want, obs.take()); diff != "" {
		t.Errorf("later recounts (-want +got):\n%s", diff)
	}
}

// TestLagGrowsWhileFlushesFail: a flush that fails is not clean, even
// when its failed update was handed to a recount and nothing is held: the
// age grows until a flush succeeds.
func TestLagGrowsWhileFlushesFail(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	def := seedSurvey(t)
	ctx := context.Background()
	w := tally.New(s, quiet, tally.Options{Interval: time.Hour})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var handed []string
	w.OnUncertain(func(wave string) { handed = append(handed, wave) })
	insert(t, s, w, def, "w1", 0, 3)
	time.Sleep(20 * time.Millisecond)
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := w.Flush(gone); err == nil {
		t.Fatal("a flush with a cancelled context succeeded")
	}
	got := w.Lag()
	if len(handed) == 0 || got.Responses != 0 || got.Oldest < 20*time.Millisecond {
		t.Fatalf("after a failed flush: handed %v, lag %+v; want the wave handed on, nothing held, at least 20ms", handed, got)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.Lag(); got != (tally.Lag{}) {
		t.Fatalf("lag after a clean flush = %+v, want none", got)
	}
	stopCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := w.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
}
