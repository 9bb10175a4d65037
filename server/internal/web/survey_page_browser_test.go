package web_test

// Browser tests of the survey: headless Chromium, driven with the keyboard
// only, with JavaScript off and on, and axe-core on every kind of page.
// Without Chromium or axe-core they skip, except under CI (CI set), where
// they fail: see browser_kit_test.go.

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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// The keyboard, the focus and script on and off: what these tests do that
// the kit's other users do not.

// disableScript turns JavaScript off in the tab, before it navigates.
func (tab *browserTab) disableScript() {
	tab.t.Helper()
	tab.do("turn JavaScript off", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
}

// enableScript turns JavaScript back on; a page already loaded without it
// does not run its scripts now.
func (tab *browserTab) enableScript() {
	tab.t.Helper()
	tab.do("turn JavaScript on", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return chromedp.Void{}, err
	})
}

// keys presses keys on whatever has the focus, as a person would.
func (tab *browserTab) keys(keys ...string) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("keys %q", keys), chromedp.KeyEvent(strings.Join(keys, "")))
}

// enter presses Enter as a keyboard does: one keydown that carries the
// text, so the keypress is dropped when the keydown's default action took
// it (following a link), and a keyup. chromedp's "\r" sends a separate char
// event too, which the browser process would have suppressed: it lands on
// whatever the link moved the focus to, and a radio button would send the
// form.
func (tab *browserTab) enter() {
	tab.t.Helper()
	tab.do("Enter", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
			if typ == input.DispatchKeyEventTypeKeyDown {
				p.Text, p.UnmodifiedText = "\r", "\r"
			}
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	})
}

// focused reports whether the element with the focus matches selector. It
// asks the DOM, not the page's script, so it works with JavaScript off.
func (tab *browserTab) focused(selector string) bool {
	tab.t.Helper()
	nodes, err := get(tab, chromedp.Nodes(chromedp.CSS(selector+":focus"), chromedp.AtLeast(0)))
	if err != nil {
		tab.t.Fatalf("focus of %s: %v\n%s", selector, err, tab.describe())
	}
	return len(nodes) > 0
}

// tabTo presses Tab until the element matching selector has the focus.
func (tab *browserTab) tabTo(selector string) {
	tab.t.Helper()
	for range 60 {
		if tab.focused(selector) {
			return
		}
		tab.keys(kb.Tab)
	}
	tab.t.Fatalf("Tab never reached %s", selector)
}

