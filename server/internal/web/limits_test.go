package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"yousaid/frontend"
	"yousaid/locales"
	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/server/internal/web"
)

// withLimits is a second server over the harness's store and tally
// writer, with limits of the test's choosing.
func (h *harness) withLimits(l web.Limits) *web.Server {
	h.t.Helper()
	bundle, err := locale.New(locales.FS)
	if err != nil {
		h.t.Fatal(err)
	}
	pages, err := page.New(frontend.FS, bundle)
	if err != nil {
		h.t.Fatal(err)
	}
	srv, err := web.New(web.Options{
		Store: h.store, Logger: slog.New(slog.NewJSONHandler(h.logs, nil)), Locale: bundle, Pages: pages,
		Tally: h.tally, Now: func() time.Time { return h.now }, Limits: l,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return srv
}

// from sends a request from a client address.
func from(srv http.Handler, addr, method, path string, body string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = addr
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func retryAfter(t *testing.T, rec *httptest.ResponseRecorder) int {
	t.Helper()
	n, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("Retry-After %q: want whole seconds, at least 1", rec.Header().Get("Retry-After"))
	}
	return n
}

func signinJSON(email, password string) string {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return string(b)
}

// TestSignInThrottledPerAccount: after five failures an email is refused
// for a while, the right password included, with 429 and Retry-After on
// the API and the sign-in page again, 429, on the form; the answer is the
// same whether the email exists; other emails are unaffected.
func TestSignInThrottledPerAccount(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	h.user("other@leeds.example", store.RoleFacilitator, "leeds")
	srv := h.srv

	for _, email := range []string{"fac@leeds.example", "nobody@leeds.example"} {
		for i := range web.DefaultAccountSignIns.Burst {
			// Each failure from a different address: the account's limit
			// holds however many addresses the guesses come from.
			addr := "198.51.100." + strconv.Itoa(10+i) + ":4000"
			if rec := from(srv, addr, "POST", "/api/v1/auth/tokens", signinJSON(email, "wrong password!"), nil); rec.Code != 401 {
				t.Fatalf("%s failure %d: %d", email, i+1, rec.Code)
			}
		}
	}
	right := from(srv, "198.51.100.99:4000", "POST", "/api/v1/auth/tokens", signinJSON("fac@leeds.example", "correct horse battery"), nil)
	ghost := from(srv, "198.51.100.98:4000", "POST", "/api/v1/auth/tokens", signinJSON("nobody@leeds.example", "correct horse battery"), nil)
	if right.Code != 429 || ghost.Code != 429 {
		t.Fatalf("after the failures: %d and %d, want 429", right.Code, ghost.Code)
	}
	if e := decodeErr(t, right); e.Error.Code != "too_many_requests" {
		t.Errorf("code %q", e.Error.Code)
	}
	if wait := retryAfter(t, right); wait < 30 || wait > 60 {
		t.Errorf("Retry-After %d s, want about a minute", wait)
	}
	if right.Body.String() != ghost.Body.String() {
		t.Errorf("a throttled known email answers differently from an unknown one:\n%s\n%s", right.Body, ghost.Body)
	}
	form := from(srv, "198.51.100.97:4000", "POST", "/signin", url.Values{"email": {"FAC@leeds.example "}, "password": {"correct horse battery"}}.Encode(), nil)
	if form.Code != 429 || len(form.Result().Cookies()) != 0 {
		t.Fatalf("form while throttled: %d", form.Code)
	}
	retryAfter(t, form)
	if !strings.Contains(form.Body.String(), `id="email"`) || !strings.Contains(form.Body.String(), "too many sign-in attempts") {
		t.Errorf("the throttled form does not show the sign-in page with the reason")
	}
	if rec := from(srv, "198.51.100.96:4000", "POST", "/api/v1/auth/tokens", signinJSON("other@leeds.example", "correct horse battery"), nil); rec.Code != 201 {
		t.Errorf("another account was throttled too: %d", rec.Code)
	}
	// A minute later one more try is allowed.
	h.now = h.now.Add(61 * time.Second)
	if rec := from(srv, "198.51.100.95:4000", "POST", "/api/v1/auth/tokens", signinJSON("fac@leeds.example", "correct horse battery"), nil); rec.Code != 201 {
		t.Errorf("after waiting: %d, want 201", rec.Code)
	}
}

// TestSignInThrottledPerClient: one address guessing at many emails is
// stopped after twenty failures; X-Forwarded-For does not change who the
// client is; another address is unaffected; a success costs nothing; and
// neither the address nor anything derived from it is logged.
func TestSignInThrottledPerClient(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	const attacker = "203.0.113.77:5555"
	for range 3 {
		if rec := from(h.srv, attacker, "POST", "/api/v1/auth/tokens", signinJSON("fac@leeds.example", "correct horse battery"), nil); rec.Code != 201 {
			t.Fatalf("good sign-in: %d", rec.Code)
		}
	}
	for i := range web.DefaultClientSignIns.Burst {
		rec := from(h.srv, attacker, "POST", "/api/v1/auth/tokens", signinJSON("guess"+strconv.Itoa(i)+"@leeds.example", "wrong password!"),
			map[string]string{"X-Forwarded-For": "192.0.2." + strconv.Itoa(i), "X-Real-IP": "192.0.2." + strconv.Itoa(i)})
		if rec.Code != 401 {
			t.Fatalf("failure %d: %d", i+1, rec.Code)
		}
	}
	rec := from(h.srv, attacker, "POST", "/api/v1/auth/tokens", signinJSON("fac@leeds.example", "correct horse battery"), map[string]string{"X-Forwarded-For": "192.0.2.200"})
	if rec.Code != 429 {
		t.Fatalf("after %d failures from one address: %d, want 429", web.DefaultClientSignIns.Burst, rec.Code)
	}
	if wait := retryAfter(t, rec); wait > 10 {
		t.Errorf("Retry-After %d s, want at most 10", wait)
	}
	if rec := from(h.srv, "203.0.113.78:5555", "POST", "/api/v1/auth/tokens", signinJSON("fac@leeds.example", "correct horse battery"), nil); rec.Code != 201 {
		t.Errorf("another address: %d, want 201", rec.Code)
	}
	// IPv6 clients are one client per /64.
	for i := range web.DefaultClientSignIns.Burst {
		addr := "[2001:db8:1:2::" + strconv.FormatInt(int64(i+1), 16) + "]:443"
		from(h.srv, addr, "POST", "/api/v1/auth/tokens", signinJSON("v6-"+strconv.Itoa(i)+"@leeds.example", "wrong password!"), nil)
	}
	if rec := from(h.srv, "[2001:db8:1:2::ffff]:443", "POST", "/api/v1/auth/tokens", signinJSON("fac@leeds.example", "correct horse battery"), nil); rec.Code != 429 {
		t.Errorf("another address in the same /64: %d, want 429", rec.Code)
	}
	for _, secret := range []string{"203.0.113.77", "203.0.113", "2001:db8", "192.0.2."} {
		if strings.Contains(h.logs.String(), secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}

// TestWaveSubmissionLimit: a wave takes its burst, then 429 with
// Retry-After and nothing stored; another wave is unaffected; the tokens
// come back with time.
func TestWaveSubmissionLimit(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	srv := h.withLimits(web.Limits{WaveSubmissions: web.Rate{PerSecond: 1, Burst: 3}})
	a, b := h.wave("leeds", store.AccessOpen), h.wave("leeds", store.AccessOpen)
	body := `{"language":"en","answers":{"age_band":"18-20"}}`
	for i := range 3 {
		if rec := from(srv, "192.0.2."+strconv.Itoa(i)+":1", "POST", "/api/v1/waves/"+a.ID+"/responses", body, nil); rec.Code != 201 {
			t.Fatalf("submission %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := from(srv, "192.0.2.9:1", "POST", "/api/v1/waves/"+a.ID+"/responses", body, nil)
	if rec.Code != 429 {
		t.Fatalf("over the wave's burst: %d, want 429", rec.Code)
	}
	retryAfter(t, rec)
	if e := decodeErr(t, rec); e.Error.Code != "too_many_requests" {
		t.Errorf("code %q", e.Error.Code)
	}
	form := from(srv, "192.0.2.10:1", "POST", "/w/"+a.ID, url.Values{"lang": {"en"}, "age_band": {"18-20"}}.Encode(), nil)
	if form.Code == http.StatusSeeOther || form.Header().Get("Retry-After") == "" {
		t.Errorf("the form over the wave's limit: %d Retry-After %q; want no thank-you and a Retry-After", form.Code, form.Header().Get("Retry-After"))
	}
	if n := h.countResponses(a.ID); n != 3 {
		t.Errorf("%d stored, want 3", n)
	}
	if rec := from(srv, "192.0.2.11:1", "POST", "/api/v1/waves/"+b.ID+"/responses", body, nil); rec.Code != 201 {
		t.Errorf("another wave: %d", rec.Code)
	}
	h.now = h.now.Add(time.Second)
	if rec := from(srv, "192.0.2.12:1", "POST", "/api/v1/waves/"+a.ID+"/responses", body, nil); rec.Code != 201 {
		t.Errorf("a second later: %d", rec.Code)
	}
}

// TestClientSubmissionLimit: one address gets its burst, then 429; the
// next address is unaffected; X-Forwarded-For is not believed.
func TestClientSubmissionLimit(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	srv := h.withLimits(web.Limits{ClientSubmissions: web.Rate{PerSecond: 0.5, Burst: 2}})
	w := h.wave("leeds", store.AccessOpen)
	body := `{"language":"en","answers":{"age_band":"18-20"}}`
	for i := range 2 {
		if rec := from(srv, "198.51.100.1:1000", "POST", "/api/v1/waves/"+w.ID+"/responses", body, map[string]string{"X-Forwarded-For": "10.0.0." + strconv.Itoa(i)}); rec.Code != 201 {
			t.Fatalf("submission %d: %d", i+1, rec.Code)
		}
	}
	rec := from(srv, "198.51.100.1:1001", "POST", "/api/v1/waves/"+w.ID+"/responses", body, map[string]string{"X-Forwarded-For": "10.0.0.99"})
	if rec.Code != 429 {
		t.Fatalf("third from one address: %d, want 429", rec.Code)
	}
	if wait := retryAfter(t, rec); wait != 2 {
		t.Errorf("Retry-After %d, want 2", wait)
	}
	form := from(srv, "198.51.100.1:1002", "POST", "/w/"+w.ID, url.Values{"lang": {"en"}, "age_band": {"18-20"}}.Encode(), nil)
	if form.Code != 429 || form.Header().Get("Retry-After") == "" {
		t.Errorf("form from the same address: %d, want 429 with Retry-After", form.Code)
	}
	if rec := from(srv, "198.51.100.2:1000", "POST", "/api/v1/waves/"+w.ID+"/responses", body, nil); rec.Code != 201 {
		t.Errorf("another address: %d", rec.Code)
	}
	if n := h.countResponses(w.ID); n != 3 {
		t.Errorf("%d stored, want 3", n)
	}
}

// TestInFlightCap: with every slot held by a request whose body has not
// arrived, the next API request gets 503 busy with Retry-After at once,
// a page the busy page, the health checks still answer, and the slots
// come back when the slow requests end.
func TestInFlightCap(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	srv := h.withLimits(web.Limits{MaxInFlight: 2})
	w := h.wave("leeds", store.AccessOpen)
	var writers []*io.PipeWriter
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		req := httptest.NewRequest("POST", "/api/v1/waves/"+w.ID+"/responses", pr)
		req.Header.Set("Content-Type", "application/json")
		wg.Go(func() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			codes <- rec.Code
		})
		if _, err := pw.Write([]byte(`{"language":`)); err != nil { // the handler is reading
			t.Fatal(err)
		}
	}
	rec := from(srv, "192.0.2.1:1", "GET", "/api/v1/surveys", "", nil)
	if rec.Code != 503 || decodeErr(t, rec).Error.Code != "busy" {
		t.Fatalf("API above the cap: %d %s", rec.Code, rec.Body)
	}
	retryAfter(t, rec)
	rec = from(srv, "192.0.2.1:1", "GET", "/", "", nil)
	if rec.Code != 503 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("page above the cap: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := from(srv, "192.0.2.1:1", "GET", "/healthz", "", nil); rec.Code != 200 {
		t.Errorf("/healthz above the cap: %d", rec.Code)
	}
	for _, pw := range writers {
		_, _ = pw.Write([]byte(`"en","answers":{"age_band":"18-20"}}`))
		_ = pw.Close()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 201 {
			t.Errorf("a slow request finished with %d", c)
		}
	}
	if rec := from(srv, "192.0.2.1:1", "GET", "/api/v1/surveys", "", nil); rec.Code != 200 {
		t.Errorf("after the slow requests: %d", rec.Code)
	}
	_ = context.Background()
}
