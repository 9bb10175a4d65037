package web_test

// Browser tests of the survey: headless Chromium, driven with the keyboard
// only, with JavaScript off and on, and axe-core on every kind of page.
// Without Chromium or axe-core they skip, except under CI (CI set), where
// they fail: .ci/run installs both.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// newTab returns a tab of the shared browser in a browser context of its
// own (its own storage), closed when the test ends, with a deadline.
func newTab(t *testing.T) context.Context {
	t.Helper()
	path := chromePath()
	if path == "" {
		need(t, "no Chromium found: install it or set CHROME_PATH")
	}
	browser.once.Do(func() { startBrowser(path) })
	if browser.err != nil {
		t.Fatalf("Chromium (%s) did not start: %v", path, browser.err)
	}
	tab, cancelTab := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		t.Fatalf("new tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 40*time.Second)
	t.Cleanup(func() { cancel(); cancelTab() })
	return ctx
}

// disableScript turns JavaScript off in the tab, before it navigates.
func disableScript(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
}

// enableScript turns JavaScript back on; a page already loaded without it
// does not run its scripts now.
func enableScript(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// keys presses keys on whatever has the focus, as a person would.
func keys(t *testing.T, ctx context.Context, keys ...string) {
	t.Helper()
	do(t, ctx, fmt.Sprintf("keys %q", keys), chromedp.KeyEvent(strings.Join(keys, "")))
}

// enter presses Enter as a keyboard does: one keydown that carries the
// text, so the keypress is dropped when the keydown's default action took
// it (following a link), and a keyup. chromedp's "\r" sends a separate char
// event too, which the browser process would have suppressed: it lands on
// whatever the link moved the focus to, and a radio button would send the
// form.
func enter(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text, p.UnmodifiedText = "\r", "\r"
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			t.Fatalf("Enter: %v", err)
		}
	}
}

// focused reports whether the element with the focus matches selector. It
// asks the DOM, not the page's script, so it works with JavaScript off.
func focused(t *testing.T, ctx context.Context, selector string) bool {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(selector+":focus"), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatalf("focus of %s: %v", selector, err)
	}
	return len(nodes) > 0
}

// tabTo presses Tab until the element matching selector has the focus.
func tabTo(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	for range 60 {
		if focused(t, ctx, selector) {
			return
		}
		keys(t, ctx, kb.Tab)
	}
	t.Fatalf("Tab never reached %s", selector)
}

// expectFocus fails unless selector has the focus within a moment (a key
// press, or a new page's autofocus, takes effect asynchronously).
func expectFocus(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	for range 40 {
		if focused(t, ctx, selector) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	{
		nodes, _ := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(":focus"), chromedp.AtLeast(0)))
		var has []string
		for _, n := range nodes {
			has = append(has, n.LocalName+"#"+n.AttributeValue("id"))
		}
		t.Fatalf("%s does not have the focus; %v has", selector, has)
	}
}

func attrOf(t *testing.T, ctx context.Context, selector, name string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if err != nil {
		t.Fatalf("%s[%s]: %v", selector, name, err)
	}
	return v.Value
}

func waitFor(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	do(t, ctx, "wait for "+selector, chromedp.WaitReady(chromedp.CSS(selector)))
}

