package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yousaid/server/internal/store"
)

// phones is how many young people vote at the same moment in one round.
const phones = 200

// BenchmarkForumVotes measures a forum session at its busiest: 200 phones
// vote at the same moment over loopback HTTP (each with its own
// connection), while the presenter's screen follows the event stream. It
// reports the votes per second of the round (200 divided by the time from
// the first vote sent to the last 201) and, for each vote, the delay from
// its 201 to the first event on the presenter's stream that counts it
// (p50 and p95, in milliseconds). The tally writer runs at its production
// flush interval. docs/benchmarks.md has the figures.
//
//	go test -run '^$' -bench ForumVotes -benchtime 5x ./server/internal/web
func BenchmarkForumVotes(b *testing.B) {
	h := newHarnessWith(b, 0) // 0: the production flush interval
	h.council("leeds")
	fac := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	srv := httptest.NewServer(h.srv)
	defer srv.Close()
	cookie := signInOver(b, srv.URL, "fac@leeds.example")

	var rates, p50s, p95s []float64
	for b.Loop() {
		id, code := benchSession(b, srv.URL, fac)
		events := followEvents(b, srv.URL, id, cookie)

		start := make(chan struct{})
		acked := make([]time.Time, phones)
		var wg sync.WaitGroup
		var failed int
		var mu sync.Mutex
		for i := range phones {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Transport: &http.Transport{}} // a phone: its own connection
				defer client.CloseIdleConnections()
				body := []byte(`{"choices":["` + []string{"housing", "money", "feeling_safe"}[i%3] + `"]}`)
				<-start
				resp, err := client.Post(srv.URL+"/api/v1/sessions/"+code+"/votes", "application/json", bytes.NewReader(body))
				if err != nil || resp.StatusCode != http.StatusCreated {
					mu.Lock()
					failed++
					mu.Unlock()
				}
				if resp != nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				acked[i] = time.Now()
			}()
		}
		t0 := time.Now()
		close(start)
		wg.Wait()
		if failed > 0 {
			b.Fatalf("%d of %d votes failed", failed, phones)
		}
		last := slices.MaxFunc(acked, func(a, c time.Time) int { return a.Compare(c) })
		rates = append(rates, phones/last.Sub(t0).Seconds())

		// Wait for the stream to show every vote, then match each vote to
		// the first event that counts as many votes as had been
		// acknowledged when it was.
		seen := events.waitFor(b, phones, 30*time.Second)
		slices.SortFunc(acked, func(a, c time.Time) int { return a.Compare(c) })
		var delays []float64
		for rank, at := range acked {
			for _, e := range seen {
				if e.votes >= int64(rank+1) {
					delays = append(delays, max(0, e.at.Sub(at).Seconds()*1000))
					break
				}
			}
		}
		slices.Sort(delays)
		p50s = append(p50s, delays[len(delays)/2])
		p95s = append(p95s, delays[len(delays)*95/100])
		events.close()
	}
	b.ReportMetric(median(rates), "votes/s")
	b.ReportMetric(median(p50s), "p50-ms")
	b.ReportMetric(median(p95s), "p95-ms")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func signInOver(b *testing.B, base, email string) string {
	b.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader("email="+email+"&password=correct+horse+battery"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "yousaid_session" {
			return c.Value
		}
	}
	b.Fatalf("sign-in: %d", resp.StatusCode)
	return ""
}

func benchSession(b *testing.B, base, token string) (id, code string) {
	b.Helper()
	body, _ := json.Marshal(threeOptions(1))
	req, _ := http.NewRequest("POST", base+"/api/v1/councils/leeds/sessions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var s createdSession
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("session: %d %v", resp.StatusCode, err)
	}
	return s.ID, s.JoinCode
}

// stream is the presenter's event stream, recorded as it arrives.
type stream struct {
	resp   *http.Response
	mu     sync.Mutex
	events []tallyEvent
	more   chan struct{}
}

type tallyEvent struct {
	at    time.Time
	votes int64
}

func followEvents(b *testing.B, base, session, cookie string) *stream {
	b.Helper()
	req, _ := http.NewRequest("GET", base+"/staff/sessions/"+session+"/events", nil)
	req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
	req.Header.Set("Accept", "text/event-stream")
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("events: %v", err)
	}
	s := &stream{resp: resp, more: make(chan struct{}, 1)}
	first := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		once := sync.OnceFunc(func() { close(first) })
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "data: ") {
				continue
			}
			at := time.Now()
			var t struct {
				Votes int64 `json:"votes"`
			}
			if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &t) != nil {
				continue
			}
			s.mu.Lock()
			s.events = append(s.events, tallyEvent{at: at, votes: t.Votes})
			s.mu.Unlock()
			once()
			select {
			case s.more <- struct{}{}:
			default:
			}
		}
	}()
	select {
	case <-first: // the stream is live: its first tally has arrived
	case <-time.After(10 * time.Second):
		b.Fatal("no first event")
	}
	return s
}

func (s *stream) waitFor(b *testing.B, votes int64, limit time.Duration) []tallyEvent {
	b.Helper()
	deadline := time.After(limit)
	for {
		s.mu.Lock()
		evs := slices.Clone(s.events)
		s.mu.Unlock()
		if len(evs) > 0 && evs[len(evs)-1].votes >= votes {
			return evs
		}
		select {
		case <-s.more:
		case <-deadline:
			b.Fatalf("the stream never showed %d votes", votes)
		}
	}
}

func (s *stream) close() { s.resp.Body.Close() }
