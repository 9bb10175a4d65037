package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"yousaid/server/internal/demo"
	"yousaid/server/internal/store"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

// loadWave fills a wave of the seed survey with n synthetic responses
// straight into the store, and writes its tallies as a recount would.
func loadWave(b *testing.B, h *harness, n int) *store.Wave {
	b.Helper()
	ctx := context.Background()
	def, err := h.store.Survey(ctx, "life-beyond-care", 0)
	if err != nil {
		b.Fatal(err)
	}
	// Each wave in a council of its own: no wave has a previous one to be
	// compared with, so every size does the same work.
	council := fmt.Sprintf("c%d", n)
	h.council(council)
	w := &store.Wave{Council: council, Survey: def.ID, Version: def.Version, Name: fmt.Sprint(n), Access: store.AccessOpen}
	if err := h.store.CreateWave(ctx, w); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	tallies := map[string]*store.Tally{}
	count := func(g survey.Group, keys []string) {
		id := store.TallyID(w.ID, g.Dim, g.Value)
		t := tallies[id]
		if t == nil {
			t = &store.Tally{Dim: g.Dim, Group: g.Value, Counts: map[string]int64{}}
			tallies[id] = t
		}
		for _, k := range keys {
			t.Counts[k]++
		}
	}
	batch := make([]*store.Response, 0, 1000)
	for i := range n {
		a := demo.Answers(def, rng, 0.2)
		lang := def.Languages[rng.IntN(len(def.Languages))]
		batch = append(batch, &store.Response{ID: store.ResponseID(w.ID, ""), Wave: w.ID, Survey: def.ID, Version: def.Version, Language: lang, Answers: a})
		keys := survey.Contributions(def, a)
		count(survey.Group{}, keys)
		for _, g := range survey.Groups(def, lang, a) {
			count(g, keys)
		}
		if len(batch) == cap(batch) || i == n-1 {
			if err := h.store.InsertResponses(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	var docs []store.Tally
	for _, t := range tallies {
		t.Check = tally.Check(t.Counts)
		docs = append(docs, *t)
	}
	if err := h.store.ReplaceTallies(ctx, w.ID, docs); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkResultsLatency reads a wave's results (and a breakdown) for
// waves of 1,000, 10,000 and 100,000 responses. Results read tallies only,
// so the time must not grow with the wave; the last line logs the ratio of
// the 100,000 case to the 1,000 case.
//
//	go test -run '^$' -bench ResultsLatency -benchtime 300x -v ./server/internal/web
func BenchmarkResultsLatency(b *testing.B) {
	h := newHarnessWith(b, time.Hour)
	token := h.user("platform@example.org", store.RolePlatformAdmin, "")
	sizes := []int{1000, 10000, 100000}
	waves := map[int]*store.Wave{}
	load := sizes
	if os.Getenv("YOUSAID_BENCH_REVERSE") != "" {
		// Load the largest wave first: on the embedded store a find by _id
		// scans the tallies in insertion order, so this shows what the wave's
		// size costs apart from where its tallies sit.
		load = []int{100000, 10000, 1000}
	}
	for _, n := range load {
		start := time.Now()
		waves[n] = loadWave(b, h, n)
		b.Logf("loaded %d responses in %v", n, time.Since(start).Round(time.Second))
	}
	perOp := map[string]time.Duration{}
	for _, query := range []string{"", "?by=age_band"} {
		for _, n := range sizes {
			name := fmt.Sprintf("responses=%d%s", n, query)
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					rec := h.do(request{method: "GET", path: "/api/v1/waves/" + waves[n].ID + "/results" + query, token: token})
					if rec.Code != 200 {
						b.Fatalf("results: %d %s", rec.Code, rec.Body)
					}
				}
				perOp[name] = b.Elapsed() / time.Duration(b.N)
			})
		}
		small, large := perOp[fmt.Sprintf("responses=%d%s", sizes[0], query)], perOp[fmt.Sprintf("responses=%d%s", sizes[2], query)]
		if small > 0 {
			b.Logf("results%s: 100,000 / 1,000 responses latency ratio = %.2f (%v vs %v)", query, float64(large)/float64(small), large, small)
		}
	}
}
