// Package load drives yousaid's real HTTP API as many young people on bad
// connections would: concurrent survey submissions, each with its own
// Idempotency-Key and retried with that same key on time-outs, 5xx and
// 429 (honouring Retry-After, a bounded number of times), with results
// reads and session votes mixed in. It records what the server
// acknowledged so that an audit can compare it with what the results and
// the raw store hold. The loadgen command and the reliability tests use it.
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"yousaid/survey"
)

// Operation names.
const (
	OpSubmit  = "submit"
	OpResults = "results"
	OpVote    = "vote"
)

// Mix weighs the operations; a weight of 0 leaves one out.
type Mix struct {
	Submit, Results, Vote int
}

// ParseMix reads "submit=90,results=5,vote=5".
func ParseMix(s string) (Mix, error) {
	var m Mix
	for _, part := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(value)
		if !ok || err != nil || n < 0 {
			return m, fmt.Errorf("mix %q: want name=weight,… with whole weights", s)
		}
		switch name {
		case OpSubmit:
			m.Submit = n
		case OpResults:
			m.Results = n
		case OpVote:
			m.Vote = n
		default:
			return m, fmt.Errorf("mix %q: unknown operation %q (submit, results, vote)", s, name)
		}
	}
	if m.Submit+m.Results+m.Vote == 0 {
		return m, fmt.Errorf("mix %q: every weight is 0", s)
	}
	return m, nil
}

// Config says what to send, how hard and for how long.
type Config struct {
	BaseURL     string        // e.g. http://127.0.0.1:8080
	Wave        string        // the wave to submit to and read results of
	Concurrency int           // clients sending at once
	Duration    time.Duration // how long new operations start; 0: until Submissions are done
	Submissions int           // stop starting submissions after this many; 0: no limit
	Mix         Mix

	Token       string   // bearer token for results reads; empty: no results reads
	JoinCode    string   // a forum session's join code for votes; empty: no votes
	VoteOptions []string // the session's option values to vote for

	Language string                                               // the submissions' language; default "en"
	Answers  func(r *rand.Rand) map[string]any                    // makes one submission's answers
	Seed     uint64                                               // random seed; 0: a random one
	Client   *http.Client                                         // default: one tuned for many connections
	Observe  func(Attempt)                                        // called after every attempt, from many goroutines
	Body     func(language string, answers map[string]any) []byte // default: the contract's envelope

	MaxAttempts  int           // per operation, the first included; default 8
	Timeout      time.Duration // per attempt; default 10s
	MaxRetryWait time.Duration // the longest Retry-After honoured as given; default 30s
	// Drain is how long, after Duration, operations already started may go
	// on retrying; default 60s.
	Drain time.Duration

	// Faults a real network causes, for tests: LoseAnswer is the chance
	// that the client never sees a 201 it was sent and sends the same
	// submission again; Twin the chance that it sends the submission twice
	// at the same moment.
	LoseAnswer, Twin float64
}

// Attempt is one HTTP exchange.
type Attempt struct {
	Op         string
	Key        string // the submission's Idempotency-Key
	Start      time.Time
	Latency    time.Duration
	Status     int    // 0 when no answer came (Err is set)
	RetryAfter string // the Retry-After header, if any
	Err        error
	Receipt    string // of a 201 to a submission
}

// Submission is one response the load tried to store.
type Submission struct {
	Key      string
	Receipt  string // set once acknowledged
	Acked    bool   // some attempt got a 201
	Attempts int
	Statuses []int // of every attempt, 0 for no answer
	// Latency from the first attempt to the acknowledgement.
	Latency time.Duration
	// Refused is true when every attempt was answered with a 4xx: such a
	// submission was never stored. One with an attempt that got no answer
	// or a 5xx may have been (the store can take a write whose reply is
	// lost), and a retry with its key would find it.
	Refused bool
}

// Report is what a run did.
type Report struct {
	Elapsed     time.Duration
	Submissions []*Submission
	Ops         map[string]*OpStats
	Problems    []string // contract breaches seen in answers (e.g. a 503 without Retry-After)
}

