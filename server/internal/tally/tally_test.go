package tally_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/seed"
	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func seedSurvey(t *testing.T) *survey.Definition {
	t.Helper()
	files, err := seed.Surveys()
	if err != nil {
		t.Fatal(err)
	}
	def, err := survey.Load(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// insert stores n responses of wave with answers drawn by answer(i) and,
// when w is set, hands them to the writer as the web layer does.
func insert(t *testing.T, s *store.Store, w *tally.Writer, def *survey.Definition, wave string, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		a := answer(i)
		r := &store.Response{ID: store.ResponseID(wave, fmt.Sprintf("00000000-0000-4000-8000-%012d", i)), Wave: wave,
			Survey: def.ID, Version: def.Version, Language: []string{"en", "ar"}[i%2], Answers: a}
		if w != nil {
			if err := w.Prepare(ctx, wave); err != nil {
				t.Error(err)
				return
			}
		}
		if err := s.InsertResponse(ctx, r); err != nil {
			t.Error(err)
			return
		}
		if w != nil {
			w.Add(r, def, a)
		}
	}
}

func answer(i int) survey.Answers {
	a := survey.Answers{
		"age_band":          []string{"16-17", "18-20", "21-25"}[i%3],
		"home_safe":         []string{"always", "sometimes", "never"}[i%3],
		"anxious_yesterday": i % 11,
	}
	if i%4 == 0 {
		a["anything_else"] = fmt.Sprintf("call me on 07700 900%03d", i%1000)
	}
	return a
}

func wholeTally(t *testing.T, s *store.Store, wave string) map[string]int64 {
	t.Helper()
	ts, err := s.Tallies(context.Background(), wave, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 {
		t.Fatalf("%d whole-wave tallies, want 1", len(ts))
	}
	return ts[0].Counts
}

func defs(def *survey.Definition) func(string, int) (*survey.Definition, error) {
	return func(string, int) (*survey.Definition, error) { return def, nil }
}

func newWriter(t *testing.T, s *store.Store, opts tally.Options) *tally.Writer {
	t.Helper()
	if opts.Interval == 0 {
		opts.Interval = 10 * time.Millisecond
	}
	w := tally.New(s, quiet, opts)
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

func checkAnswerKeys(t *testing.T, def *survey.Definition) {
	t.Helper()
	for _, q := range []string{"age_band", "home_safe", "anxious_yesterday", "anything_else"} {
		if _, ok := def.Question(q); !ok {
			t.Fatalf("seed survey has no question %q: update answer()", q)
		}
	}
}

func TestConcurrentAddsAreCountedExactly(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	def := seedSurvey(t)
	checkAnswerKeys(t, def)
	w := newWriter(t, s, tally.Options{Mask: survey.MaskPersonalData})
	const workers, each = 20, 15
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			insert(t, s, w, def, "w1", g*each, each)
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	c := wholeTally(t, s, "w1")
	total := int64(workers * each)
	if c[survey.KeyResponses] != total {
		t.Fatalf("responses = %d, want %d", c[survey.KeyResponses], total)
	}
	if got := c[survey.KeyOption("home_safe", "never")]; got != total/3 {
		t.Errorf("home_safe=never counted %d, want %d", got, total/3)
	}
	var byLang int64
	for _, lang := range []string{"en", "ar"} {
		ts, err := s.Tallies(ctx, "w1", survey.DimLanguage)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range ts {
			if tt.Group == lang {
				byLang += tt.Counts[survey.KeyResponses]
			}
		}
	}
	if byLang != total {
		t.Errorf("language groups sum to %d, want %d", byLang, total)
	}
	texts, err := s.Texts(ctx, "w1", store.TextPending, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != int(total/4) {
		t.Fatalf("%d texts queued, want %d", len(texts), total/4)
	}
	for _, tx := range texts {
		if tx.Text == "" || containsDigits(tx.Text, "07700") {
			t.Fatalf("text not masked before moderation: %q", tx.Text)
		}
	}
	markers, err := s.WriterMarkers(ctx)
	if err != nil || len(markers) != 0 {
		t.Fatalf("a clean stop left %d markers (%v)", len(markers), err)
	}
}

func containsDigits(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(s) > 0 && (indexOf(s, sub) >= 0))
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestRecountWhileSubmissionsGoOn(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	def := seedSurvey(t)
	w := newWriter(t, s, tally.Options{})
	insert(t, s, w, def, "w1", 0, 60)
	done := make(chan struct{})
	go func() {
		defer close(done)
		insert(t, s, w, def, "w1", 60, 90)
	}()
	for range 3 {
		if _, err := w.Recount(context.Background(), "w1", defs(def)); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := wholeTally(t, s, "w1")[survey.KeyResponses]; got != 150 {
		t.Fatalf("responses = %d after recounts under load, want exactly 150", got)
	}
}

func TestDeadWriterIsRepaired(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	def := seedSurvey(t)
	ctx := context.Background()
	// A writer that flushes once, then "dies": its later counts are never
	// written and its marker stays. It never beats either: a live writer
	// whose marker was claimed puts it back (TestStalledWriterRecountsItsOwnWaves).
	dead := tally.New(s, quiet, tally.Options{Interval: time.Hour, Heartbeat: time.Hour})
	if err := dead.Start(ctx); err != nil {
		t.Fatal(err)
	}
	insert(t, s, dead, def, "w1", 0, 30)
	if err := dead.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	insert(t, s, dead, def, "w1", 30, 12)
	if got := wholeTally(t, s, "w1")[survey.KeyResponses]; got != 30 {
		t.Fatalf("before repair: %d", got)
	}

	next := newWriter(t, s, tally.Options{})
	reports, err := next.RepairStale(ctx, defs(def))
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Before != 30 || reports[0].After != 42 || !reports[0].Corrected {
		t.Fatalf("reports = %+v", reports)
	}
	if got := wholeTally(t, s, "w1")[survey.KeyResponses]; got != 42 {
		t.Fatalf("after repair: %d, want 42", got)
	}
	markers, err := s.WriterMarkers(ctx)
	if err != nil || len(markers) != 1 {
		t.Fatalf("markers after repair: %d (%v), want only the live writer's", len(markers), err)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := next.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptedTallyIsFound(t *testing.T) {
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
	w := newWriter(t, s, tally.Options{})
	insert(t, s, w, def, wave, 0, 20)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if bad, err := w.Suspect(ctx); err != nil || len(bad) != 0 {
		t.Fatalf("a sound tally is suspect: %v %v", bad, err)
	}
	_, err = s.Database().Collection("tallies").UpdateOne(ctx, bson.M{"_id": store.TallyID(wave, "", "")},
		bson.M{"$set": bson.M{"c.r": 999}})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := w.Suspect(ctx)
	if err != nil || len(bad) != 1 || bad[0] != wave {
		t.Fatalf("corrupted tally not found: %v %v", bad, err)
	}
	if _, err := w.RepairStale(ctx, defs(def)); err != nil {
		t.Fatal(err)
	}
	if got := wholeTally(t, s, wave)[survey.KeyResponses]; got != 20 {
		t.Fatalf("after repair: %d, want 20", got)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
}

// TestStopTwice: the app stops the writer in Serve and again in Close when
// the first Stop ran out of time; the second must not panic.
func TestStopTwice(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	w := newWriter(t, s, tally.Options{})
	ctx := context.Background()
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
