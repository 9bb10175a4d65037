package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"yousaid/server/internal/demo"
	"yousaid/server/internal/store"
	"yousaid/survey"
	"yousaid/tools/loadgen/load"
)

// BenchmarkVolume measures what staff do with a wave as it grows, on the
// embedded store, for waves of 1,000, 10,000 and 100,000 responses side
// by side in one data folder (each wave in a council of its own; a fifth
// of the responses carry a free-text answer waiting for moderation, and the
// wave has half as many access codes as responses):
//
//   - queue: the moderation queue's first page (GET .../texts, 200 texts);
//   - codes: making 20 codes (POST .../codes, the codes page's work);
//   - code-submit: a submission that spends one of the wave's codes;
//   - results-by: GET .../results?by=age_band, computed afresh each time;
//   - export: GET .../export.csv of the whole wave, with rows/s and the
//     process's peak RSS during the export (embedded store included);
//   - recount: the recount a crash leads to, with responses/s.
//
// It logs a table with each figure as a ratio to the 1,000 case. The
// data folder is kept between runs (building the 100,000 wave takes a few
// minutes): YOUSAID_BENCH_DATA names it (default: the user cache folder);
// YOUSAID_BENCH_SIZES changes the sizes. It runs only with -bench:
//
//	go test -run '^$' -bench Volume -benchtime 1x -timeout 60m ./server
func BenchmarkVolume(b *testing.B) {
	sizes := []int{1000, 10000, 100000}
	if v := os.Getenv("YOUSAID_BENCH_SIZES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatal(err)
			}
			sizes = append(sizes, n)
		}
	}
	dataDir := os.Getenv("YOUSAID_BENCH_DATA")
	if dataDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			b.Fatal(err)
		}
		dataDir = filepath.Join(cache, "yousaid-bench-volume")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"WAVE_RATE": "0", "CLIENT_RATE": "0"}
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-data", dataDir,
		"-admin-email", testAdminEmail, "-admin-password", testAdminPassword},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, cfg, newLogger(io.Discard, "error"))
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + app.Addr()
	waitReady(b, base, time.Minute)
	var tok struct {
		Token string `json:"token"`
	}
	if code := apiJSON(b, "POST", base+"/api/v1/auth/tokens", "", map[string]string{"email": testAdminEmail, "password": testAdminPassword}, &tok); code != 201 {
		b.Fatalf("sign-in: %d", code)
	}

	waves := map[int]string{}
	for _, n := range sizes {
		start := time.Now()
		fresh := false
		waves[n], fresh = volumeWave(b, app, dataDir, n)
		if fresh {
			b.Logf("built the %d-response wave in %v", n, time.Since(start).Round(time.Second))
		}
	}

	type figures struct {
		queue, codes, codeSubmit, resultsBy, export, recount time.Duration
		exportRSS, baseRSS                                   int64
	}
	got := map[int]*figures{}
	for b.Loop() {
		for _, n := range sizes {
			f := &figures{}
			got[n] = f
			w := waves[n]
			f.queue = median(b, 20, func() {
				var out struct {
					Texts []json.RawMessage `json:"texts"`
				}
				if code := apiJSON(b, "GET", base+"/api/v1/waves/"+w+"/texts?status=pending", tok.Token, nil, &out); code != 200 || len(out.Texts) != min(200, n/5) {
					b.Fatalf("queue: %d, %d texts", code, len(out.Texts))
				}
			})
			f.codes = median(b, 10, func() {
				if code := apiJSON(b, "POST", base+"/api/v1/waves/"+w+"/codes", tok.Token, map[string]int{"count": 20}, nil); code != 201 {
					b.Fatalf("codes: %d", code)
				}
			})
			spare, err := app.Store.CreateCodes(ctx, w, 10)
			if err != nil {
				b.Fatal(err)
			}
			def, err := app.Store.Survey(ctx, "life-beyond-care", 0)
			if err != nil {
				b.Fatal(err)
			}
			answers, rnd := load.RandomAnswers(def), rand.New(rand.NewPCG(1, 2))
			f.codeSubmit = median(b, len(spare), func() {
				body := map[string]any{"language": "en", "code": spare[0], "answers": answers(rnd)}
				spare = spare[1:]
				if code := apiJSON(b, "POST", base+"/api/v1/waves/"+w+"/responses", "", body, nil); code != 201 {
					b.Fatalf("code submission: %d", code)
				}
			})
			f.resultsBy = median(b, 5, func() {
				time.Sleep(1100 * time.Millisecond) // past the results' one-second reuse
				start := time.Now()
				if code := apiJSON(b, "GET", base+"/api/v1/waves/"+w+"/results?by=age_band", tok.Token, nil, nil); code != 200 {
					b.Fatalf("results: %d", code)
				}
				// median times the whole function: take the sleep off
				sleepCredit = time.Since(start)
			})
			runtime.GC()
			f.baseRSS = procStatusKB(b, "VmRSS")
			resetPeakRSS(b)
			start := time.Now()
			rows := exportRows(b, base+"/api/v1/waves/"+w+"/export.csv", tok.Token)
			f.export = time.Since(start)
			f.exportRSS = procStatusKB(b, "VmHWM")
			if rows < n {
				b.Fatalf("export: %d rows for %d responses", rows, n)
			}
			start = time.Now()
			if _, err := app.tally.Recount(ctx, w, app.web.Definition); err != nil {
				b.Fatal(err)
			}
			f.recount = time.Since(start)
		}
	}

	ratio := func(n int, get func(*figures) time.Duration) string {
		small := get(got[sizes[0]])
		return fmt.Sprintf("%v (%.2f)", get(got[n]).Round(10*time.Microsecond), float64(get(got[n]))/float64(small))
	}
	b.Logf("machine: %d cores, %s", runtime.NumCPU(), runtime.Version())
	b.Logf("| responses | queue first page | codes page (20) | code submission | results ?by= | export | export rows/s | RSS before → peak during export | recount | recount responses/s |")
	for _, n := range sizes {
		f := got[n]
		b.Logf("| %d | %s | %s | %s | %s | %s | %.0f | %d → %d MB | %s | %.0f |", n,
			ratio(n, func(f *figures) time.Duration { return f.queue }),
			ratio(n, func(f *figures) time.Duration { return f.codes }),
			ratio(n, func(f *figures) time.Duration { return f.codeSubmit }),
			ratio(n, func(f *figures) time.Duration { return f.resultsBy }),
			ratio(n, func(f *figures) time.Duration { return f.export }),
			float64(n)/f.export.Seconds(), f.baseRSS/1024, f.exportRSS/1024,
			ratio(n, func(f *figures) time.Duration { return f.recount }),
			float64(n)/f.recount.Seconds())
	}
	large := got[sizes[len(sizes)-1]]
	b.ReportMetric(float64(large.queue)/float64(got[sizes[0]].queue), "queue-ratio")
	b.ReportMetric(float64(sizes[len(sizes)-1])/large.export.Seconds(), "export-rows/s")
	b.ReportMetric(float64(large.exportRSS)/1024, "export-peak-MB")
}