// OpStats sums up one operation's attempts.
type OpStats struct {
	Attempts  int
	Done      int             // operations that succeeded
	Failed    int             // operations that gave up
	Statuses  map[string]int  // "201", "503", "timeout", "error"
	Latencies []time.Duration // of every attempt that got an answer
	// EndToEnd is, for successful operations, the time from the first
	// attempt to success, retries included.
	EndToEnd []time.Duration
}

// Acked returns the acknowledged submissions.
func (r *Report) Acked() []*Submission {
	var out []*Submission
	for _, s := range r.Submissions {
		if s.Acked {
			out = append(out, s)
		}
	}
	return out
}

// Percentile of sorted durations, p in [0,100].
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

// CheckTarget refuses any target that is not this machine's loopback
// unless allowRemote: a load run is indistinguishable from an attack on
// whoever answers, so it must never reach a real deployment by mistake.
func CheckTarget(base string, allowRemote bool) error {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-url %q: want http://host:port", base)
	}
	if allowRemote {
		return nil
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-url %q is not a loopback address (127.0.0.1, ::1, localhost): a load run against another machine is a denial-of-service attack on it; pass -allow-remote only for a server you run and may load", base)
}

type runner struct {
	cfg    Config
	client *http.Client
	mu     sync.Mutex
	rep    *Report
	def    *survey.Definition
}

// Run sends the load and returns what happened. It stops starting new
// operations when ctx ends, Duration passes or Submissions have started;
// operations under way then finish their retries within Drain.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	if cfg.Duration <= 0 && cfg.Submissions <= 0 {
		return nil, errors.New("load.Run: set Duration or Submissions")
	}
	if cfg.Mix == (Mix{}) {
		cfg.Mix = Mix{Submit: 1}
	}
	if cfg.Token == "" {
		cfg.Mix.Results = 0
	}
	if cfg.JoinCode == "" || len(cfg.VoteOptions) == 0 {
		cfg.Mix.Vote = 0
	}
	if cfg.Mix.Submit+cfg.Mix.Results+cfg.Mix.Vote == 0 {
		return nil, errors.New("load.Run: nothing to send (results need a token, votes a join code and options)")
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Answers == nil {
		cfg.Answers = func(*rand.Rand) map[string]any { return map[string]any{} }
	}
	if cfg.Body == nil {
		cfg.Body = func(lang string, answers map[string]any) []byte {
			b, _ := json.Marshal(map[string]any{"language": lang, "answers": answers})
			return b
		}
	}
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = 8
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 30 * time.Second
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 60 * time.Second
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	client := cfg.Client
	if client == nil {
		client = NewClient(cfg.Concurrency)
	}
	r := &runner{cfg: cfg, client: client, rep: &Report{Ops: map[string]*OpStats{}}}

	// Starting stops at the deadline; retries may go on for Drain more.
	startCtx, stopStarting := context.WithCancel(ctx)
	defer stopStarting()
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		startCtx, cancel = context.WithTimeout(startCtx, cfg.Duration)
		defer cancel()
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	go func() {
		select {
		case <-startCtx.Done():
		case <-workCtx.Done():
			return
		}
		select {
		case <-time.After(cfg.Drain):
		case <-workCtx.Done():
		}
		stopWork()
	}()

	var started sync.Mutex
	submissions := 0
	nextSubmission := func() bool {
		started.Lock()
		defer started.Unlock()
		if cfg.Submissions > 0 && submissions >= cfg.Submissions {
			return false
		}
		submissions++
		return true
	}

	begin := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(seed, uint64(w)))
			total := cfg.Mix.Submit + cfg.Mix.Results + cfg.Mix.Vote
			for startCtx.Err() == nil {
				pick := rnd.IntN(total)
				switch {
				case pick < cfg.Mix.Submit:
					if !nextSubmission() {
						if cfg.Mix.Results+cfg.Mix.Vote == 0 || cfg.Duration <= 0 {
							return
						}
						continue
					}
					r.submit(workCtx, rnd)
				case pick < cfg.Mix.Submit+cfg.Mix.Results:
					r.read(workCtx)
				default:
					r.vote(workCtx, rnd)
				}
			}
		}()
	}
	wg.Wait()
	r.rep.Elapsed = time.Since(begin)
	for _, op := range r.rep.Ops {
		slices.Sort(op.Latencies)
		slices.Sort(op.EndToEnd)
	}
	return r.rep, nil
}

