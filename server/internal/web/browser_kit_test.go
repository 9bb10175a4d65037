package web_test

// The browser-test kit: one headless Chromium for the test binary, a tab
// per person (each in a browser context of its own, so no cookie or
// draft is shared), steps with deadlines of their own that say what the
// page looked like when they fail, and axe-core with the project's rules.
//
// Without Chromium or axe-core a browser test skips, except under CI (CI
// set), where it fails: .ci/run installs both.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

const (
	// stepTimeout bounds one step in a tab: opening it, a navigation, a
	// wait for an element, a key press, a script. A page of ours loads in
	// well under a second alone and in seconds on a loaded machine, so a
	// step that takes this long is a page that will not come: the failure
	// then shows the page, long before go test's own timeout.
	stepTimeout = 45 * time.Second
	// axeTimeout bounds one axe-core run, the slowest step: a long page
	// takes it tens of seconds on a loaded machine.
	axeTimeout = 2 * time.Minute
	// harnessPassword is every harness user's password (harness.user).
	harnessPassword = "correct horse battery"
)

// need skips a test for want of a tool, or fails it under CI, where a test
// that needs the tool must run.
func need(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set, so this test must run: "+format, args...)
	}
	t.Skipf(format, args...)
}

// chromePath finds Chromium: $CHROME_PATH, else the usual names.
func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// repoRoot is the module's root, found from this file's folder.
func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// axePath finds axe.min.js: $AXE_CORE_PATH, else the copy .ci/run installs,
// else a node_modules at the root.
func axePath() string {
	if p := os.Getenv("AXE_CORE_PATH"); p != "" {
		return p
	}
	root := repoRoot()
	for _, p := range []string{".ci/node_modules/axe-core/axe.min.js", "node_modules/axe-core/axe.min.js"} {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			return filepath.Join(root, p)
		}
	}
	return ""
}

// axeCore is axe.min.js, read once.
var axeCore struct {
	once sync.Once
	src  string
	err  error
}

// needAxe returns axe-core's source, or skips (fails under CI) without it.
// A test calls it first, before any set-up, so that it stops at once.
func needAxe(t testing.TB) string {
	t.Helper()
	path := axePath()
	if path == "" {
		need(t, "axe-core not found: run `npm ci --prefix .ci` or set AXE_CORE_PATH")
	}
	axeCore.once.Do(func() {
		b, err := os.ReadFile(path)
		axeCore.src, axeCore.err = string(b), err
	})
	if axeCore.err != nil {
		t.Fatalf("reading axe-core: %v", axeCore.err)
	}
	return axeCore.src
}

// The one browser of the test binary, started on first use and stopped by
// TestMain through closeBrowser.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	dir    string
	err    error
}

func startBrowser(path string) {
	browser.dir, browser.err = os.MkdirTemp("", "yousaid-chromium-")
	if browser.err != nil {
		return
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(browser.dir),
		chromedp.WindowSize(390, 844),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	browser.ctx = ctx
	browser.cancel = func() { cancelCtx(); cancelAlloc() }
	// The first run starts the browser and binds its life to ctx, so it
	// has no timeout of its own.
	browser.err = chromedp.Do(ctx)
}

// closeBrowser stops the shared browser, if one was started.
func closeBrowser() {
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
}

// serve runs a handler (the harness's server) on a loopback port for the
// browser. httptest.NewServer listens before it returns, so the browser
// can navigate at once.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// browserTab is one tab of the shared browser in a browser context of its
// own: its own cookies and storage, as one person's phone. It has no
// deadline of its own; each step has one (stepTimeout), so that a slow
// step fails by its own name, showing the page, and one slow page does not
// use up the time of the steps after it.
type browserTab struct {
	t    testing.TB
	ctx  context.Context
	step time.Duration // each step's deadline: stepTimeout but in the kit's own test

	mu     sync.Mutex
	opened string // the URL the test last opened
	doc    string // the last HTML document the tab received...
	status int64  // ...and its HTTP status
}

// youngPersonTab opens a tab as an anonymous young person on their own
// phone (or anyone signed out): no session, no draft. It is closed when
// the test ends.
func youngPersonTab(t testing.TB) *browserTab {
	t.Helper()
	path := chromePath()
	if path == "" {
		need(t, "no Chromium found: install it or set CHROME_PATH")
	}
	browser.once.Do(func() { startBrowser(path) })
	if browser.err != nil {
		t.Fatalf("Chromium (%s) did not start: %v", path, browser.err)
	}
	tab := &browserTab{t: t, step: stepTimeout}
	ctx, cancel := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext(),
		chromedp.WithListener(tab.record))
	t.Cleanup(cancel)
	tab.ctx = ctx
	// The tab lives as long as the context of its first run, so that run
	// cannot have a deadline: wait for it with one instead.
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(ctx) }()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("opening a tab: %v", err)
		}
	case <-time.After(stepTimeout):
		t.Fatalf("opening a tab took over %s", stepTimeout)
	}
	return tab
}