// sleepCredit lets a timed function say how long its real work took.
var sleepCredit time.Duration

// median runs fn k times and returns the median time (or the median of
// what fn reported through sleepCredit, when it did).
func median(b *testing.B, k int, fn func()) time.Duration {
	b.Helper()
	var ts []time.Duration
	for range k {
		sleepCredit = 0
		start := time.Now()
		fn()
		d := time.Since(start)
		if sleepCredit > 0 {
			d = sleepCredit
		}
		ts = append(ts, d)
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// exportRows downloads an export, counting its rows as they arrive.
func exportRows(b *testing.B, url, token string) int {
	b.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("export: %d", resp.StatusCode)
	}
	// The benchmark's answers hold no line breaks: a line is a row.
	rows := -1 // the header
	buf := make([]byte, 64<<10)
	for {
		k, err := resp.Body.Read(buf)
		rows += bytes.Count(buf[:k], []byte("\n"))
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// procStatusKB reads a field of /proc/self/status, in kB.
func procStatusKB(b *testing.B, field string) int64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// resetPeakRSS makes VmHWM start again from the current RSS (Linux:
// writing 5 to clear_refs), so the peak is the export's own.
func resetPeakRSS(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("cannot reset the peak RSS: %v", err)
	}
}

// volumeWave returns the id of the n-response wave in dataDir, building
// it the first time: n responses straight into the store (1,000 per
// InsertMany), every fifth with a free-text answer, n/2 access codes, then
// a recount (which writes the tallies and queues the texts).
func volumeWave(b *testing.B, app *App, dataDir string, n int) (wave string, built bool) {
	b.Helper()
	ctx := context.Background()
	marker := filepath.Join(dataDir, fmt.Sprintf("volume-%d.wave", n))
	if id, err := os.ReadFile(marker); err == nil {
		return string(id), false
	}
	council := fmt.Sprintf("vol%d", n)
	err := app.Store.CreateCouncil(ctx, &store.Council{Slug: council, Name: "Volume " + council, Languages: []string{"en"}, MinCell: 5})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		b.Fatal(err)
	}
	def, err := app.Store.Survey(ctx, "life-beyond-care", 0)
	if err != nil {
		b.Fatal(err)
	}
	w := &store.Wave{Council: council, Survey: def.ID, Version: def.Version, Name: fmt.Sprint(n), Access: store.AccessCodes}
	if err := app.Store.CreateWave(ctx, w); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	week := store.ISOWeek(time.Now())
	batch := make([]*store.Response, 0, 1000)
	for i := range n {
		a := demo.Answers(def, rng, 0.2)
		for _, q := range def.Questions() {
			if q.Type == survey.TypeText {
				delete(a, q.ID)
			}
		}
		if i%5 == 0 {
			a["anything_else"] = fmt.Sprintf("Answer %d: my personal adviser changed three times this year.", i)
		}
		batch = append(batch, &store.Response{ID: store.ResponseID(w.ID, ""), Wave: w.ID, Survey: def.ID, Version: def.Version,
			Language: "en", Answers: a, Week: week})
		if len(batch) == cap(batch) || i == n-1 {
			if err := app.Store.InsertResponses(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	for made := 0; made < n/2; made += store.MaxCodesPerRequest {
		if _, err := app.Store.CreateCodes(ctx, w.ID, min(store.MaxCodesPerRequest, n/2-made)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := app.tally.Recount(ctx, w.ID, app.web.Definition); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte(w.ID), 0o600); err != nil {
		b.Fatal(err)
	}
	return w.ID, true
}