// NewClient is an HTTP client that keeps a connection per concurrent
// client, as that many phones would.
func NewClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = concurrency * 2
	t.MaxIdleConnsPerHost = concurrency * 2
	t.Proxy = nil // a load run goes where it is told, never through a proxy
	return &http.Client{Transport: t}
}

func (r *runner) stats(op string) *OpStats {
	s := r.rep.Ops[op]
	if s == nil {
		s = &OpStats{Statuses: map[string]int{}}
		r.rep.Ops[op] = s
	}
	return s
}

// exchange sends one request and records the attempt.
func (r *runner) exchange(ctx context.Context, op, key string, req func(context.Context) (*http.Request, error)) Attempt {
	a := Attempt{Op: op, Key: key, Start: time.Now()}
	actx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	hreq, err := req(actx)
	if err != nil {
		a.Err = err
		return a
	}
	resp, err := r.client.Do(hreq)
	if err == nil {
		var body []byte
		body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err == nil {
			a.Status = resp.StatusCode
			a.RetryAfter = resp.Header.Get("Retry-After")
			if op == OpSubmit && a.Status == http.StatusCreated {
				var out struct {
					Receipt string `json:"receipt"`
				}
				if json.Unmarshal(body, &out) != nil || out.Receipt == "" {
					r.problem("a 201 to a submission without a receipt: %.200s", body)
				}
				a.Receipt = out.Receipt
			}
		}
	}
	a.Err = err
	a.Latency = time.Since(a.Start)

	label := strconv.Itoa(a.Status)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		label = "timeout"
	case err != nil:
		label = "error"
	}
	if (a.Status == http.StatusServiceUnavailable || a.Status == http.StatusTooManyRequests) && a.RetryAfter == "" {
		r.problem("a %d without Retry-After (%s)", a.Status, op)
	}
	if a.Status >= 500 && a.Status != http.StatusServiceUnavailable {
		r.problem("a %d (%s)", a.Status, op)
	}
	r.mu.Lock()
	s := r.stats(op)
	s.Attempts++
	s.Statuses[label]++
	if a.Status != 0 {
		s.Latencies = append(s.Latencies, a.Latency)
	}
	r.mu.Unlock()
	if r.cfg.Observe != nil {
		r.cfg.Observe(a)
	}
	return a
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (r *runner) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.rep.Problems) < 100 {
		r.rep.Problems = append(r.rep.Problems, fmt.Sprintf(format, args...))
	}
}

// retryable says whether an answer calls for the same request again.
func retryable(a Attempt) bool {
	return a.Err != nil || a.Status == http.StatusTooManyRequests || a.Status >= 500
}

