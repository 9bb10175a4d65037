package main

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"yousaid/server/internal/store"
	"yousaid/tools/loadgen/load"
)

// BenchmarkStartupWithResponses times the built server from its start to
// /readyz answering 200 on an embedded store that already holds
// YOUSAID_BENCH_RESPONSES responses (default 100,000) in one wave, loaded
// straight into the store for the setup. "clean" starts after a clean
// stop; "after-kill" after SIGKILL, when the killed writer's wave is
// recounted in the background (readiness does not wait for it; how long
// the recount took is reported too).
//
//	go test -run '^$' -bench StartupWithResponses -benchtime 3x -timeout 60m ./server
func BenchmarkStartupWithResponses(b *testing.B) {
	n := 100_000
	if v := os.Getenv("YOUSAID_BENCH_RESPONSES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	dataDir, err := os.MkdirTemp("", "ysb")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dataDir)
	setup := time.Now()
	seedResponses(b, dataDir, n)
	b.Logf("setup: %d responses loaded and counted in %s", n, time.Since(setup).Round(time.Second))
	bin := buildServer(b)

	b.Run("clean", func(b *testing.B) {
		var total time.Duration
		for range b.N {
			addr := freeLoopbackAddr(b)
			c := startChild(b, bin, addr, dataDir)
			waitReady(b, "http://"+addr, 5*time.Minute)
			total += time.Since(c.started)
			c.stop(b)
		}
		b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-ready")
	})
	b.Run("after-kill", func(b *testing.B) {
		var total, recount time.Duration
		for range b.N {
			addr := freeLoopbackAddr(b)
			first := startChild(b, bin, addr, dataDir)
			waitReady(b, "http://"+addr, 5*time.Minute)
			// A submission makes the first process mark the wave as one
			// it writes; killed, it leaves the marker behind.
			submitOne(b, "http://"+addr)
			first.kill()
			c := startChild(b, bin, addr, dataDir)
			waitReady(b, "http://"+addr, 5*time.Minute)
			total += time.Since(c.started)
			recount += c.waitLog(b, "tally recounted after an unclean stop", 20*time.Minute).Sub(c.started)
			c.stop(b)
		}
		b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-ready")
		b.ReportMetric(recount.Seconds()/float64(b.N), "s-to-recounted")
	})
}

var benchWave string

// seedResponses creates a wave with n random responses to the seed
// survey, written straight into the store 1,000 at a time, counts them,
// and stops cleanly.
func seedResponses(b *testing.B, dataDir string, n int) {
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-data", dataDir, "-admin-email", testAdminEmail, "-admin-password", testAdminPassword},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	app, err := NewApp(ctx, cfg, newLogger(io.Discard, "error"))
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	if err := app.Store.CreateCouncil(ctx, &store.Council{Slug: "bench", Name: "Bench Council", Languages: []string{"en"}, MinCell: 5}); err != nil {
		b.Fatal(err)
	}
	w := &store.Wave{Council: "bench", Survey: "life-beyond-care", Version: 1, Name: "Bench", Access: store.AccessOpen}
	if err := app.Store.CreateWave(ctx, w); err != nil {
		b.Fatal(err)
	}
	benchWave = w.ID
	def, err := app.Store.Survey(ctx, "life-beyond-care", 1)
	if err != nil {
		b.Fatal(err)
	}
	answers := load.RandomAnswers(def)
	rnd := rand.New(rand.NewPCG(1, 2))
	week := store.ISOWeek(time.Now())
	for done := 0; done < n; {
		batch := make([]*store.Response, 0, 1000)
		for i := 0; i < 1000 && done+i < n; i++ {
			batch = append(batch, &store.Response{
				ID: store.ResponseID(w.ID, ""), Wave: w.ID, Survey: def.ID, Version: def.Version,
				Language: "en", Answers: answers(rnd), Week: week,
			})
		}
		if err := app.Store.InsertResponses(ctx, batch); err != nil {
			b.Fatal(err)
		}
		done += len(batch)
	}
	if _, err := app.tally.Recount(ctx, w.ID, app.web.Definition); err != nil {
		b.Fatal(err)
	}
}

// submitOne sends one response to the bench wave.
func submitOne(b *testing.B, base string) {
	def, err := load.FetchDefinition(context.Background(), http.DefaultClient, base, "life-beyond-care")
	if err != nil {
		b.Fatal(err)
	}
	answers := load.RandomAnswers(def)(rand.New(rand.NewPCG(3, 4)))
	code := apiJSON(b, "POST", base+"/api/v1/waves/"+benchWave+"/responses", "", map[string]any{"language": "en", "answers": answers}, nil)
	if code != 201 {
		b.Fatalf("submission: %d", code)
	}
}