// TestBrowserArabicWithoutJavaScript answers the test survey in Arabic
// with JavaScript off and the keyboard only: Enter on a radio button sends
// the form (not a language button), the 422 page puts the focus on its
// error summary, its link leads to the question, and Send ends on the
// thank-you page with the answers stored.
func TestBrowserArabicWithoutJavaScript(t *testing.T) {
	ctx := newTab(t)
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	base := serve(t, h.srv)
	disableScript(t, ctx)

	do(t, ctx, "open the survey", chromedp.Navigate(base+"/w/"+w.ID+"?lang=ar"))
	if got := attrOf(t, ctx, "html", "dir"); got != "rtl" {
		t.Fatalf("<html dir=%q>", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(".progress"), chromedp.AtLeast(0))); len(n) != 0 {
		t.Fatal("the script ran although JavaScript is off")
	}
	key := attrOf(t, ctx, "input[name=idempotency_key]", "value")

	// Answer one question and press Enter: the required question is missing.
	tabTo(t, ctx, "#q-home_safe-1")
	keys(t, ctx, kb.ArrowDown) // sometimes
	enter(t, ctx)
	waitFor(t, ctx, ".error-summary")
	if got := attrOf(t, ctx, "html", "lang"); got != "ar" {
		t.Fatalf("Enter switched the language to %q", got)
	}
	expectFocus(t, ctx, ".error-summary")
	keys(t, ctx, kb.Tab)
	expectFocus(t, ctx, `.error-summary a[href="#q-age_band-1"]`)
	enter(t, ctx)
	expectFocus(t, ctx, "#q-age_band-1")

	keys(t, ctx, kb.ArrowDown) // 18-20
	tabTo(t, ctx, "#q-has_pa-1")
	keys(t, ctx, " ") // yes
	keys(t, ctx, kb.Tab)
	expectFocus(t, ctx, "#q-pa_trust-1")
	keys(t, ctx, kb.ArrowDown) // no
	keys(t, ctx, kb.Tab)
	expectFocus(t, ctx, "#q-anxiety-1")
	// The scale reads 0 to 10 from left to right on a right-to-left page
	// too, so the right arrow goes up.
	for range 7 {
		keys(t, ctx, kb.ArrowRight)
	}
	keys(t, ctx, kb.Tab)
	expectFocus(t, ctx, "#q-areas-1")
	keys(t, ctx, " ", kb.Tab, kb.Tab)
	expectFocus(t, ctx, "#q-areas-3")
	keys(t, ctx, " ", kb.Tab)
	expectFocus(t, ctx, "#q-anything_else")
	keys(t, ctx, "شكرا لكم")
	tabTo(t, ctx, "button.send")
	enter(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.WaitReady(chromedp.CSS("h1[data-sent]"))); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main"), chromedp.AtLeast(0)))
		t.Fatalf("no thank-you page: at %s: %.3000s", loc, body)
	}

	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if want := base + "/w/" + w.ID + "/thanks?lang=ar"; loc != want {
		t.Errorf("ended on %s, want %s", loc, want)
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	got, lang := h.storedAnswers(w.ID, key, testSurvey(t))
	want := survey.Answers{"age_band": "18-20", "home_safe": "sometimes", "has_pa": "yes", "pa_trust": "no",
		"anxiety": 7, "areas": []string{"housing", "friends"}, "anything_else": "شكرا لكم"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored answers mismatch (-want +got):\n%s", diff)
	}
	if lang != "ar" {
		t.Errorf("stored language %q", lang)
	}

	// The seed survey draws in full without JavaScript too.
	seedWave := h.surveyWave("leeds", "life-beyond-care", store.AccessCodes)
	do(t, ctx, "open the seed survey", chromedp.Navigate(base+"/w/"+seedWave.ID+"?lang=ar"))
	qs, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("[data-q]"), chromedp.NodeVisible))
	if err != nil || len(qs) < 30 {
		t.Fatalf("the seed survey shows %d questions (%v)", len(qs), err)
	}
	tabTo(t, ctx, "#code")
}

// flakyAPI drops the first submission's connection after storing it, then
// answers the next with 503, so the page must retry with the same key.
type flakyAPI struct {
	next  http.Handler
	calls atomic.Int32
}

func (f *flakyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/v1/waves/") {
		f.next.ServeHTTP(w, r)
		return
	}
	switch f.calls.Add(1) {
	case 1: // stored, but the answer never arrives
		f.next.ServeHTTP(httptest.NewRecorder(), r)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			conn.Close()
		}
	case 2:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// TestBrowserTigrinyaWithJavaScript answers the test survey in Tigrinya