// backoff is how long to wait before attempt n+1 (n from 1): Retry-After
// when the server gave one (capped), else exponential with jitter.
func (r *runner) backoff(a Attempt, n int, rnd *rand.Rand) time.Duration {
	if secs, err := strconv.Atoi(a.RetryAfter); err == nil && secs >= 0 {
		d := time.Duration(secs) * time.Second
		// A little jitter so that every client does not come back at once.
		return min(d, r.cfg.MaxRetryWait) + time.Duration(rnd.Int64N(int64(250*time.Millisecond)))
	}
	d := 100 * time.Millisecond << min(n-1, 6)
	return d/2 + time.Duration(rnd.Int64N(int64(d)))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// submit stores one response: a fresh key, then that key again and again
// until a 201, a final 4xx or the attempts run out.
func (r *runner) submit(ctx context.Context, rnd *rand.Rand) {
	sub := &Submission{Key: uuid.NewString(), Refused: true}
	body := r.cfg.Body(r.cfg.Language, r.cfg.Answers(rnd))
	url := strings.TrimRight(r.cfg.BaseURL, "/") + "/api/v1/waves/" + url.PathEscape(r.cfg.Wave) + "/responses"
	mk := func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", sub.Key)
		return req, nil
	}
	r.mu.Lock()
	r.rep.Submissions = append(r.rep.Submissions, sub)
	r.mu.Unlock()

	first := time.Now()
	record := func(a Attempt) {
		r.mu.Lock()
		defer r.mu.Unlock()
		sub.Attempts++
		sub.Statuses = append(sub.Statuses, a.Status)
		if a.Status == 0 || a.Status >= 500 {
			sub.Refused = false
		}
		if a.Status == http.StatusCreated {
			if sub.Receipt != "" && sub.Receipt != a.Receipt {
				r.rep.Problems = append(r.rep.Problems, fmt.Sprintf("key %s got two receipts: %s and %s", sub.Key, sub.Receipt, a.Receipt))
			}
			sub.Receipt = a.Receipt
			if !sub.Acked {
				sub.Acked = true
				sub.Latency = time.Since(first)
			}
		}
	}
	for n := 1; ; n++ {
		var a Attempt
		if r.cfg.Twin > 0 && rnd.Float64() < r.cfg.Twin {
			var wg sync.WaitGroup
			var twin Attempt
			wg.Go(func() { twin = r.exchange(ctx, OpSubmit, sub.Key, mk) })
			a = r.exchange(ctx, OpSubmit, sub.Key, mk)
			wg.Wait()
			record(twin)
		} else {
			a = r.exchange(ctx, OpSubmit, sub.Key, mk)
		}
		record(a)
		lost := a.Status == http.StatusCreated && r.cfg.LoseAnswer > 0 && rnd.Float64() < r.cfg.LoseAnswer && n < r.cfg.MaxAttempts
		if !lost && !retryable(a) {
			break
		}
		if n >= r.cfg.MaxAttempts || !sleep(ctx, r.backoff(a, n, rnd)) {
			break
		}
	}
	r.mu.Lock()
	s := r.stats(OpSubmit)
	if sub.Acked {
		s.Done++
		s.EndToEnd = append(s.EndToEnd, sub.Latency)
	} else {
		s.Failed++
	}
	r.mu.Unlock()
}

// read fetches the wave's results once (retried like a submission).
func (r *runner) read(ctx context.Context) {
	url := strings.TrimRight(r.cfg.BaseURL, "/") + "/api/v1/waves/" + url.PathEscape(r.cfg.Wave) + "/results"
	r.simple(ctx, OpResults, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+r.cfg.Token)
		}
		return req, err
	}, http.StatusOK)
}

// vote sends one vote for a random option of the session.
func (r *runner) vote(ctx context.Context, rnd *rand.Rand) {
	url := strings.TrimRight(r.cfg.BaseURL, "/") + "/api/v1/sessions/" + url.PathEscape(r.cfg.JoinCode) + "/votes"
	body, _ := json.Marshal(map[string]any{"choices": []string{r.cfg.VoteOptions[rnd.IntN(len(r.cfg.VoteOptions))]}})
	r.simple(ctx, OpVote, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}, http.StatusCreated)
}

// simple runs an operation without an idempotency key. A vote is retried
// only when no answer came back or the server said it did nothing (429,
// 503): a vote has no key, so a lost 201 is not resent.
func (r *runner) simple(ctx context.Context, op string, mk func(context.Context) (*http.Request, error), want int) {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	start := time.Now()
	ok := false
	for n := 1; n <= r.cfg.MaxAttempts; n++ {
		a := r.exchange(ctx, op, "", mk)
		if a.Status == want {
			ok = true
			break
		}
		resend := a.Status == http.StatusTooManyRequests || a.Status == http.StatusServiceUnavailable || (a.Err != nil && op != OpVote)
		if !resend || !sleep(ctx, r.backoff(a, n, rnd)) {
			break
		}
	}
	r.mu.Lock()
	s := r.stats(op)
	if ok {
		s.Done++
		s.EndToEnd = append(s.EndToEnd, time.Since(start))
	} else {
		s.Failed++
	}
	r.mu.Unlock()
}