// record notes the status of each HTML document the tab receives, for
// failure messages. It runs on the tab's reading goroutine: it must be quick.
func (tab *browserTab) record(ev any) {
	if ev, ok := ev.(*network.EventResponseReceived); ok && ev.Type == network.ResourceTypeDocument {
		tab.mu.Lock()
		tab.doc, tab.status = ev.Response.URL, ev.Response.Status
		tab.mu.Unlock()
	}
}

// staffTab opens a tab and signs a member of staff in through the sign-in
// page, as staff do; it waits for the staff menu, which every role's has
// with a link to the account page.
func staffTab(t testing.TB, base, email string) *browserTab {
	t.Helper()
	tab := youngPersonTab(t)
	tab.signIn(base+"/signin", email, `nav.nav a[href="/staff/account"]`)
	return tab
}

// signIn signs email in with the harness's password through the sign-in
// page at signinURL (which may carry lang and next), then waits for ready,
// an element of the page the sign-in leads to.
func (tab *browserTab) signIn(signinURL, email, ready string) {
	tab.t.Helper()
	tab.open(signinURL, "form #password")
	tab.submitForm(`form[action="/signin"]`, map[string]string{"email": email, "password": harnessPassword}, "", ready)
}

// staffSessionTab opens a tab signed in with a staff session cookie that
// the harness issued (harness.signIn), skipping the sign-in page.
func staffSessionTab(t testing.TB, base, cookie string) *browserTab {
	t.Helper()
	tab := youngPersonTab(t)
	ctx, cancel := context.WithTimeout(tab.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "yousaid_session", Value: cookie, URL: base + "/"}); err != nil {
		t.Fatalf("setting the session cookie: %v", err)
	}
	return tab
}

// open navigates to url and waits for ready, an element that only the
// expected page has: a wrong page (an error, the sign-in page) then fails
// within stepTimeout, showing what came instead.
func (tab *browserTab) open(url, ready string) {
	tab.t.Helper()
	tab.navigate(url)
	tab.waitFor(ready)
}

// navigate goes to url and waits for its load event, whatever its status.
func (tab *browserTab) navigate(url string) {
	tab.t.Helper()
	tab.mu.Lock()
	tab.opened = url
	tab.mu.Unlock()
	tab.do("open "+url, chromedp.Navigate(url))
}

// do runs actions, within one step's deadline.
func (tab *browserTab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	start := time.Now()
	if _, err := get(tab, chromedp.Steps(actions...)); err != nil {
		tab.t.Fatalf("%s: %v after %s\n%s", what, err, time.Since(start).Round(time.Millisecond), tab.describe())
	}
}