// with JavaScript on and the keyboard only, one section at a time: the
// follow-up question appears when it applies, the draft survives a reload,
// and the submission survives a dropped connection and a busy server,
// saying so, and is stored once.
func TestBrowserTigrinyaWithJavaScript(t *testing.T) {
	ctx := newTab(t)
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	api := &flakyAPI{next: h.srv}
	base := serve(t, api)
	page := base + "/w/" + w.ID + "?lang=ti"

	do(t, ctx, "open the survey", chromedp.Navigate(page))
	waitFor(t, ctx, ".progress")
	if got := attrOf(t, ctx, "html", "dir"); got != "ltr" {
		t.Fatalf("<html dir=%q>", got)
	}
	progress, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".progress")))
	if !strings.Contains(progress, "1") || !strings.Contains(progress, "2") {
		t.Errorf("progress %q does not say section 1 of 2", progress)
	}
	if hidden := attrOf(t, ctx, "#s-home", "hidden"); hidden != "" {
		t.Error("the second section shows before the first is done")
	}
	tabTo(t, ctx, "#q-age_band-1")
	keys(t, ctx, kb.ArrowDown, kb.ArrowDown) // 21-25

	// A reload keeps the answer: the draft is on the phone.
	do(t, ctx, "reload", chromedp.Navigate(page))
	waitFor(t, ctx, ".progress")
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('q-age_band-3').checked`)); !ok {
		t.Fatal("the draft was not restored after a reload")
	}
	draft, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`localStorage.getItem('yousaid:draft:`+w.ID+`')`))
	if strings.Contains(draft, "code") || !strings.Contains(draft, "21-25") {
		t.Errorf("draft %s", draft)
	}

	tabTo(t, ctx, ".pager .button")
	enter(t, ctx)
	expectFocus(t, ctx, "#s-home-h")
	if hidden := attrOf(t, ctx, "#s-about", "hidden"); hidden != "" {
		t.Error("the first section still shows")
	}
	keys(t, ctx, kb.Tab)
	expectFocus(t, ctx, "#q-home_safe-1")
	keys(t, ctx, " ") // always
	if _, err := chromedp.Run(ctx, chromedp.WaitNotVisible(chromedp.CSS("#qq-pa_trust"))); err != nil {
		t.Fatal(err)
	}
	keys(t, ctx, kb.Tab)
	expectFocus(t, ctx, "#q-has_pa-1")
	keys(t, ctx, " ") // yes: the follow-up appears
	keys(t, ctx, kb.Tab)
	expectFocus(t, ctx, "#q-pa_trust-1")
	keys(t, ctx, " ") // yes
	keys(t, ctx, kb.Tab, kb.ArrowRight, kb.ArrowRight, kb.ArrowRight)
	expectFocus(t, ctx, "#q-anxiety-4") // 3
	keys(t, ctx, kb.Tab, kb.Tab)
	expectFocus(t, ctx, "#q-areas-2")
	keys(t, ctx, " ") // money
	tabTo(t, ctx, "#q-anything_else")
	keys(t, ctx, "ሰላም")

	offline, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('survey').dataset.tOffline`))
	busy, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('survey').dataset.tBusy`))
	tabTo(t, ctx, "button.send")
	enter(t, ctx)
	for _, want := range []string{offline, busy} {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](
			fmt.Sprintf(`document.getElementById('survey-status').textContent === %q`, want),
			chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("the page never said %q: %v", want, err)
		}
	}
	waitFor(t, ctx, "h1[data-sent]")
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if want := base + "/w/" + w.ID + "/thanks?lang=ti"; loc != want {
		t.Errorf("ended on %s, want %s", loc, want)
	}
	if n := api.calls.Load(); n != 3 {
		t.Errorf("%d submissions, want 3 (dropped, busy, stored)", n)
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	var key struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal([]byte(draft), &key); err != nil {
		t.Fatal(err)
	}
	got, lang := h.storedAnswers(w.ID, key.Key, testSurvey(t))
	want := survey.Answers{"age_band": "21-25", "home_safe": "always", "has_pa": "yes", "pa_trust": "yes",
		"anxiety": 3, "areas": []string{"money"}, "anything_else": "ሰላም"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored answers mismatch (-want +got):\n%s", diff)
	}
	if lang != "ti" {
		t.Errorf("stored language %q", lang)
	}
	if left, _ := chromedp.Run(ctx, chromedp.Evaluate[*string](`localStorage.getItem('yousaid:draft:`+w.ID+`')`)); left != nil {
		t.Errorf("the draft is still on the phone after sending: %s", *left)
	}
}

// runAxe injects axe-core into the page and fails the test for any
// violation, listing each with the elements at fault.
func runAxe(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", what, err)
	}
	report, err := chromedp.Run(ctx, chromedp.Evaluate[axeReport](
		`axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'], resultTypes: ['violations']})
		.then(r => ({violations: r.violations, passes: r.passes.length}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", what, err)
	}
	if report.Passes < 20 {
		t.Fatalf("%s: axe-core checked only %d rules: did it run?", what, report.Passes)
	}
	for _, v := range report.Violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprint(n.Target))
		}
		t.Errorf("%s: axe %s (%s): %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(targets, "\n\t"))
	}
}