// expectFocus fails unless selector has the focus within a moment (a key
// press, or a new page's autofocus, takes effect asynchronously).
func (tab *browserTab) expectFocus(selector string) {
	tab.t.Helper()
	for range 40 {
		if tab.focused(selector) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	nodes, _ := get(tab, chromedp.Nodes(chromedp.CSS(":focus"), chromedp.AtLeast(0)))
	var has []string
	for _, n := range nodes {
		has = append(has, n.LocalName+"#"+n.AttributeValue("id"))
	}
	tab.t.Fatalf("%s does not have the focus; %v has", selector, has)
}

// TestBrowserArabicWithoutJavaScript answers the test survey in Arabic
// with JavaScript off and the keyboard only: Enter on a radio button sends
// the form (not a language button), the 422 page puts the focus on its
// error summary, its link leads to the question, and Send ends on the
// thank-you page with the answers stored.
func TestBrowserArabicWithoutJavaScript(t *testing.T) {
	tab := youngPersonTab(t)
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	base := serve(t, h.srv)
	tab.disableScript()

	tab.navigate(base + "/w/" + w.ID + "?lang=ar")
	if got := tab.attr("html", "dir"); got != "rtl" {
		t.Fatalf("<html dir=%q>", got)
	}
	if n, _ := get(tab, chromedp.Nodes(chromedp.CSS(".progress"), chromedp.AtLeast(0))); len(n) != 0 {
		t.Fatal("the script ran although JavaScript is off")
	}
	key := tab.attr("input[name=idempotency_key]", "value")

	// Answer one question and press Enter: the required question is missing.
	tab.tabTo("#q-home_safe-1")
	tab.keys(kb.ArrowDown) // sometimes
	tab.enter()
	tab.waitFor(".error-summary")
	if got := tab.attr("html", "lang"); got != "ar" {
		t.Fatalf("Enter switched the language to %q", got)
	}
	tab.expectFocus(".error-summary")
	tab.keys(kb.Tab)
	tab.expectFocus(`.error-summary a[href="#q-age_band-1"]`)
	tab.enter()
	tab.expectFocus("#q-age_band-1")

	tab.keys(kb.ArrowDown) // 18-20
	tab.tabTo("#q-has_pa-1")
	tab.keys(" ") // yes
	tab.keys(kb.Tab)
	tab.expectFocus("#q-pa_trust-1")
	tab.keys(kb.ArrowDown) // no
	tab.keys(kb.Tab)
	tab.expectFocus("#q-anxiety-1")
	// The scale reads 0 to 10 from left to right on a right-to-left page
	// too, so the right arrow goes up.
	for range 7 {
		tab.keys(kb.ArrowRight)
	}
	tab.keys(kb.Tab)
	tab.expectFocus("#q-areas-1")
	tab.keys(" ", kb.Tab, kb.Tab)
	tab.expectFocus("#q-areas-3")
	tab.keys(" ", kb.Tab)
	tab.expectFocus("#q-anything_else")
	tab.keys("شكرا لكم")
	tab.tabTo("button.send")
	tab.enter()
	tab.waitFor("h1[data-sent]") // on failure, shows where the tab is instead

	loc, err := get(tab, chromedp.Location())
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
	tab.navigate(base + "/w/" + seedWave.ID + "?lang=ar")
	qs, err := get(tab, chromedp.Nodes(chromedp.CSSAll("[data-q]"), chromedp.NodeVisible))
	if err != nil || len(qs) < 30 {
		t.Fatalf("the seed survey shows %d questions (%v)", len(qs), err)
	}
	tab.tabTo("#code")
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
	tab := youngPersonTab(t)
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	api := &flakyAPI{next: h.srv}
	base := serve(t, api)
	page := base + "/w/" + w.ID + "?lang=ti"

	tab.open(page, ".progress")
	if got := tab.attr("html", "dir"); got != "ltr" {
		t.Fatalf("<html dir=%q>", got)
	}
	progress, _ := get(tab, chromedp.Text(chromedp.CSS(".progress")))
	if !strings.Contains(progress, "1") || !strings.Contains(progress, "2") {
		t.Errorf("progress %q does not say section 1 of 2", progress)
	}
	if hidden := tab.attr("#s-home", "hidden"); hidden != "" {
		t.Error("the second section shows before the first is done")
	}
	tab.tabTo("#q-age_band-1")
	tab.keys(kb.ArrowDown, kb.ArrowDown) // 21-25

	// A reload keeps the answer: the draft is on the phone.
	tab.open(page, ".progress")
	if ok, _ := get(tab, chromedp.Evaluate[bool](`document.getElementById('q-age_band-3').checked`)); !ok {
		t.Fatal("the draft was not restored after a reload")
	}
	draft, _ := get(tab, chromedp.Evaluate[string](`localStorage.getItem('yousaid:draft:`+w.ID+`')`))
	if strings.Contains(draft, "code") || !strings.Contains(draft, "21-25") {
		t.Errorf("draft %s", draft)
	}

	tab.tabTo(".pager .button")
	tab.enter()
	tab.expectFocus("#s-home-h")
	if hidden := tab.attr("#s-about", "hidden"); hidden != "" {
		t.Error("the first section still shows")
	}
	tab.keys(kb.Tab)
	tab.expectFocus("#q-home_safe-1")
	tab.keys(" ") // always
	if _, err := get(tab, chromedp.WaitNotVisible(chromedp.CSS("#qq-pa_trust"))); err != nil {
		t.Fatal(err)
	}
	tab.keys(kb.Tab)
	tab.expectFocus("#q-has_pa-1")
	tab.keys(" ") // yes: the follow-up appears
	tab.keys(kb.Tab)
	tab.expectFocus("#q-pa_trust-1")
	tab.keys(" ") // yes
	tab.keys(kb.Tab, kb.ArrowRight, kb.ArrowRight, kb.ArrowRight)
	tab.expectFocus("#q-anxiety-4") // 3
	tab.keys(kb.Tab, kb.Tab)
	tab.expectFocus("#q-areas-2")
	tab.keys(" ") // money
	tab.tabTo("#q-anything_else")
	tab.keys("ሰላም")

	offline, _ := get(tab, chromedp.Evaluate[string](`document.getElementById('survey').dataset.tOffline`))
	busy, _ := get(tab, chromedp.Evaluate[string](`document.getElementById('survey').dataset.tBusy`))
	tab.tabTo("button.send")
	tab.enter()
	for _, want := range []string{offline, busy} {
		_, err := get(tab, chromedp.Poll[chromedp.Void](
			fmt.Sprintf(`document.getElementById('survey-status').textContent === %q`, want),
			chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("the page never said %q: %v", want, err)
		}
	}
	tab.waitFor("h1[data-sent]")
	loc, _ := get(tab, chromedp.Location())
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
	if left, _ := get(tab, chromedp.Evaluate[*string](`localStorage.getItem('yousaid:draft:`+w.ID+`')`)); left != nil {
		t.Errorf("the draft is still on the phone after sending: %s", *left)
	}
}

// TestBrowserAxe runs axe-core on the survey page (with JavaScript on, one
// section at a time, and off, all sections), the page of errors and the
// thank-you page, in English, Arabic and Tigrinya.
func TestBrowserAxe(t *testing.T) {
	needAxe(t)
	tab := youngPersonTab(t)
	h := newHarness(t)
	h.council("leeds")
	err := h.store.SetCouncilContacts(context.Background(), "leeds", []store.Contact{
		{Name: "Leeds leaving care team", Phone: "0113 222 4403", Email: "leavingcare@example.org", URL: "https://www.leeds.gov.uk/", Hours: "Monday to Friday, 9am to 5pm"},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := h.wave("leeds", store.AccessCodes)
	base := serve(t, h.srv)
	for _, lang := range []string{"en", "ar", "ti"} {
		page := base + "/w/" + w.ID + "?lang=" + lang
		tab.open(page, ".progress")
		tab.runAxe(lang + " survey")

		// The page of errors: sent with the required answer and the code missing.
		tab.do("send "+lang+" empty", chromedp.Evaluate[chromedp.Void](`document.getElementById('survey').submit()`))
		tab.waitFor(".error-summary")
		tab.runAxe(lang + " errors")

		tab.open(base+"/w/"+w.ID+"/thanks?lang="+lang, "h1[data-sent]")
		tab.runAxe(lang + " thanks")
	}
	// With JavaScript off, every section shows at once. (axe-core is
	// injected by the test, which the page's setting does not stop.)
	// axe-core needs timers, so script comes back on once the page has
	// loaded without it; survey.js, blocked at load, stays out.
	nojs := youngPersonTab(t)
	nojs.disableScript()
	nojs.navigate(base + "/w/" + w.ID + "?lang=ar")
	nojs.enableScript()
	if n, _ := get(nojs, chromedp.Nodes(chromedp.CSS(".progress"), chromedp.AtLeast(0))); len(n) != 0 {
		t.Fatal("survey.js ran")
	}
	nojs.runAxe("ar survey without JavaScript")
}

// TestBrowserScreenshots writes phone-sized pictures of the seed survey in
// English, Arabic and Tigrinya to docs/screenshots. It runs only with
// YOUSAID_SCREENSHOTS=1, so that ordinary runs do not rewrite them.
func TestBrowserScreenshots(t *testing.T) {
	if os.Getenv("YOUSAID_SCREENSHOTS") != "1" {
		t.Skip("set YOUSAID_SCREENSHOTS=1 to write docs/screenshots")
	}
	tab := youngPersonTab(t)
	h := newHarness(t)
	h.council("leeds")
	w := h.surveyWave("leeds", "life-beyond-care", store.AccessOpen)
	base := serve(t, h.srv)
	dir := filepath.Join(repoRoot(), "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tab.do("viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile))
	for _, lang := range []string{"en", "ar", "ti"} {
		tab.open(base+"/w/"+w.ID+"?lang="+lang, ".progress")
		png, err := get(tab, chromedp.CaptureScreenshot())
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
