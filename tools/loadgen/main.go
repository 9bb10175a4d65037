// Command loadgen puts a yousaid server under the load of a survey day and
// audits that nothing was lost:
//
//	go run ./tools/loadgen -url http://127.0.0.1:8080 -wave ID \
//	    -concurrency 200 -duration 30s -mix submit=90,results=5,vote=5 \
//	    -email admin@example.org -password '...' -data ./data
//
// Each submission has a fresh Idempotency-Key and is retried with that
// same key on time-outs, 5xx and 429 (honouring Retry-After, at most
// -attempts times). Results reads need a token (-token, or -email and
// -password to get one); votes need a join code and its options. At the
// end it prints throughput, latency percentiles and answers by status, and
// audits the acknowledged submissions against the wave's results and, with
// -mongodb-uri or -data, the raw store. It exits 1 when the audit finds a
// mismatch.
//
// It refuses any target but this machine's loopback unless -allow-remote is
// given: a load run is a denial-of-service attack on whoever answers it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"yousaid/tools/loadgen/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
		os.Exit(1)
	}
}

type options struct {
	url, wave, survey, language string
	concurrency, submissions    int
	duration, timeout, drain    time.Duration
	mix                         string
	token, email, password      string
	joinCode, voteOptions       string
	mongoURI, db, dataDir       string
	attempts                    int
	allowRemote                 bool
	serverPID                   int
	settle                      time.Duration
}

var errAudit = errors.New("the audit found a mismatch")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server to load: loopback only, unless -allow-remote")
	fs.StringVar(&o.wave, "wave", "", "id of an open wave to submit to (required)")
	fs.StringVar(&o.survey, "survey", "life-beyond-care", "the wave's survey id, to make valid answers")
	fs.StringVar(&o.language, "language", "en", "the submissions' language")
	fs.IntVar(&o.concurrency, "concurrency", 200, "clients sending at once")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long new requests start (0: until -submissions are done)")
	fs.IntVar(&o.submissions, "submissions", 0, "stop after this many submissions (0: no limit)")
	fs.StringVar(&o.mix, "mix", "submit=90,results=5,vote=5", "weights of the operations")
	fs.StringVar(&o.token, "token", "", "bearer token of a facilitator (or above) of the wave's council, for results")
	fs.StringVar(&o.email, "email", "", "sign in as this staff member to get a token")
	fs.StringVar(&o.password, "password", "", "that staff member's password (env LOADGEN_PASSWORD)")
	fs.StringVar(&o.joinCode, "join-code", "", "a forum session's join code to vote in (votes are skipped without it)")
	fs.StringVar(&o.voteOptions, "vote-options", "", "comma-separated option values of that session")
	fs.StringVar(&o.mongoURI, "mongodb-uri", "", "the server's MongoDB, to audit the raw store")
	fs.StringVar(&o.db, "db", "yousaid", "database name")
	fs.StringVar(&o.dataDir, "data", "", "the server's data folder, to audit its embedded store through its socket")
	fs.IntVar(&o.attempts, "attempts", 8, "attempts per request, the first included")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "time-out of one attempt")
	fs.DurationVar(&o.drain, "drain", 60*time.Second, "after -duration, how long requests under way may go on retrying")
	fs.DurationVar(&o.settle, "settle", 10*time.Second, "how long the audit waits for counts to catch up")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a target that is not loopback (only a server you run and may load)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "the server's process id on this machine, to report its memory (from /proc)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.password == "" {
		o.password = os.Getenv("LOADGEN_PASSWORD")
	}
	if o.wave == "" {
		return errors.New("-wave is required")
	}
	if err := load.CheckTarget(o.url, o.allowRemote); err != nil {
		return err
	}
	mix, err := load.ParseMix(o.mix)
	if err != nil {
		return err
	}
	client := load.NewClient(o.concurrency)

	if o.token == "" && o.email != "" {
		if o.token, err = signIn(ctx, client, o.url, o.email, o.password); err != nil {
			return err
		}
	}
	def, err := load.FetchDefinition(ctx, client, o.url, o.survey)
	if err != nil {
		return err
	}
	var st *load.Store
	uri := o.mongoURI
	if uri == "" && o.dataDir != "" {
		if uri, err = load.SocketURI(o.dataDir); err != nil {
			return err
		}
	}
	if uri != "" {
		if st, err = load.OpenStore(ctx, uri, o.db); err != nil {
			return err
		}
		defer st.Close(context.Background())
	}
	before, err := load.TakeBaseline(ctx, st, client, o.url, o.wave, o.token)
	if err != nil {
		return fmt.Errorf("reading the wave before the load: %w", err)
	}
	if o.token != "" && before.Results < 0 {
		fmt.Fprintln(stderr, "loadgen: the results could not be read with this token; results reads will count as errors and the audit uses the store only")
	}

	var mem *memSampler
	if o.serverPID > 0 {
		mem = sampleMemory(o.serverPID)
	}
	cfg := load.Config{
		BaseURL: o.url, Wave: o.wave, Concurrency: o.concurrency, Duration: o.duration, Submissions: o.submissions,
		Mix: mix, Token: o.token, JoinCode: o.joinCode, Language: o.language,
		Answers: load.RandomAnswers(def), Client: client,
		MaxAttempts: o.attempts, Timeout: o.timeout, Drain: o.drain,
	}
	for _, v := range strings.Split(o.voteOptions, ",") {
		if v = strings.TrimSpace(v); v != "" {
			cfg.VoteOptions = append(cfg.VoteOptions, v)
		}
	}
	fmt.Fprintf(stdout, "loadgen: %d clients against %s for %s (mix %s)\n", o.concurrency, o.url, o.duration, o.mix)
	rep, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	var peak memory
	if mem != nil {
		peak = mem.stop()
	}
	printReport(stdout, rep)
	if mem != nil {
		fmt.Fprintf(stdout, "server memory: peak RSS %.1f MB (sampled every 100 ms), VmHWM %.1f MB\n", float64(peak.rss)/1e6, float64(peak.hwm)/1e6)
	}

	audit, err := load.Check(context.WithoutCancel(ctx), rep, before, st, client, o.url, o.wave, o.token, o.settle)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	printAudit(stdout, audit)
	if !audit.OK() {
		return errAudit
	}
	return nil
}