// get runs an action that reads a value, within one step's deadline.
func get[T any](tab *browserTab, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(tab.ctx, tab.step)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// waitFor waits until an element matches selector, for at most a step's
// deadline.
func (tab *browserTab) waitFor(selector string) {
	tab.t.Helper()
	tab.do("wait for "+selector, chromedp.WaitReady(chromedp.CSS(selector)))
}

// submitForm fills a form's fields by name, sends it (in lang, if set),
// and waits for ready, an element of the page that answers.
func (tab *browserTab) submitForm(form string, values map[string]string, lang, ready string) {
	tab.t.Helper()
	sel, _ := json.Marshal(form)
	vals, _ := json.Marshal(values)
	l, _ := json.Marshal(lang)
	tab.do("submit "+form, chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.querySelector(`+string(sel)+`);
		const v = `+string(vals)+`;
		for (const k in v) { f.elements[k].value = v[k]; }
		const lang = `+string(l)+`;
		if (lang) { const u = new URL(f.action); u.searchParams.set('lang', lang); f.action = u.toString(); }
		f.submit();
	})()`))
	tab.waitFor(ready)
}

// attr is the value of an attribute of the element matching selector.
func (tab *browserTab) attr(selector, name string) string {
	tab.t.Helper()
	v, err := get(tab, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if err != nil {
		tab.t.Fatalf("%s[%s]: %v\n%s", selector, name, err, tab.describe())
	}
	return v.Value
}

var spaces = regexp.MustCompile(`\s+`)

// describe says, for a failure message, which URL the test opened, the
// last document the tab received and its HTTP status, where the tab is
// now, its title, and the start of its body: enough to tell a slow
// machine (the right page, late) from a broken page (an error, the
// sign-in page, a page without the element).
func (tab *browserTab) describe() string {
	tab.mu.Lock()
	opened, doc, status := tab.opened, tab.doc, tab.status
	tab.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "\topened:   %s\n", opened)
	if doc != "" {
		fmt.Fprintf(&b, "\treceived: %s (HTTP %d)\n", doc, status)
	}
	// The page may be the thing that is stuck: a short deadline of its own.
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
	defer cancel()
	// As DevTools, so that it works with the page's JavaScript off.
	now, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[struct {
		URL   string `json:"url"`
		Title string `json:"title"`
		State string `json:"state"`
		HTML  string `json:"html"`
	}](`({url: location.href, title: document.title, state: document.readyState,
		html: (document.body || document.documentElement || {outerHTML: ''}).outerHTML})`))
	if err != nil {
		fmt.Fprintf(&b, "\tthe page could not be read: %v", err)
		return b.String()
	}
	html := spaces.ReplaceAllString(now.HTML, " ")
	if len(html) > 1500 {
		html = html[:1500] + " …"
	}
	fmt.Fprintf(&b, "\tnow at:   %s (%s), title %q\n\tbody:     %s", now.URL, now.State, now.Title, html)
	return b.String()
}

// axeReport is what axe.run returns that a failing test shows.
type axeReport struct {
	Passes     int `json:"passes"` // how many rules found nothing wrong
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
}

// axeRules are the axe-core tags the project holds every page to: WCAG
// 2.2 A and AA, and axe's best practices.
const axeRules = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']`

// runAxe injects axe-core into the page and fails the test for any
// violation, listing each with the elements at fault. what names the page.
func (tab *browserTab) runAxe(what string) {
	tab.t.Helper()
	axe := needAxe(tab.t)
	ctx, cancel := context.WithTimeout(tab.ctx, axeTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		tab.t.Fatalf("%s: injecting axe-core: %v\n%s", what, err, tab.describe())
	}
	start := time.Now()
	report, err := chromedp.Run(ctx, chromedp.Evaluate[axeReport](
		`axe.run(document, {runOnly: `+axeRules+`, resultTypes: ['violations']})
		.then(r => ({violations: r.violations, passes: r.passes.length}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		tab.t.Fatalf("%s: axe.run: %v after %s\n%s", what, err, time.Since(start).Round(time.Millisecond), tab.describe())
	}
	if report.Passes < 20 {
		tab.t.Fatalf("%s: axe-core checked only %d rules: did it run?", what, report.Passes)
	}
	for _, v := range report.Violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprint(n.Target))
		}
		tab.t.Errorf("%s: axe %s (%s): %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(targets, "\n\t"))
	}
}

// recordingTB stands in for a test in TestNeed: it notes whether need
// failed or skipped it, and stops the goroutine as testing.T would.
type recordingTB struct {
	testing.TB
	failed, skipped bool
	message         string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.failed, r.message = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recordingTB) Skipf(string, ...any) {
	r.skipped = true
	runtime.Goexit()
}

// TestNeed holds the CI rule: a browser test without its tools fails when
// CI is set (.ci/run installs them, so a skip there would hide a broken
// set-up) and skips otherwise.
func TestNeed(t *testing.T) {
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		r := &recordingTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			need(r, "no %s", "Chromium")
		}()
		<-done
		if want := ci != ""; r.failed != want || r.skipped == want {
			t.Errorf("CI=%q: failed %v, skipped %v; want failed %v", ci, r.failed, r.skipped, want)
		}
	}
}

// TestBrowserKitWaitShowsThePage waits for an element on a page that does
// not have it (a 404) and checks that the failure says what the next
// engineer needs: the wait, the URL opened, the HTTP status, where the tab
// is, its title and its body.
func TestBrowserKitWaitShowsThePage(t *testing.T) {
	h := newHarness(t)
	base := serve(t, h.srv)
	tab := youngPersonTab(t)
	r := &recordingTB{TB: t}
	tab.t, tab.step = r, 2*time.Second
	url := base + "/no-such-page?lang=en"
	done := make(chan struct{})
	go func() {
		defer close(done)
		tab.open(url, "#survey-title")
	}()
	<-done
	if !r.failed {
		t.Fatal("the wait for a missing element did not fail")
	}
	for _, want := range []string{"wait for #survey-title", "opened:   " + url, "(HTTP 404)", "now at:   " + url, "title \"", "body:     <body"} {
		if !strings.Contains(r.message, want) {
			t.Errorf("the failure does not say %q:\n%s", want, r.message)
		}
	}
}
