package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"yousaid/server/internal/store"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startApp boots the whole platform on the embedded store in a temporary
// folder, listening on a free loopback port.
func startApp(t *testing.T, env map[string]string, args ...string) (base string, logs *lockedBuffer, dataDir string, stop func()) {
	t.Helper()
	return startAppIn(t, t.TempDir(), env, args...)
}

// startAppIn boots the platform on the data folder dataDir, which may hold
// the store of an earlier run.
func startAppIn(t *testing.T, dataDir string, env map[string]string, args ...string) (base string, logs *lockedBuffer, _ string, stop func()) {
	t.Helper()
	logs = &lockedBuffer{}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig(append([]string{"-addr", "127.0.0.1:0", "-data", dataDir}, args...), getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, cfg, newLogger(logs, "info"))
	lastApp = app
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx) }()
	base = "http://" + app.Addr()
	stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the server did not stop")
		}
	}
	return base, logs, dataDir, stop
}

func TestAppKeepsNoClientTraces(t *testing.T) {
	base, logs, dataDir, stop := startApp(t, map[string]string{
		"ADMIN_EMAIL": "admin@yousaid.example", "ADMIN_PASSWORD": "a very long password",
	}, "-demo")
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	const marker = "MarkerAgent/7.7 (privacy-test)"
	const address = "198.51.100.203"
	send := func(method, path, body string, header map[string]string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", marker)
		req.Header.Set("X-Forwarded-For", address)
		req.Header.Set("X-Real-IP", address)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		if resp := send("GET", path, "", nil); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	resp := send("POST", "/api/v1/auth/tokens", `{"email":"admin@yousaid.example","password":"a very long password"}`, nil)
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		t.Fatalf("admin sign-in: %d %v", resp.StatusCode, err)
	}
	auth := map[string]string{"Authorization": "Bearer " + tok.Token}
	resp = send("GET", "/api/v1/councils/demo/waves", "", auth)
	var waves struct{ Waves []struct{ ID, Survey string } }
	if err := json.NewDecoder(resp.Body).Decode(&waves); err != nil || len(waves.Waves) == 0 {
		t.Fatalf("demo waves: %d %v", resp.StatusCode, err)
	}
	wave := waves.Waves[0].ID
	// The home page of a demonstration platform offers its accounts and
	// open waves to try (handed to the web layer, which knows no demo).
	resp = send("GET", "/?lang=en", "", nil)
	home, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"admin@demo.example", "demo-password", `href="/c/demo"`, `href="/w/`} {
		if !strings.Contains(string(home), want) {
			t.Errorf("demo home page lacks %q", want)
		}
	}
	for i := range 5 {
		body := fmt.Sprintf(`{"language":"en","answers":{"anything_else":"privacy test %d"}}`, i)
		if resp := send("POST", "/api/v1/waves/"+wave+"/responses", body, nil); resp.StatusCode != 201 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("response: %d %s", resp.StatusCode, b)
		}
	}
	send("POST", "/api/v1/waves/"+wave+"/responses", `{"language":"en","answers":{"nope":1}}`, nil)
	send("GET", "/no/such/page?who="+address, "", nil)

	stop()
	stopped = true

	if !strings.Contains(logs.String(), `"route":"/api/v1/waves/:wave/responses"`) {
		t.Fatalf("the access log did not record the submissions:\n%s", logs)
	}
	for _, secret := range []string{marker, address, "MarkerAgent", "a very long password", tok.Token} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a log line contains %q", secret)
		}
	}
	files := 0
	err := filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, secret := range []string{marker, address, "MarkerAgent"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s contains %q", path, secret)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("the data folder is empty: the test looked at nothing")
	}
}

// lastApp is the app startAppIn booted last, for tests that look inside.
var lastApp *App

// TestCorruptedTallyIsRepairedAtStartUp: a tally changed by hand while the
// server was down is found and recounted when it starts again.
func TestCorruptedTallyIsRepairedAtStartUp(t *testing.T) {
	dir := t.TempDir()
	_, _, _, stop := startAppIn(t, dir, nil, "-demo")
	s := lastApp.Store
	ctx := context.Background()
	waves, err := s.CouncilWaves(ctx, "demo")
	if err != nil || len(waves) == 0 {
		t.Fatalf("demo waves: %v", err)
	}
	wave := waves[0].ID
	stored, err := s.CountResponses(ctx, wave)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Database().Collection("tallies").UpdateOne(ctx, map[string]any{"_id": store.TallyID(wave, "", "")},
		map[string]any{"$set": map[string]any{"c.r": 7}})
	if err != nil {
		t.Fatal(err)
	}
	stop()

	_, logs, _, stop := startAppIn(t, dir, nil, "-demo")
	defer stop()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ts, err := lastApp.Store.TalliesByID(ctx, []string{store.TallyID(wave, "", "")})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) == 1 && ts[0].Counts["r"] == stored && strings.Contains(logs.String(), "tally recounted") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tally was not repaired and reported: %+v, want r=%d\n%s", ts, stored, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRepairFlag(t *testing.T) {
	dir := t.TempDir()
	_, _, _, stop := startAppIn(t, dir, nil, "-demo")
	stop()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-repair", "-data", dir}, func(string) string { return "" }, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "waves checked, 0 fixed") {
		t.Fatalf("repair report:\n%s", out.String())
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "defaults", args: nil},
		{name: "env address", env: map[string]string{"ADDR": "127.0.0.1:9999"}},
		{name: "bad address", args: []string{"-addr", "8080"}, wantErr: "host:port"},
		{name: "short admin password", env: map[string]string{"ADMIN_EMAIL": "a@b.example", "ADMIN_PASSWORD": "short"}, wantErr: "at least 12"},
		{name: "password without email", env: map[string]string{"ADMIN_PASSWORD": "long enough password"}, wantErr: "both"},
		{name: "bad uri", env: map[string]string{"MONGODB_URI": "postgres://x"}, wantErr: "mongodb://"},
		{name: "bad demo", env: map[string]string{"DEMO": "perhaps"}, wantErr: "DEMO"},
		{name: "bad db name", args: []string{"-db", "a.b"}, wantErr: "database name"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected"},
		{name: "secret key", env: map[string]string{"SECRET_KEY": "Sm9nZ2luZyBpbiB0aGUgcGFyayBpcyBmdW4gYW5kIGc="}},
		{name: "short secret key", env: map[string]string{"SECRET_KEY": "c2hvcnQ="}, wantErr: "SECRET_KEY: the key is 5 bytes"},
		{name: "secret key and file", env: map[string]string{"SECRET_KEY": "Sm9nZ2luZyBpbiB0aGUgcGFyayBpcyBmdW4gYW5kIGc=", "SECRET_KEY_FILE": "/run/secrets/key"}, wantErr: "not both"},
		{name: "missing key file", env: map[string]string{"SECRET_KEY_FILE": "/no/such/file"}, wantErr: "SECRET_KEY_FILE"},
		{name: "previous key alone", env: map[string]string{"SECRET_KEY_PREVIOUS": "Sm9nZ2luZyBpbiB0aGUgcGFyayBpcyBmdW4gYW5kIGc="}, wantErr: "goes with SECRET_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tt.env["ADDR"] != "" && cfg.Addr != tt.env["ADDR"] {
					t.Fatalf("Addr = %q", cfg.Addr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
			for _, name := range []string{"SECRET_KEY", "SECRET_KEY_PREVIOUS"} {
				if v := tt.env[name]; v != "" && strings.Contains(err.Error(), v) {
					t.Errorf("the error quotes %s", name)
				}
			}
		})
	}
}