func signIn(ctx context.Context, client *http.Client, base, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/api/v1/auth/tokens", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("signing in: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Token == "" {
		return "", fmt.Errorf("signing in as %s: status %d", email, resp.StatusCode)
	}
	return out.Token, nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

func printReport(w io.Writer, rep *load.Report) {
	fmt.Fprintf(w, "\nelapsed %s\n", rep.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-8s %9s %9s %7s %10s %9s %9s %9s %9s   %s\n", "op", "attempts", "done", "failed", "done/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "answers")
	for _, op := range []string{load.OpSubmit, load.OpResults, load.OpVote} {
		s := rep.Ops[op]
		if s == nil {
			continue
		}
		var statuses []string
		for k, n := range s.Statuses {
			statuses = append(statuses, fmt.Sprintf("%s:%d", k, n))
		}
		slices.Sort(statuses)
		l := s.Latencies
		fmt.Fprintf(w, "%-8s %9d %9d %7d %10.1f %9s %9s %9s %9s   %s\n", op, s.Attempts, s.Done, s.Failed,
			float64(s.Done)/rep.Elapsed.Seconds(),
			ms(load.Percentile(l, 50)), ms(load.Percentile(l, 95)), ms(load.Percentile(l, 99)), ms(load.Percentile(l, 100)),
			strings.Join(statuses, " "))
		if len(s.EndToEnd) > 0 {
			e := s.EndToEnd
			fmt.Fprintf(w, "%-8s %9s %9s %7s %10s %9s %9s %9s %9s   (first attempt to success, retries included)\n", "", "", "", "", "",
				ms(load.Percentile(e, 50)), ms(load.Percentile(e, 95)), ms(load.Percentile(e, 99)), ms(load.Percentile(e, 100)))
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
}

func printAudit(w io.Writer, a *load.Audit) {
	fmt.Fprintf(w, "\naudit: %d acknowledged, %d not (%d refused with a 4xx)\n", a.Acked, a.Unresolved, a.Refused)
	if a.StoredNew >= 0 {
		fmt.Fprintf(w, "audit: store: %d new responses, %d of them the load's; tally counted %d new\n", a.StoredNew, a.OursStored, a.CountedNew)
	}
	if a.ResultsNew >= 0 {
		fmt.Fprintf(w, "audit: results: %d new responses\n", a.ResultsNew)
	}
	for _, p := range a.Problems {
		fmt.Fprintln(w, "audit: MISMATCH:", p)
	}
	if a.OK() {
		fmt.Fprintln(w, "audit: OK: acknowledged = stored = counted, no duplicates")
	}
}

// memory is a process's resident set: now and its high-water mark.
type memory struct{ rss, hwm int64 }

type memSampler struct {
	pid  int
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak memory
}

// sampleMemory reads /proc/pid/status every 100 ms until stopped.
func sampleMemory(pid int) *memSampler {
	m := &memSampler{pid: pid, done: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if cur, err := readMemory(pid); err == nil {
				m.mu.Lock()
				m.peak.rss = max(m.peak.rss, cur.rss)
				m.peak.hwm = max(m.peak.hwm, cur.hwm)
				m.mu.Unlock()
			}
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memSampler) stop() memory {
	close(m.done)
	m.wg.Wait()
	return m.peak
}

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch name {
		case "VmRSS":
			m.rss = kb * 1024
		case "VmHWM":
			m.hwm = kb * 1024
		}
	}
	return m, nil
}
