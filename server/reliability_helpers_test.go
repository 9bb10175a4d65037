package main

// Helpers of the reliability tests (reliability_test.go): a whole app in
// this process with its limits and timeouts set by the test, a proxy
// between the app and its store that a test can cut, and the server built
// as a binary that a test can kill.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"yousaid/server/internal/store"
	"yousaid/tools/loadgen/load"
)

const (
	testAdminEmail    = "admin@reliability.example"
	testAdminPassword = "a long enough test password"
)

// reliableApp is a whole app serving in this process.
type reliableApp struct {
	app  *App
	base string
	logs *lockedBuffer
	stop func()
}

// startReliableApp boots the platform on loopback with no submission
// limits (the tests send far faster than a survey day) unless tune sets
// them, and with whatever else tune changes.
func startReliableApp(t *testing.T, env map[string]string, tune func(*Config)) *reliableApp {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	env["ADMIN_EMAIL"], env["ADMIN_PASSWORD"] = testAdminEmail, testAdminPassword
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-data", shortTempDir(t), "-wave-rate", "0", "-client-rate", "0"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(&cfg)
	}
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, cfg, newLogger(logs, "info"))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx) }()
	ra := &reliableApp{app: app, base: "http://" + app.Addr(), logs: logs}
	var once sync.Once
	ra.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Error("the server did not stop")
			}
		})
	}
	t.Cleanup(ra.stop)
	return ra
}

// shortTempDir is a temporary folder with a short path, so that the
// embedded store's socket fits in it (Linux allows 107 bytes).
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ysr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// openWave creates a council and an open wave of the seed survey straight
// in the store.
func openWave(t *testing.T, s *store.Store, council string) string {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateCouncil(ctx, &store.Council{Slug: council, Name: council + " council", Languages: []string{"en"}, MinCell: 5}); err != nil {
		t.Fatal(err)
	}
	w := &store.Wave{Council: council, Survey: "life-beyond-care", Version: 1, Name: "Reliability", Access: store.AccessOpen}
	if err := s.CreateWave(ctx, w); err != nil {
		t.Fatal(err)
	}
	return w.ID
}

// apiJSON sends a JSON request and decodes a JSON answer into out.
func apiJSON(t testing.TB, method, url, token string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		_ = json.Unmarshal(b, out)
	}
	return resp.StatusCode
}

// adminToken signs the test administrator in.
func adminToken(t *testing.T, base string) string {
	t.Helper()
	var tok struct{ Token string }
	if code := apiJSON(t, "POST", base+"/api/v1/auth/tokens", "", map[string]string{"email": testAdminEmail, "password": testAdminPassword}, &tok); code != 201 {
		t.Fatalf("admin sign-in: %d", code)
	}
	return tok.Token
}

// resultsToken returns the admin's token when the server has a results
// endpoint (so that the audit checks the results too), else "".
func resultsToken(t *testing.T, base, wave string) string {
	t.Helper()
	token := adminToken(t, base)
	if code := apiJSON(t, "GET", base+"/api/v1/waves/"+wave+"/results", token, nil, nil); code != 200 {
		t.Logf("results not readable (%d): the audit checks the store and the tally only", code)
		return ""
	}
	return token
}

// storeProxy forwards TCP connections on loopback to the store's Unix
// socket, and can cut every connection and refuse new ones, as a store
// that crashed or a network that broke would.
type storeProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newStoreProxy(t *testing.T, unixSocket string) *storeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &storeProxy{ln: ln, target: unixSocket, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.Cut()
		p.wg.Wait()
	})
	return p
}

// URI is the connection string through the proxy.
func (p *storeProxy) URI() string {
	return "mongodb://" + p.ln.Addr().String() + "/?directConnection=true"
}

func (p *storeProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.Dial("unix", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

// Cut closes every connection and refuses new ones until Restore.
func (p *storeProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
}

// Restore lets connections through again.
func (p *storeProxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

// TestMain removes the server binary that the crash test and the
// start-up benchmark build.
func TestMain(m *testing.M) {
	code := m.Run()
	if serverBinary.path != "" {
		_ = os.RemoveAll(filepath.Dir(serverBinary.path))
	}
	os.Exit(code)
}

// serverBinary builds the server once per test binary run.
var serverBinary = struct {
	once sync.Once
	path string
	err  error
}{}

func buildServer(t testing.TB) string {
	t.Helper()
	serverBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "ysbin")
		if err != nil {
			serverBinary.err = err
			return
		}
		serverBinary.path = filepath.Join(dir, "yousaid")
		cmd := exec.Command("go", "build", "-o", serverBinary.path, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			serverBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if serverBinary.err != nil {
		t.Fatal(serverBinary.err)
	}
	return serverBinary.path
}

// childServer is the server binary running as a process of its own.
type childServer struct {
	started time.Time
	cmd     *exec.Cmd
	addr    string
	stdout  *lockedBuffer
	exited  chan struct{}
}

// freeLoopbackAddr finds a port that is free now, so that a restarted
// server can come back on the address its clients know.
func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startChild runs the built server on addr and dataDir and waits until it
// listens.
func startChild(t testing.TB, bin, addr, dataDir string, env ...string) *childServer {
	t.Helper()
	c := &childServer{stdout: &lockedBuffer{}, exited: make(chan struct{}), addr: addr}
	c.cmd = exec.Command(bin, "-addr", addr, "-data", dataDir)
	c.cmd.Env = append(os.Environ(), append([]string{
		"ADMIN_EMAIL=" + testAdminEmail, "ADMIN_PASSWORD=" + testAdminPassword, "MONGODB_URI=",
	}, env...)...)
	pr, pw := io.Pipe()
	c.cmd.Stdout = pw
	c.cmd.Stderr = c.stdout
	c.started = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			_, _ = c.stdout.Write([]byte(line + "\n"))
			if !signalled && strings.Contains(line, "yousaid is listening") {
				signalled = true
				close(listening)
			}
		}
	}()
	go func() {
		_ = c.cmd.Wait()
		_ = pw.Close()
		close(c.exited)
	}()
	t.Cleanup(func() { c.kill() })
	select {
	case <-listening:
	case <-c.exited:
		t.Fatalf("the server exited at start:\n%s", c.stdout)
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not start listening within 60s:\n%s", c.stdout)
	}
	return c
}

// kill ends the process at once, as a power cut or the OOM killer would.
func (c *childServer) kill() {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// stop asks the process to shut down cleanly.
func (c *childServer) stop(t testing.TB) {
	t.Helper()
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		t.Error("the server did not stop within 30s of SIGINT")
		c.kill()
	}
}

// waitLog waits for a line containing what in the process's output.
func (c *childServer) waitLog(t testing.TB, what string, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(c.stdout.String(), what) {
			return time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %q in the server's output within %s", what, within)
	return time.Time{}
}

// waitReady polls /readyz until 200 and says how long it waited.
func waitReady(t testing.TB, base string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(start)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not ready within %s", base, within)
	return 0
}

// auditOK fails t with the audit's problems.
func auditOK(t *testing.T, a *load.Audit) {
	t.Helper()
	t.Logf("audit: %d acknowledged, %d not (%d refused); store +%d (%d the load's), tally +%d, results +%d",
		a.Acked, a.Unresolved, a.Refused, a.StoredNew, a.OursStored, a.CountedNew, a.ResultsNew)
	for _, p := range a.Problems {
		t.Errorf("audit: %s", p)
	}
}
