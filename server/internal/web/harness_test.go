package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"yousaid/frontend"
	"yousaid/locales"
	"yousaid/seed"
	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/secretbox"
	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/server/internal/tally"
	"yousaid/server/internal/web"
	"yousaid/survey"
)

func TestMain(m *testing.M) {
	code := storetest.Main(m)
	closeBrowser() // the browser tests' one Chromium, if they started it
	os.Exit(code)
}

// syncBuffer collects log lines from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is one whole web server on its own database.
type harness struct {
	t     testing.TB
	store *store.Store
	srv   *web.Server
	tally *tally.Writer
	// storeClosed is set by tests that cut the store off on purpose: the
	// tally writer cannot write its last counts then.
	storeClosed bool
	logs        *syncBuffer
	now         time.Time
	// secrets seals TOTP secrets (a fresh key per harness); opts builds
	// the server again with another key (withSecrets).
	secrets *secretbox.Box
	opts    web.Options
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, 20*time.Millisecond)
}

// newHarnessWith sets the tally flush interval: tests flush often to see
// results at once; benchmarks use the production default.
func newHarnessWith(t testing.TB, tallyInterval time.Duration) *harness {
	t.Helper()
	h := &harness{t: t, logs: &syncBuffer{}, now: time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return h.now }
	h.store = storetest.Open(t, store.Options{Now: clock, MaxPoolSize: benchPool()})
	ctx := context.Background()
	defs := [][]byte{mustRead(t, "testdata/test-survey.json")}
	seeds, err := seed.Surveys()
	if err != nil {
		t.Fatal(err)
	}
	defs = append(defs, seeds...)
	for _, data := range defs {
		def, err := survey.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.store.PutSurvey(ctx, def); err != nil {
			t.Fatal(err)
		}
	}
	bundle, err := locale.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := page.New(frontend.FS, bundle)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(h.logs, nil))
	h.tally = tally.New(h.store, logger, tally.Options{Interval: tallyInterval, Mask: survey.MaskPersonalData})
	if err := h.tally.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		timeout := 10 * time.Second
		if h.storeClosed {
			timeout = 100 * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := h.tally.Stop(ctx); err != nil && !h.storeClosed {
			t.Errorf("tally.Stop: %v", err)
		}
	})
	h.secrets = newSecrets(t)
	h.opts = web.Options{
		Store: h.store, Logger: logger, Locale: bundle, Pages: pages, Tally: h.tally, Now: clock,
	}
	h.withSecrets(h.secrets)
	return h
}

// newSecrets is a box with a fresh random key.
func newSecrets(t testing.TB) *secretbox.Box {
	t.Helper()
	k, err := secretbox.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := secretbox.ParseKey(k)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secretbox.New(raw)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// withSecrets replaces the server with one that seals TOTP secrets with
// box (nil: no SECRET_KEY), on the same store, as a restart would.
func (h *harness) withSecrets(box *secretbox.Box) {
	h.t.Helper()
	opts := h.opts
	opts.Secrets = box
	srv, err := web.New(opts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.srv = srv
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// request is one HTTP request to the harness.
type request struct {
	method, path string
	body         any // string or []byte sent as is; anything else as JSON
	token        string
	header       map[string]string
}

func (h *harness) do(r request) *httptest.ResponseRecorder {
	h.t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// council creates a council directly in the store.
func (h *harness) council(slug string) {
	h.t.Helper()
	err := h.store.CreateCouncil(context.Background(), &store.Council{Slug: slug, Name: slug + " council", Languages: []string{"en", "ar"}, MinCell: 5})
	if err != nil {
		h.t.Fatal(err)
	}
}

// user creates a user and returns an API token for them.
func (h *harness) user(email, role, council string) string {
	h.t.Helper()
	ctx := context.Background()
	hash, err := web.HashPassword("correct horse battery")
	if err != nil {
		h.t.Fatal(err)
	}
	u := &store.User{Email: email, PasswordHash: hash, Role: role, Council: council}
	if err := h.store.CreateUser(ctx, u); err != nil {
		h.t.Fatal(err)
	}
	token, _, err := h.store.CreateToken(ctx, u.ID, store.TokenAPI, time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return token
}

// wave opens a wave of the test survey directly in the store.
func (h *harness) wave(council, access string) *store.Wave {
	h.t.Helper()
	w := &store.Wave{Council: council, Survey: "test-survey", Version: 1, Name: "Test wave", Access: access}
	if err := h.store.CreateWave(context.Background(), w); err != nil {
		h.t.Fatal(err)
	}
	return w
}

func (h *harness) countResponses(wave string) int64 {
	h.t.Helper()
	n, err := h.store.CountResponses(context.Background(), wave)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// apiErr is the contract's error body.
type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func decodeErr(t *testing.T, rec *httptest.ResponseRecorder) apiErr {
	t.Helper()
	var e apiErr
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, rec.Body)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error body lacks code or message: %s", rec.Body)
	}
	if strings.Contains(e.Error.Message, "Error") && !strings.Contains(e.Error.Message, " ") {
		t.Fatalf("error message is a message id, not a sentence: %q", e.Error.Message)
	}
	return e
}
