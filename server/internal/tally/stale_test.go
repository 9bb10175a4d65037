package tally_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

// fakeClock is the clock of the store (which stamps markers' seen) and of
// the writers (which judge their age): tests move it instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// multiServer is a store shared as MongoDB is by several servers: markers
// are stale after 90 s. Nothing flushes or beats on its own: each step is
// explicit.
func multiServer(t *testing.T) (*store.Store, *fakeClock, tally.Options) {
	clk := &fakeClock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	s := storetest.Open(t, store.Options{Now: clk.Now})
	return s, clk, tally.Options{
		Interval: time.Hour, Heartbeat: time.Hour, StaleCheck: time.Hour,
		StaleAfter: 90 * time.Second, Now: clk.Now,
	}
}

func startWriter(t *testing.T, s *store.Store, opts tally.Options) *tally.Writer {
	t.Helper()
	w := tally.New(s, quiet, opts)
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

func stopWriter(t *testing.T, w *tally.Writer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Stop(ctx); err != nil {
		t.Error(err)
	}
}

// wantWhole is the whole-wave tally that responses from..from+n-1 (as
// insert stores them) must add up to.
func wantWhole(def *survey.Definition, from, n int) map[string]int64 {
	want := map[string]int64{}
	for i := from; i < from+n; i++ {
		for _, k := range survey.Contributions(def, answer(i)) {
			want[k]++
		}
	}
	return want
}

func markerIDs(t *testing.T, s *store.Store) []string {
	t.Helper()
	ms, err := s.WriterMarkers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestRunningWriterRepairsDeadWriter: a server dies with counts unwritten
// while others run; a running writer's periodic check leaves its marker
// alone while it is fresh, then, once stale, recounts exactly its waves
// and session and removes it, and never touches a live writer's marker.
func TestRunningWriterRepairsDeadWriter(t *testing.T) {
	s, clk, opts := multiServer(t)
	def := seedSurvey(t)
	ctx := context.Background()

	dead := startWriter(t, s, opts)
	insert(t, s, dead, def, "w1", 0, 30)
	if err := dead.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	insert(t, s, dead, def, "w1", 30, 12) // never flushed: the process "dies"
	insert(t, s, dead, def, "w2", 0, 5)
	vote(t, s, dead, "s1", "housing")
	deadMarker := markerIDs(t, s)

	obs := &recorder{}
	checkerOpts := opts
	checkerOpts.Observer = obs
	checker := startWriter(t, s, checkerOpts)
	defer stopWriter(t, checker)

	// 60 s without a heartbeat: it may be alive, so it is not touched.
	clk.Add(60 * time.Second)
	reports, err := checker.CheckStale(ctx, defs(def))
	if err != nil || len(reports) != 0 {
		t.Fatalf("check of a 60 s old marker: %+v %v, want nothing done", reports, err)
	}
	if got := wholeTally(t, s, "w1")[survey.KeyResponses]; got != 30 {
		t.Fatalf("w1 counted %d before the marker is stale, want the 30 flushed", got)
	}

	// A live writer with counts of its own held: its marker is fresh.
	clk.Add(60 * time.Second)
	live := startWriter(t, s, opts)
	insert(t, s, live, def, "w3", 0, 7)

	reports, err = checker.CheckStale(ctx, defs(def))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, r := range reports {
		got[r.Wave] = [2]int64{r.Before, r.After}
	}
	if diff := cmp.Diff(map[string][2]int64{"w1": {30, 42}, "w2": {0, 5}}, got); diff != "" {
		t.Errorf("waves recounted, [before after] (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 42), wholeTally(t, s, "w1")); diff != "" {
		t.Errorf("w1 after repair does not match its stored responses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 5), wholeTally(t, s, "w2")); diff != "" {
		t.Errorf("w2 after repair does not match its stored responses (-want +got):\n%s", diff)
	}
	if st, err := s.SessionTally(ctx, "s1"); err != nil || st.Counts[tally.KeyVotes] != 1 {
		t.Errorf("session s1 after repair: %+v %v, want its 1 vote", st, err)
	}
	want := []recount{
		{"wave", tally.CauseStaleWriter, true}, {"wave", tally.CauseStaleWriter, true},
		{"session", tally.CauseStaleWriter, true},
	}
	if diff := cmp.Diff(want, obs.take()); diff != "" {
		t.Errorf("recounts observed (-want +got):\n%s", diff)
	}
	if slices.Contains(markerIDs(t, s), deadMarker[0]) {
		t.Errorf("the dead writer's marker is still there")
	}

	// The live writer was not interrupted: its marker stays, w3 was not
	// recounted (no tally yet), and its own flush counts w3 exactly.
	if ts, err := s.Tallies(ctx, "w3", ""); err != nil || len(ts) != 0 {
		t.Fatalf("w3 has tallies %+v (%v) before its writer flushed: a live writer's wave was recounted", ts, err)
	}
	if err := live.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 7), wholeTally(t, s, "w3")); diff != "" {
		t.Errorf("w3 after its writer's flush (-want +got):\n%s", diff)
	}
	if len(markerIDs(t, s)) != 2 {
		t.Errorf("markers %v, want the checker's and the live writer's", markerIDs(t, s))
	}
	stopWriter(t, live)
}

// TestTwoWritersRepairADeadWriterOnce: two running writers check at the
// same moment. The claim (a conditional delete whose deleted count is
// exact on both stores) lets exactly one of them recount; the counts are
// exact.
func TestTwoWritersRepairADeadWriterOnce(t *testing.T) {
	s, clk, opts := multiServer(t)
	def := seedSurvey(t)
	ctx := context.Background()
	dead := startWriter(t, s, opts)
	insert(t, s, dead, def, "w1", 0, 15)

	// a and b start (stamping their markers) after the dead writer's
	// last sign of life: theirs are fresh, and only its marker is stale.
	clk.Add(2 * time.Minute)
	obs := &recorder{}
	opts.Observer = obs
	a, b := startWriter(t, s, opts), startWriter(t, s, opts)
	defer stopWriter(t, a)
	defer stopWriter(t, b)

	var wg sync.WaitGroup
	ready := make(chan struct{})
	for _, w := range []*tally.Writer{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			if _, err := w.CheckStale(ctx, defs(def)); err != nil {
				t.Error(err)
			}
		}()
	}
	close(ready)
	wg.Wait()

	want := []recount{{"wave", tally.CauseStaleWriter, true}}
	if diff := cmp.Diff(want, obs.take()); diff != "" {
		t.Errorf("recounts by both writers together (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 15), wholeTally(t, s, "w1")); diff != "" {
		t.Errorf("w1 after repair (-want +got):\n%s", diff)
	}
	if got := len(markerIDs(t, s)); got != 2 {
		t.Errorf("%d markers, want the two running writers' only", got)
	}
}

// TestClaimedRepairSurvivesFailure: a writer that claims a dead marker
// and then cannot recount keeps the waves in its own marker, so that its
// Stop leaves them for the next start, which recounts them.
func TestClaimedRepairSurvivesFailure(t *testing.T) {
	s, clk, opts := multiServer(t)
	def := seedSurvey(t)
	ctx := context.Background()
	dead := startWriter(t, s, opts)
	insert(t, s, dead, def, "w1", 0, 9)

	unlucky := startWriter(t, s, opts)
	clk.Add(2 * time.Minute)
	broken := func(string, int) (*survey.Definition, error) { return nil, errors.New("definitions unavailable") }
	if _, err := unlucky.CheckStale(ctx, broken); err == nil {
		t.Fatal("a check whose recount failed reported no error")
	}
	if err := unlucky.Stop(ctx); err == nil {
		t.Error("Stop with a repair owed reported a clean stop")
	}
	if got := len(markerIDs(t, s)); got != 1 {
		t.Fatalf("%d markers, want the unlucky writer's, which adopted w1", got)
	}

	clk.Add(2 * time.Minute)
	next := startWriter(t, s, opts)
	defer stopWriter(t, next)
	if _, err := next.RepairStale(ctx, defs(def)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 9), wholeTally(t, s, "w1")); diff != "" {
		t.Errorf("w1 after the next start's repair (-want +got):\n%s", diff)
	}
}

// TestWatchStaleRepairsOnItsOwn: the background check runs without being
// called (every few milliseconds here) and Stop waits for it.
func TestWatchStaleRepairsOnItsOwn(t *testing.T) {
	s, clk, opts := multiServer(t)
	def := seedSurvey(t)
	dead := startWriter(t, s, opts)
	insert(t, s, dead, def, "w1", 0, 6)
	clk.Add(2 * time.Minute)

	opts.StaleCheck = 5 * time.Millisecond
	obs := &recorder{}
	opts.Observer = obs
	w := startWriter(t, s, opts)
	w.WatchStale(defs(def))
	// Waits for the outcome, not for a time: the deadline only ends a
	// run in which the check never happens. The Observer hears of the
	// recount once it is written.
	var got []recount
	for deadline := time.Now().Add(time.Minute); len(got) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the dead writer's waves were never recounted")
		}
		time.Sleep(10 * time.Millisecond)
		got = obs.take()
	}
	stopWriter(t, w)
	if diff := cmp.Diff([]recount{{"wave", tally.CauseStaleWriter, true}}, got); diff != "" {
		t.Errorf("recounts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 6), wholeTally(t, s, "w1")); diff != "" {
		t.Errorf("w1 after the background repair (-want +got):\n%s", diff)
	}
	if got := markerIDs(t, s); len(got) != 0 {
		t.Errorf("markers %v left, want none: the dead writer's claimed, the stopped writer's removed", got)
	}
}

