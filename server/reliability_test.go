package main

// Reliability tests: the whole server under load, with its store cut off,
// killed mid-load, and fed by slow or endless clients. Each is bounded in
// time and talks to loopback only. -short runs smaller loads and skips the
// crash test (which builds the binary).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"yousaid/server/internal/embedded"
	"yousaid/server/internal/store"
	"yousaid/tools/loadgen/load"
)

// loadAnswers makes valid answers to the seed survey.
func loadAnswers(t *testing.T, s *store.Store) load.Config {
	t.Helper()
	def, err := s.Survey(context.Background(), "life-beyond-care", 1)
	if err != nil {
		t.Fatal(err)
	}
	return load.Config{Answers: load.RandomAnswers(def)}
}

// TestReliabilityLoad: 200 clients send a fixed number of responses, some
// twice at once and some again after "losing" the 201: every acknowledged
// response is stored exactly once and counted exactly once.
func TestReliabilityLoad(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 400
	}
	ra := startReliableApp(t, nil, nil)
	wave := openWave(t, ra.app.Store, "loadtown")
	token := resultsToken(t, ra.base, wave)
	st, err := load.OpenStore(context.Background(), ra.app.embedded.URI(), ra.app.cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	before, err := load.TakeBaseline(context.Background(), st, http.DefaultClient, ra.base, wave, token)
	if err != nil {
		t.Fatal(err)
	}

	cfg := loadAnswers(t, ra.app.Store)
	cfg.BaseURL, cfg.Wave, cfg.Concurrency, cfg.Submissions = ra.base, wave, 200, n
	cfg.LoseAnswer, cfg.Twin, cfg.Seed = 0.1, 0.05, 6
	cfg.Duration, cfg.Drain = 60*time.Second, 20*time.Second
	rep, err := load.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Ops[load.OpSubmit]
	t.Logf("%d submissions in %s (%.0f/s), %d attempts, answers %v, p99 %s",
		len(rep.Submissions), rep.Elapsed.Round(time.Millisecond), float64(s.Done)/rep.Elapsed.Seconds(), s.Attempts, s.Statuses, load.Percentile(s.Latencies, 99))
	if len(rep.Submissions) != n || len(rep.Acked()) != n {
		t.Errorf("%d of %d submissions acknowledged, want all", len(rep.Acked()), n)
	}
	if s.Attempts <= n {
		t.Errorf("only %d attempts for %d submissions: the retries did not happen", s.Attempts, n)
	}
	a, err := load.Check(context.Background(), rep, before, st, http.DefaultClient, ra.base, wave, token, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	auditOK(t, a)
	if a.StoredNew != int64(n) {
		t.Errorf("stored %d, want %d", a.StoredNew, n)
	}
}

// TestReliabilityStoreOutage cuts the store off mid-load for a few
// seconds: meanwhile the server answers 503 with Retry-After and never a
// 201, /readyz says unavailable; afterwards the clients' retries with the
// same keys succeed and the audit is exact.
func TestReliabilityStoreOutage(t *testing.T) {
	n, cutFor := 1200, 3*time.Second
	if testing.Short() {
		n, cutFor = 500, 2*time.Second
	}
	dir := shortTempDir(t)
	es, err := embedded.Start(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = es.Close(ctx)
	})
	socket, err := socketOf(es.URI())
	if err != nil {
		t.Fatal(err)
	}
	proxy := newStoreProxy(t, socket)
	ra := startReliableApp(t, map[string]string{"MONGODB_URI": proxy.URI()}, func(c *Config) {
		c.StoreTimeout = time.Second
	})
	wave := openWave(t, ra.app.Store, "outage")
	token := resultsToken(t, ra.base, wave)
	st, err := load.OpenStore(context.Background(), es.URI(), ra.app.cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	before, err := load.TakeBaseline(context.Background(), st, http.DefaultClient, ra.base, wave, token)
	if err != nil {
		t.Fatal(err)
	}

	var (
		acks              atomic.Int64
		cutAt, restoreAt  atomic.Pointer[time.Time]
		mu                sync.Mutex
		inCut             = map[string]int{} // answers to attempts made wholly within the cut
		createdInCut      []string
		missingRetryAfter int
	)
	cutStarted := make(chan struct{})
	var once sync.Once
	cfg := loadAnswers(t, ra.app.Store)
	cfg.BaseURL, cfg.Wave, cfg.Concurrency, cfg.Submissions = ra.base, wave, 100, n
	cfg.Seed, cfg.Duration, cfg.Drain, cfg.MaxAttempts = 7, 60*time.Second, 30*time.Second, 10
	cfg.Observe = func(a load.Attempt) {
		if a.Status == 201 && acks.Add(1) == int64(n/4) {
			once.Do(func() { close(cutStarted) })
		}
		c, r := cutAt.Load(), restoreAt.Load()
		end := a.Start.Add(a.Latency)
		// An answer given after the cut (with a moment's grace for the
		// connections to drop) and before the restore had no store to
		// write to, unless its request began before the cut and wrote in
		// time (the audit then finds its response stored).
		if c == nil || end.Before(c.Add(200*time.Millisecond)) || (r != nil && end.After(*r)) {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		label := fmt.Sprint(a.Status)
		if a.Err != nil {
			label = "error"
		}
		if a.Status == 201 && a.Start.Before(*c) {
			label = "201 begun before the cut"
		} else if a.Status == 201 {
			createdInCut = append(createdInCut, a.Key)
		}
		inCut[label]++
		if a.Status == 503 && a.RetryAfter == "" {
			missingRetryAfter++
		}
	}
	done := make(chan *load.Report, 1)
	go func() {
		rep, err := load.Run(context.Background(), cfg)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()

	select {
	case <-cutStarted:
	case <-time.After(60 * time.Second):
		t.Fatal("the load never reached a quarter of its submissions")
	}
	now := time.Now()
	cutAt.Store(&now)
	proxy.Cut()
	// /readyz notices within the store time-out, and a fresh submission
	// gets 503 with Retry-After, never a 201.
	readyzSaw := 0
	var probes []string // the keys of fresh submissions during the cut
	probe := func() {
		key := uuid.NewString()
		body, _ := json.Marshal(map[string]any{"language": "en", "answers": cfg.Answers(rand.New(rand.NewPCG(1, uint64(len(probes)))))})
		req, _ := http.NewRequest("POST", ra.base+"/api/v1/waves/"+wave+"/responses", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("a submission during the cut: %v", err)
			return
		}
		var e struct{ Error struct{ Code string } }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || e.Error.Code != "store_unavailable" {
			t.Errorf("a submission during the cut: %d Retry-After=%q code=%q; want 503 store_unavailable with Retry-After",
				resp.StatusCode, resp.Header.Get("Retry-After"), e.Error.Code)
		}
		probes = append(probes, key)
	}
	time.Sleep(200 * time.Millisecond)
	probe()
	deadline := time.Now().Add(cutFor)
	for time.Now().Before(deadline) {
		resp, err := http.Get(ra.base + "/readyz")
		if err == nil {
			var body struct{ Status string }
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode == 503 && body.Status == "unavailable" && resp.Header.Get("Retry-After") != "" {
				readyzSaw++
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	restored := time.Now()
	restoreAt.Store(&restored)
	proxy.Restore()
	if readyzSaw == 0 {
		t.Error("/readyz never answered 503 unavailable with Retry-After while the store was cut off")
	}
	waitReady(t, ra.base, 10*time.Second)
	rep := <-done
	if rep == nil {
		return
	}

	mu.Lock()
	t.Logf("answers during the cut: %v; all answers %v", inCut, rep.Ops[load.OpSubmit].Statuses)
	if len(createdInCut) > 0 {
		t.Errorf("%d submissions made while the store was cut off were answered 201", len(createdInCut))
	}
	for label, count := range inCut {
		if label != "503" && label != "201 begun before the cut" {
			t.Errorf("%d answers %s while the store was cut off; want only 503", count, label)
		}
	}
	if missingRetryAfter > 0 {
		t.Errorf("%d 503s without Retry-After", missingRetryAfter)
	}
	mu.Unlock()
	if got := len(rep.Acked()); got != n {
		t.Errorf("%d of %d submissions acknowledged in the end: the retries after the outage did not all succeed", got, n)
	}
	a, err := load.Check(context.Background(), rep, before, st, http.DefaultClient, ra.base, wave, token, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	auditOK(t, a)

	// The fresh submissions refused during the cut were not stored.
	stored, err := st.StoredIDs(context.Background(), wave)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range probes {
		if stored[load.ResponseIDs(wave, []*load.Submission{{Key: key}})[0]] {
			t.Errorf("a submission answered 503 during the cut is stored")
		}
	}
}

// socketOf extracts the socket path from the embedded store's URI
// (mongodb://%2Fpath%2Fstore.sock/).
func socketOf(uri string) (string, error) {
	host, _, _ := strings.Cut(strings.TrimPrefix(uri, "mongodb://"), "/?")
	return url.PathUnescape(strings.TrimSuffix(host, "/"))
}

// TestReliabilityCrash kills the server process with SIGKILL mid-load and
// starts it again on the same data: every acknowledged response is
// stored, and the tallies are repaired to exactly the stored count.
func TestReliabilityCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary: skipped with -short")
	}
	bin := buildServer(t)
	dataDir := shortTempDir(t)
	addr := freeLoopbackAddr(t)
	base := "http://" + addr
	limits := []string{"WAVE_RATE=0", "CLIENT_RATE=0"}
	first := startChild(t, bin, addr, dataDir, limits...)

	token := adminToken(t, base)
	if code := apiJSON(t, "POST", base+"/api/v1/councils", token, map[string]any{"slug": "crashton", "name": "Crashton Council"}, nil); code != 201 {
		t.Fatalf("council: %d", code)
	}
	var w struct{ ID string }
	if code := apiJSON(t, "POST", base+"/api/v1/councils/crashton/waves", token, map[string]any{"survey": "life-beyond-care", "name": "Crash day"}, &w); code != 201 {
		t.Fatalf("wave: %d", code)
	}
	uri, err := load.SocketURI(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	def, err := load.FetchDefinition(context.Background(), http.DefaultClient, base, "life-beyond-care")
	if err != nil {
		t.Fatal(err)
	}

	n := 2500
	var acks atomic.Int64
	killNow := make(chan struct{})
	var once sync.Once
	cfg := load.Config{
		BaseURL: base, Wave: w.ID, Concurrency: 100, Submissions: n, Seed: 9,
		Duration: 90 * time.Second, Drain: 40 * time.Second, MaxAttempts: 12, Timeout: 5 * time.Second,
		Answers: load.RandomAnswers(def),
		Observe: func(a load.Attempt) {
			if a.Status == 201 && acks.Add(1) == 700 {
				once.Do(func() { close(killNow) })
			}
		},
	}
	done := make(chan *load.Report, 1)
	go func() {
		rep, err := load.Run(context.Background(), cfg)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	select {
	case <-killNow:
	case <-time.After(60 * time.Second):
		t.Fatal("the load never reached 700 acknowledgements")
	}
	first.kill()
	ackedBeforeKill := acks.Load()
	time.Sleep(500 * time.Millisecond)
	second := startChild(t, bin, addr, dataDir, limits...)
	startedAgain := time.Now()
	rep := <-done
	if rep == nil {
		return
	}
	t.Logf("killed after %d acknowledgements; restarted in %s; %d acknowledged in all; answers %v",
		ackedBeforeKill, time.Since(startedAgain).Round(time.Millisecond), len(rep.Acked()), rep.Ops[load.OpSubmit].Statuses)

	st, err := load.OpenStore(context.Background(), uri, "yousaid")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	a, err := load.Check(context.Background(), rep, load.Baseline{Stored: 0, Counted: 0, Results: -1}, st, http.DefaultClient, base, w.ID, "", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	auditOK(t, a)
	if len(rep.Acked()) != n {
		t.Errorf("%d of %d acknowledged: the clients' retries after the restart did not all succeed", len(rep.Acked()), n)
	}
	if !strings.Contains(second.stdout.String(), "tally recounted after an unclean stop") {
		t.Errorf("the restarted server did not report a recount of the killed writer's wave:\n%s", tail(second.stdout.String(), 20))
	}
	second.stop(t)
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// TestReliabilitySlowClients: slow headers, slow and endless bodies and
// more requests than the cap cannot exhaust the server.
func TestReliabilitySlowClients(t *testing.T) {
	ra := startReliableApp(t, nil, func(c *Config) {
		c.ReadHeaderTimeout = 500 * time.Millisecond
		c.ReadTimeout = 2 * time.Second
		c.MaxInFlight = 8
	})
	addr := strings.TrimPrefix(ra.base, "http://")
	wave := openWave(t, ra.app.Store, "slowtown")
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// closedWithin reports whether the server closes c (reading EOF or an
	// error, after any answer) within d.
	closedWithin := func(c net.Conn, d time.Duration) (bool, string) {
		_ = c.SetReadDeadline(time.Now().Add(d))
		b, err := io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return false, string(b)
		}
		return true, string(b)
	}
	healthy := func(what string) {
		t.Helper()
		client := &http.Client{Timeout: time.Second}
		resp, err := client.Get(ra.base + "/api/v1/surveys")
		if err != nil {
			t.Fatalf("%s: a normal request failed: %v", what, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: a normal request got %d", what, resp.StatusCode)
		}
	}

	t.Run("slowloris headers are cut off", func(t *testing.T) {
		var conns []net.Conn
		for range 100 {
			c := dial()
			defer c.Close()
			fmt.Fprintf(c, "GET /api/v1/surveys HTTP/1.1\r\nHost: x\r\n")
			conns = append(conns, c)
		}
		stopDrip := make(chan struct{})
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stopDrip:
					return
				case <-time.After(100 * time.Millisecond):
				}
				for _, c := range conns {
					_, _ = fmt.Fprintf(c, "X-%d: y\r\n", i)
				}
			}
		}()
		defer close(stopDrip)
		healthy("with 100 slow-header connections open")
		start := time.Now()
		for i, c := range conns {
			if closed, _ := closedWithin(c, 3*time.Second-time.Since(start)); !closed {
				t.Fatalf("connection %d still open %s after it started: ReadHeaderTimeout is not enforced", i, time.Since(start))
			}
		}
		t.Logf("100 slow-header connections closed within %s", time.Since(start).Round(time.Millisecond))
	})

	t.Run("an endless body gets 413", func(t *testing.T) {
		c := dial()
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/waves/%s/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", wave)
		var sent atomic.Int64
		go func() {
			chunk := fmt.Sprintf("%x\r\n%s\r\n", 4096, strings.Repeat(" ", 4096))
			for sent.Load() < 64<<20 {
				_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				n, err := io.WriteString(c, chunk)
				sent.Add(int64(n))
				if err != nil {
					return
				}
			}
		}()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer to an endless body within 5s: %v (sent %d bytes)", err, sent.Load())
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
		if closed, _ := closedWithin(c, 3*time.Second); !closed {
			t.Error("the connection stayed open after the 413")
		}
		t.Logf("413 after the client had sent %d KiB", sent.Load()>>10)
		if sent.Load() > 16<<20 {
			t.Errorf("the server read %d MiB before refusing", sent.Load()>>20)
		}
	})

	t.Run("a declared oversized body gets 413", func(t *testing.T) {
		c := dial()
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/waves/%s/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", wave, 10<<20, strings.Repeat(" ", 70<<10))
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
	})

	t.Run("huge headers get 431", func(t *testing.T) {
		c := dial()
		defer c.Close()
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", 64<<10))
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("status %d, want 431", resp.StatusCode)
		}
	})

	t.Run("a body that drips is cut off by ReadTimeout", func(t *testing.T) {
		c := dial()
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/waves/%s/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", wave)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
					_, _ = io.WriteString(c, " ")
				}
			}
		}()
		start := time.Now()
		closed, answer := closedWithin(c, 5*time.Second)
		if !closed {
			t.Fatalf("a dripping body held its connection for 5s: ReadTimeout is not enforced")
		}
		status := strings.SplitN(answer, "\r\n", 2)[0]
		t.Logf("a dripping body was cut off after %s (%q)", time.Since(start).Round(time.Millisecond), status)
		if status != "" && !strings.Contains(status, " 4") {
			t.Errorf("a dripping body was answered %q; want a 4xx or the connection closed", status)
		}
		healthy("after a dripping body")
	})

	t.Run("requests above the cap get 503 with Retry-After at once", func(t *testing.T) {
		// Eight requests whose bodies drip hold every slot.
		var holders []net.Conn
		for range 8 {
			c := dial()
			defer c.Close()
			fmt.Fprintf(c, "POST /api/v1/waves/%s/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", wave)
			holders = append(holders, c)
		}
		time.Sleep(300 * time.Millisecond)
		client := &http.Client{Timeout: 2 * time.Second}
		start := time.Now()
		resp, err := client.Get(ra.base + "/api/v1/surveys")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || body.Error.Code != "busy" || body.Error.Message == "" {
			t.Fatalf("API above the cap: %d Retry-After=%q %+v; want 503 busy with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("the busy answer took %s: it should not queue", d)
		}
		resp, err = client.Get(ra.base + "/")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(page), "<html") {
			t.Fatalf("page above the cap: %d %q; want the 503 page with Retry-After", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		resp, err = client.Get(ra.base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("/healthz above the cap: %d; the probes must answer however busy", resp.StatusCode)
		}
		for _, c := range holders {
			_ = c.Close()
		}
		deadline := time.Now().Add(3 * time.Second)
		for {
			resp, err := client.Get(ra.base + "/api/v1/surveys")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatal("the slots were not given back once the slow clients went")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