// TestBrowserAxe runs axe-core on the survey page (with JavaScript on, one
// section at a time, and off, all sections), the page of errors and the
// thank-you page, in English, Arabic and Tigrinya.
func TestBrowserAxe(t *testing.T) {
	axePathname := axePath()
	if axePathname == "" {
		need(t, "axe-core not found: run `npm ci --prefix .ci` or set AXE_CORE_PATH")
	}
	axe, err := os.ReadFile(axePathname)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	h := newHarness(t)
	h.council("leeds")
	err = h.store.SetCouncilContacts(context.Background(), "leeds", []store.Contact{
		{Name: "Leeds leaving care team", Phone: "0113 222 4403", Email: "leavingcare@example.org", URL: "https://www.leeds.gov.uk/", Hours: "Monday to Friday, 9am to 5pm"},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := h.wave("leeds", store.AccessCodes)
	base := serve(t, h.srv)
	for _, lang := range []string{"en", "ar", "ti"} {
		page := base + "/w/" + w.ID + "?lang=" + lang
		do(t, ctx, "open "+lang, chromedp.Navigate(page))
		waitFor(t, ctx, ".progress")
		runAxe(t, ctx, string(axe), lang+" survey")

		// The page of errors: sent with the required answer and the code missing.
		do(t, ctx, "send "+lang+" empty", chromedp.Evaluate[chromedp.Void](`document.getElementById('survey').submit()`))
		waitFor(t, ctx, ".error-summary")
		runAxe(t, ctx, string(axe), lang+" errors")

		do(t, ctx, "thanks "+lang, chromedp.Navigate(base+"/w/"+w.ID+"/thanks?lang="+lang))
		waitFor(t, ctx, "h1[data-sent]")
		runAxe(t, ctx, string(axe), lang+" thanks")
	}
	// With JavaScript off, every section shows at once. (axe-core is
	// injected by the test, which the page's setting does not stop.)
	// axe-core needs timers, so script comes back on once the page has
	// loaded without it; survey.js, blocked at load, stays out.
	nojs := newTab(t)
	disableScript(t, nojs)
	do(t, nojs, "open without JavaScript", chromedp.Navigate(base+"/w/"+w.ID+"?lang=ar"))
	enableScript(t, nojs)
	if n, _ := chromedp.Run(nojs, chromedp.Nodes(chromedp.CSS(".progress"), chromedp.AtLeast(0))); len(n) != 0 {
		t.Fatal("survey.js ran")
	}
	runAxe(t, nojs, string(axe), "ar survey without JavaScript")
}

// TestBrowserScreenshots writes phone-sized pictures of the seed survey in
// English, Arabic and Tigrinya to docs/screenshots. It runs only with
// YOUSAID_SCREENSHOTS=1, so that ordinary runs do not rewrite them.
func TestBrowserScreenshots(t *testing.T) {
	if os.Getenv("YOUSAID_SCREENSHOTS") != "1" {
		t.Skip("set YOUSAID_SCREENSHOTS=1 to write docs/screenshots")
	}
	ctx := newTab(t)
	h := newHarness(t)
	h.council("leeds")
	w := h.surveyWave("leeds", "life-beyond-care", store.AccessOpen)
	base := serve(t, h.srv)
	dir := filepath.Join(repoRoot(), "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile))
	for _, lang := range []string{"en", "ar", "ti"} {
		do(t, ctx, "open "+lang, chromedp.Navigate(base+"/w/"+w.ID+"?lang="+lang))
		waitFor(t, ctx, ".progress")
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, "survey-"+lang+".png")
		if err := os.WriteFile(name, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", name, len(png))
	}
}