// TestStalledWriterRecountsItsOwnWaves: a writer that went StaleAfter
// without a heartbeat (paused, or cut off from the store) is taken for
// dead and its waves recounted while it still holds counts; when it
// resumes, its flush counts those responses a second time. At its next
// marker update it finds its marker gone, puts it back and recounts its
// waves at its next check, which makes them exact again.
func TestStalledWriterRecountsItsOwnWaves(t *testing.T) {
	s, clk, opts := multiServer(t)
	def := seedSurvey(t)
	ctx := context.Background()
	stalled := startWriter(t, s, opts)
	insert(t, s, stalled, def, "w1", 0, 10)

	clk.Add(2 * time.Minute)
	checker := startWriter(t, s, opts)
	defer stopWriter(t, checker)
	if _, err := checker.CheckStale(ctx, defs(def)); err != nil {
		t.Fatal(err)
	}
	if got := len(markerIDs(t, s)); got != 1 {
		t.Fatalf("%d markers, want the checker's only: the stalled writer's was claimed", got)
	}

	if err := stalled.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := wholeTally(t, s, "w1")[survey.KeyResponses]; got != 20 {
		t.Fatalf("w1 counted %d after the stalled writer's flush; this test expects the 10 counted twice", got)
	}
	// Its next marker update (here a new wave's Prepare; the heartbeat
	// likewise) finds the marker gone.
	insert(t, s, stalled, def, "w2", 0, 3)
	if got := len(markerIDs(t, s)); got != 2 {
		t.Fatalf("%d markers, want the stalled writer's put back beside the checker's", got)
	}
	reports, err := stalled.CheckStale(ctx, defs(def))
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Wave != "w1" || reports[0].Before != 20 || reports[0].After != 10 {
		t.Errorf("the stalled writer's own recount: %+v, want w1 from 20 to 10", reports)
	}
	if err := stalled.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 10), wholeTally(t, s, "w1")); diff != "" {
		t.Errorf("w1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantWhole(def, 0, 3), wholeTally(t, s, "w2")); diff != "" {
		t.Errorf("w2 (-want +got):\n%s", diff)
	}
	stopWriter(t, stalled)
}
