package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"golang.org/x/net/html"

	"yousaid/locales"
	"yousaid/seed"
	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/locale"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// surveyGet GETs a survey page as a browser would, with optional headers.
func (h *harness) surveyGet(path string, header map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// surveyPost posts the survey form as a browser on the same site would.
func (h *harness) surveyPost(path string, form url.Values) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// surveyWave opens a wave of any stored survey.
func (h *harness) surveyWave(council, surveyID, access string) *store.Wave {
	h.t.Helper()
	w := &store.Wave{Council: council, Survey: surveyID, Version: 1, Name: "Wave of " + surveyID, Access: access}
	if err := h.store.CreateWave(context.Background(), w); err != nil {
		h.t.Fatal(err)
	}
	return w
}

// languagesSurvey stores the test survey under another id, claiming the
// right-to-left languages too (their text falls back to English), and
// returns its id.
func (h *harness) languagesSurvey() string {
	h.t.Helper()
	def, err := survey.Load(mustRead(h.t, "testdata/test-survey.json"))
	if err != nil {
		h.t.Fatal(err)
	}
	def.ID = "languages-survey"
	def.Languages = []string{"en", "ar", "fa", "fa-AF", "ps", "ckb", "ti", "cy"}
	if err := h.store.PutSurvey(context.Background(), def); err != nil {
		h.t.Fatal(err)
	}
	return def.ID
}

func testSurvey(t testing.TB) *survey.Definition {
	t.Helper()
	def, err := survey.Load(mustRead(t, "testdata/test-survey.json"))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// storedAnswers returns the answers stored for the form sent with key.
func (h *harness) storedAnswers(wave, key string, def *survey.Definition) (survey.Answers, string) {
	h.t.Helper()
	r, err := h.store.Response(context.Background(), store.ResponseID(wave, key))
	if err != nil {
		h.t.Fatalf("no response stored under the form's key: %v", err)
	}
	return survey.NormaliseStored(def, r.Answers), r.Language
}

func parsePage(t *testing.T, rec *httptest.ResponseRecorder) *html.Node {
	t.Helper()
	return htmltest.Parse(t, rec.Body.String())
}

// formKey is the idempotency key the page put into its form.
func formKey(t *testing.T, doc *html.Node) string {
	t.Helper()
	key := htmltest.Attr(htmltest.One(t, doc, "form#survey input[name=idempotency_key]"), "value")
	if _, err := uuid.Parse(key); err != nil {
		t.Fatalf("idempotency_key %q is not a UUID", key)
	}
	return key
}

// assertPrivateHeaders checks what every survey page must answer with.
func assertPrivateHeaders(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if c := rec.Header().Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("survey page sets a cookie: %q", c)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q: want one that allows only our own script", csp)
	}
	if got := rec.Header().Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", got)
	}
}

// checked returns the values of the checked controls named name.
func checked(doc *html.Node, name string) []string {
	var out []string
	for _, n := range htmltest.All(doc, "input[name="+name+"][checked]") {
		out = append(out, htmltest.Attr(n, "value"))
	}
	return out
}

func TestSurveyPageLanguage(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.surveyWave("leeds", h.languagesSurvey(), store.AccessOpen)
	tests := []struct {
		name, query, accept string
		wantLang, wantDir   string
	}{
		{name: "no preference", wantLang: "en", wantDir: "ltr"},
		{name: "arabic", query: "ar", wantLang: "ar", wantDir: "rtl"},
		{name: "farsi", query: "fa", wantLang: "fa", wantDir: "rtl"},
		{name: "dari", query: "fa-AF", wantLang: "fa-AF", wantDir: "rtl"},
		{name: "pashto", query: "ps", wantLang: "ps", wantDir: "rtl"},
		{name: "sorani", query: "ckb", wantLang: "ckb", wantDir: "rtl"},
		{name: "tigrinya", query: "ti", wantLang: "ti", wantDir: "ltr"},
		{name: "welsh", query: "cy", wantLang: "cy", wantDir: "ltr"},
		{name: "lang beats Accept-Language", query: "ti", accept: "ar", wantLang: "ti", wantDir: "ltr"},
		{name: "Accept-Language fa-AF finds Dari", accept: "fa-AF,fa;q=0.8", wantLang: "fa-AF", wantDir: "rtl"},
		{name: "Accept-Language prs finds Dari", accept: "prs", wantLang: "fa-AF", wantDir: "rtl"},
		{name: "Accept-Language ar-SD finds Arabic", accept: "ar-SD,en;q=0.5", wantLang: "ar", wantDir: "rtl"},
		{name: "a language the survey lacks", accept: "de-DE", wantLang: "en", wantDir: "ltr"},
		{name: "an interface language the survey lacks", query: "am", accept: "ps", wantLang: "ps", wantDir: "rtl"},
		{name: "lang in another spelling", query: "FA_af", wantLang: "fa-AF", wantDir: "rtl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/w/" + w.ID
			if tt.query != "" {
				path += "?lang=" + url.QueryEscape(tt.query)
			}
			rec := h.surveyGet(path, map[string]string{"Accept-Language": tt.accept})
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", path, rec.Code)
			}
			assertPrivateHeaders(t, rec)
			doc := parsePage(t, rec)
			root := htmltest.One(t, doc, "html")
			if got := htmltest.Attr(root, "lang"); got != tt.wantLang {
				t.Errorf("<html lang=%q>, want %q", got, tt.wantLang)
			}
			if got := htmltest.Attr(root, "dir"); got != tt.wantDir {
				t.Errorf("<html dir=%q>, want %q", got, tt.wantDir)
			}
			if got := htmltest.Attr(htmltest.One(t, doc, "form#survey input[name=lang]"), "value"); got != tt.wantLang {
				t.Errorf("the form sends lang=%q, want %q", got, tt.wantLang)
			}
			// The language buttons: every survey language, each in itself.
			var tags []string
			for _, b := range htmltest.All(doc, "form#survey button[name=switch_lang]") {
				tag := htmltest.Attr(b, "value")
				tags = append(tags, tag)
				if htmltest.Attr(b, "lang") != tag || htmltest.Attr(b, "dir") == "" || htmltest.Text(b) == "" {
					t.Errorf("language button %s: lang=%q dir=%q text %q", tag, htmltest.Attr(b, "lang"), htmltest.Attr(b, "dir"), htmltest.Text(b))
				}
				if htmltest.HasAttr(b, "aria-current") != (tag == tt.wantLang) {
					t.Errorf("language button %s: aria-current %v", tag, htmltest.HasAttr(b, "aria-current"))
				}
			}
			if diff := cmp.Diff([]string{"en", "ar", "fa", "fa-AF", "ps", "ckb", "ti", "cy"}, tags); diff != "" {
				t.Errorf("language buttons mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSurveyPageStructure(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	rec := h.surveyGet("/w/"+w.ID, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET: %d", rec.Code)
	}
	assertPrivateHeaders(t, rec)
	doc := parsePage(t, rec)

	if got := htmltest.Text(htmltest.One(t, doc, "main h1")); got != "Test survey" {
		t.Errorf("h1 %q", got)
	}
	script := htmltest.One(t, doc, "head script")
	if src := htmltest.Attr(script, "src"); !strings.HasPrefix(src, "/static/survey.js?v=") || !htmltest.HasAttr(script, "defer") {
		t.Errorf("script src=%q defer=%v, want our deferred file", src, htmltest.HasAttr(script, "defer"))
	}
	if n := len(htmltest.All(doc, "script")); n != 1 {
		t.Errorf("%d script elements, want 1", n)
	}
	form := htmltest.One(t, doc, "form#survey")
	if htmltest.Attr(form, "method") != "post" || htmltest.Attr(form, "action") != "/w/"+w.ID {
		t.Errorf("form method=%q action=%q", htmltest.Attr(form, "method"), htmltest.Attr(form, "action"))
	}
	formKey(t, doc)
	// The script's words come from the page, translated, never message IDs.
	for _, a := range form.Attr {
		if strings.HasPrefix(a.Key, "data-t-") && (a.Val == "" || !strings.ContainsAny(a.Val, " abcdefghijklmnopqrstuvwxyz") || strings.HasPrefix(a.Val, "Survey")) {
			t.Errorf("%s=%q is not a message", a.Key, a.Val)
		}
	}

	// The reassurance comes before the first question.
	intro := htmltest.One(t, doc, "form#survey div.intro")
	if !strings.Contains(htmltest.Text(intro), "anonymous") || !strings.Contains(htmltest.Text(intro), "skip") {
		t.Errorf("intro %q says nothing of anonymity and skipping", htmltest.Text(intro))
	}
	if !before(doc, intro, htmltest.All(doc, "[data-q]")[0]) {
		t.Error("the intro is not before the first question")
	}

	// A choice: radios in a fieldset with a legend, each a whole-row label;
	// a required question says so in words.
	age := htmltest.One(t, doc, "fieldset#qq-age_band")
	if legend := htmltest.One(t, age, "legend"); !strings.Contains(htmltest.Text(legend), "(required)") {
		t.Errorf("required question's legend %q does not say it is required", htmltest.Text(legend))
	}
	if n := len(htmltest.All(age, "label.option input[type=radio][name=age_band]")); n != 4 {
		t.Errorf("%d radios in labels for age_band, want 4", n)
	}
	if htmltest.Attr(htmltest.All(age, "input")[0], "id") != "q-age_band-1" {
		t.Error("the first control of age_band is not q-age_band-1")
	}
	if strings.Contains(htmltest.Text(htmltest.One(t, doc, "fieldset#qq-home_safe legend")), "(required)") {
		t.Error("an optional question is marked required")
	}

	// A scale: 11 radios from 0 to 10 in numeric order, with end labels.
	var scale []string
	for _, n := range htmltest.All(doc, "fieldset#qq-anxiety .scale input[type=radio]") {
		scale = append(scale, htmltest.Attr(n, "value"))
	}
	if diff := cmp.Diff([]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, scale); diff != "" {
		t.Errorf("scale mismatch (-want +got):\n%s", diff)
	}
	ends := htmltest.Text(htmltest.One(t, doc, "#q-anxiety-more"))
	if !strings.Contains(ends, "Not at all anxious") || !strings.Contains(ends, "Completely anxious") {
		t.Errorf("scale ends %q", ends)
	}
	if !strings.Contains(htmltest.Attr(htmltest.One(t, doc, "fieldset#qq-anxiety"), "aria-describedby"), "q-anxiety-more") {
		t.Error("the scale's fieldset is not described by its end labels")
	}

	// A multi: checkboxes, with the limit said.
	if n := len(htmltest.All(doc, "fieldset#qq-areas input[type=checkbox][name=areas]")); n != 3 {
		t.Errorf("%d checkboxes for areas, want 3", n)
	}
	if got := htmltest.Text(htmltest.One(t, doc, "#q-areas-more")); got != "Choose up to 2 answers." {
		t.Errorf("multi hint %q", got)
	}

	// A text: a labelled textarea with the survey's limit.
	ta := htmltest.One(t, doc, "textarea#q-anything_else")
	if htmltest.Attr(ta, "maxlength") != "200" || htmltest.Attr(ta, "name") != "anything_else" || htmltest.Attr(ta, "autocomplete") != "off" {
		t.Errorf("textarea maxlength=%q name=%q autocomplete=%q", htmltest.Attr(ta, "maxlength"), htmltest.Attr(ta, "name"), htmltest.Attr(ta, "autocomplete"))
	}
	htmltest.One(t, doc, "label[for=q-anything_else]")

	// A follow-up says which answer it follows, and survey.js can tell.
	pa := htmltest.One(t, doc, "fieldset#qq-pa_trust")
	if htmltest.Attr(pa, "data-if") != "has_pa" || htmltest.Attr(pa, "data-in") != "yes" {
		t.Errorf("pa_trust data-if=%q data-in=%q", htmltest.Attr(pa, "data-if"), htmltest.Attr(pa, "data-in"))
	}
	cond := htmltest.Text(htmltest.One(t, pa, "#q-pa_trust-if"))
	if want := `Answer this only if you answered "Yes" to "Do you know who your personal adviser is?".`; cond != want {
		t.Errorf("condition %q, want %q", cond, want)
	}

	// Every id is unique, and every control has a label.
	ids := map[string]bool{}
	for _, n := range htmltest.All(doc, "[id]") {
		id := htmltest.Attr(n, "id")
		if ids[id] {
			t.Errorf("id %q is used twice", id)
		}
		ids[id] = true
	}
	for _, n := range htmltest.All(form, "input") {
		if htmltest.Attr(n, "type") == "hidden" {
			continue
		}
		if !labelled(doc, n) {
			t.Errorf("input %s has no label", htmltest.Attr(n, "id"))
		}
	}
	// No code field on an open wave.
	if len(htmltest.All(doc, "input[name=code]")) != 0 {
		t.Error("an open wave asks for a code")
	}
}

// before reports whether a comes before b in document order.
func before(doc, a, b *html.Node) bool {
	for _, n := range htmltest.All(doc, "*") {
		switch n {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}

// labelled reports whether a control has a <label> around it or for it.
func labelled(doc, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "label" {
			return true
		}
	}
	return len(htmltest.All(doc, "label[for="+htmltest.Attr(n, "id")+"]")) == 1
}

func TestSurveyFormStoresOnceAndRedirects(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	def := testSurvey(t)
	key := formKey(t, parsePage(t, h.surveyGet("/w/"+w.ID+"?lang=ar", nil)))

	form := url.Values{
		"lang": {"ar"}, "idempotency_key": {key},
		"age_band": {"18-20"}, "home_safe": {"sometimes"}, "has_pa": {"yes"}, "pa_trust": {"no"},
		"anxiety": {"7"}, "areas": {"housing", "friends"}, "anything_else": {"  مرحبا  "},
	}
	for attempt := range 2 { // the second is a double tap: stored once
		rec := h.surveyPost("/w/"+w.ID, form)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("attempt %d: %d, want 303: %s", attempt, rec.Code, rec.Body)
		}
		if got, want := rec.Header().Get("Location"), "/w/"+w.ID+"/thanks?lang=ar"; got != want {
			t.Errorf("Location %q, want %q (nothing else in the URL)", got, want)
		}
		assertPrivateHeaders(t, rec)
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	got, lang := h.storedAnswers(w.ID, key, def)
	want := survey.Answers{"age_band": "18-20", "home_safe": "sometimes", "has_pa": "yes", "pa_trust": "no",
		"anxiety": 7, "areas": []string{"housing", "friends"}, "anything_else": "مرحبا"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored answers mismatch (-want +got):\n%s", diff)
	}
	if lang != "ar" {
		t.Errorf("stored language %q, want ar", lang)
	}
}

// TestSurveyFormSentAgainChangedSaysFirstAnswersKept: a form sent again
// with changed answers (the back button, then "Send") keeps the first
// answers only, and the thank-you page says so, with a way to start anew.
func TestSurveyFormSentAgainChangedSaysFirstAnswersKept(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	def := testSurvey(t)
	key := formKey(t, parsePage(t, h.surveyGet("/w/"+w.ID+"?lang=en", nil)))
	first := url.Values{"lang": {"en"}, "idempotency_key": {key}, "age_band": {"16-17"}, "home_safe": {"never"}}
	if rec := h.surveyPost("/w/"+w.ID, first); rec.Code != http.StatusSeeOther {
		t.Fatalf("first sending: %d, want 303", rec.Code)
	}
	changed := url.Values{"lang": {"en"}, "idempotency_key": {key}, "age_band": {"16-17"}, "home_safe": {"always"}}
	rec := h.surveyPost("/w/"+w.ID, changed)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("changed sending: %d, want 303", rec.Code)
	}
	location := rec.Header().Get("Location")
	if want := "/w/" + w.ID + "/thanks?lang=en&resent=1"; location != want {
		t.Fatalf("Location %q, want %q", location, want)
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	if got, _ := h.storedAnswers(w.ID, key, def); got["home_safe"] != "never" {
		t.Errorf("stored home_safe %v, want the first answer never", got["home_safe"])
	}
	doc := parsePage(t, h.surveyGet(location, nil))
	if got := htmltest.Text(htmltest.One(t, doc, "p.lead")); !strings.Contains(got, "we kept the answers you sent first") {
		t.Errorf("lead %q does not say the first answers were kept", got)
	}
	if got := htmltest.Attr(htmltest.One(t, doc, "a.new-survey"), "href"); got != "/w/"+w.ID+"?lang=en" {
		t.Errorf("new survey link %q", got)
	}
	// Sent once, the page only thanks.
	doc = parsePage(t, h.surveyGet("/w/"+w.ID+"/thanks?lang=en", nil))
	if got := htmltest.Text(htmltest.One(t, doc, "p.lead")); strings.Contains(got, "kept the answers") {
		t.Errorf("plain thank-you page says %q", got)
	}
}

func TestSurveyFormInvalidKeepsEveryAnswer(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	long := strings.Repeat("ب", 201)
	form := url.Values{
		"lang": {"ar"}, "idempotency_key": {uuid.NewString()},
		// age_band (required) missing; three areas where two are allowed;
		// a text one character too long.
		"home_safe": {"never"}, "has_pa": {"yes"}, "pa_trust": {"no"}, "anxiety": {"7"},
		"areas": {"housing", "money", "friends"}, "anything_else": {long},
	}
	rec := h.surveyPost("/w/"+w.ID, form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%d, want 422", rec.Code)
	}
	assertPrivateHeaders(t, rec)
	if n := h.countResponses(w.ID); n != 0 {
		t.Fatalf("%d responses stored after a 422", n)
	}
	doc := parsePage(t, rec)
	if got := htmltest.Attr(htmltest.One(t, doc, "html"), "lang"); got != "ar" {
		t.Errorf("the form came back in %q, want ar", got)
	}
	// The title says there are errors, in the page's language.
	wantTitle := arabic(t).T("DocumentTitleWithErrors", "Page", "")
	wantTitle = strings.TrimSpace(strings.Split(wantTitle, " – ")[0])
	if got := htmltest.Text(htmltest.One(t, doc, "title")); !strings.Contains(got, wantTitle) {
		t.Errorf("title %q does not say there are errors (%q)", got, wantTitle)
	}

	// The summary is at the top and links to each field's first control,
	// whose message the control (or its fieldset) is described by.
	summary := htmltest.One(t, doc, "main .error-summary")
	if !before(doc, summary, htmltest.One(t, doc, "form#survey")) {
		t.Error("the error summary is not above the form")
	}
	var links []string
	for _, a := range htmltest.All(summary, "a") {
		links = append(links, htmltest.Attr(a, "href"))
	}
	if diff := cmp.Diff([]string{"#q-age_band-1", "#q-areas-1", "#q-anything_else"}, links); diff != "" {
		t.Errorf("error summary links mismatch (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ described, control string }{
		{"fieldset#qq-age_band", "q-age_band-1"},
		{"fieldset#qq-areas", "q-areas-1"},
		{"textarea#q-anything_else", "q-anything_else"},
	} {
		htmltest.One(t, doc, "#"+tc.control)
		msg := htmltest.One(t, doc, "#"+tc.control+"-error")
		if htmltest.Text(msg) == "" {
			t.Errorf("%s: empty error message", tc.control)
		}
		by := strings.Fields(htmltest.Attr(htmltest.One(t, doc, tc.described), "aria-describedby"))
		if !slices.Contains(by, tc.control+"-error") {
			t.Errorf("%s is not described by its error (aria-describedby %q)", tc.described, by)
		}
	}

	// Every answer is still there, the faulty ones too.
	for name, want := range map[string][]string{
		"home_safe": {"never"}, "has_pa": {"yes"}, "pa_trust": {"no"}, "anxiety": {"7"},
		"areas": {"housing", "money", "friends"}, "age_band": nil,
	} {
		if diff := cmp.Diff(want, checked(doc, name)); diff != "" {
			t.Errorf("%s checked mismatch (-want +got):\n%s", name, diff)
		}
	}
	if got := htmltest.Text(htmltest.One(t, doc, "textarea#q-anything_else")); got != long {
		t.Errorf("the too-long text came back as %d characters, want it whole", len([]rune(got)))
	}
	if got := htmltest.Attr(htmltest.One(t, doc, "input[name=idempotency_key]"), "value"); got != form.Get("idempotency_key") {
		t.Errorf("the idempotency key changed to %q", got)
	}
}

func TestSurveyFormDropsHiddenAnswers(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	key := uuid.NewString()
	rec := h.surveyPost("/w/"+w.ID, url.Values{
		"lang": {"en"}, "idempotency_key": {key}, "age_band": {"16-17"}, "has_pa": {"no"}, "pa_trust": {"yes"},
	})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("%d, want 303: %s", rec.Code, rec.Body)
	}
	got, _ := h.storedAnswers(w.ID, key, testSurvey(t))
	if diff := cmp.Diff(survey.Answers{"age_band": "16-17", "has_pa": "no"}, got); diff != "" {
		t.Errorf("stored answers mismatch (-want +got):\n%s", diff)
	}
}

func TestSurveyFormCodesWave(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessCodes)
	codes, err := h.store.CreateCodes(context.Background(), w.ID, 1)
	if err != nil {
		t.Fatal(err)
	}

	doc := parsePage(t, h.surveyGet("/w/"+w.ID, nil))
	code := htmltest.One(t, doc, "form#survey input#code[name=code]")
	if !before(doc, code, htmltest.All(doc, "[data-q]")[0]) {
		t.Error("the code field is not before the first question")
	}
	if htmltest.Attr(code, "autocomplete") != "off" {
		t.Error("the code field lets the browser remember codes")
	}
	htmltest.One(t, doc, "label[for=code]")

	answers := url.Values{"lang": {"en"}, "age_band": {"21-25"}, "home_safe": {"always"}}
	post := func(code string) (*httptest.ResponseRecorder, string) {
		t.Helper()
		f := url.Values{"code": {code}, "idempotency_key": {uuid.NewString()}}
		for k, v := range answers {
			f[k] = v
		}
		return h.surveyPost("/w/"+w.ID, f), f.Get("idempotency_key")
	}
	for _, tc := range []struct{ name, code string }{{"no code", ""}, {"wrong code", "AAAA-BBBB"}} {
		t.Run(tc.name, func(t *testing.T) {
			rec, _ := post(tc.code)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422", rec.Code)
			}
			doc := parsePage(t, rec)
			if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#code" {
				t.Errorf("summary links to %q, want #code", got)
			}
			input := htmltest.One(t, doc, "input#code")
			if !strings.Contains(htmltest.Attr(input, "aria-describedby"), "code-error") || htmltest.Attr(input, "value") != tc.code {
				t.Errorf("code input describedby=%q value=%q", htmltest.Attr(input, "aria-describedby"), htmltest.Attr(input, "value"))
			}
			if diff := cmp.Diff([]string{"always"}, checked(doc, "home_safe")); diff != "" {
				t.Errorf("answers lost (-want +got):\n%s", diff)
			}
		})
	}
	if n := h.countResponses(w.ID); n != 0 {
		t.Fatalf("%d responses stored without a good code", n)
	}
	rec, _ := post(strings.ToLower(codes[0]))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("good code: %d, want 303: %s", rec.Code, rec.Body)
	}
	if rec, _ := post(codes[0]); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("used code: %d, want 422", rec.Code)
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
}

func TestSurveyFormSwitchesLanguageKeepingAnswers(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	key := uuid.NewString()
	rec := h.surveyPost("/w/"+w.ID, url.Values{
		"lang": {"ar"}, "switch_lang": {"ti"}, "idempotency_key": {key},
		"home_safe": {"never"}, "anxiety": {"3"}, "anything_else": {"ሰላም"},
	})
	if rec.Code != http.StatusOK {
		t.Fatalf("%d, want 200", rec.Code)
	}
	assertPrivateHeaders(t, rec)
	doc := parsePage(t, rec)
	root := htmltest.One(t, doc, "html")
	if htmltest.Attr(root, "lang") != "ti" || htmltest.Attr(root, "dir") != "ltr" {
		t.Errorf("<html lang=%q dir=%q>, want ti ltr", htmltest.Attr(root, "lang"), htmltest.Attr(root, "dir"))
	}
	if got := htmltest.Text(htmltest.One(t, doc, "fieldset#qq-home_safe legend")); got != "ኣብ ትነብረሉ ቦታ ውሑስ ኮይኑ ይስምዓካ ድዩ?" {
		t.Errorf("question in %q, want Tigrinya", got)
	}
	if len(htmltest.All(doc, ".error-summary")) != 0 {
		t.Error("switching language showed errors (age_band is required but unanswered)")
	}
	if diff := cmp.Diff([]string{"never"}, checked(doc, "home_safe")); diff != "" {
		t.Errorf("home_safe (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"3"}, checked(doc, "anxiety")); diff != "" {
		t.Errorf("anxiety (-want +got):\n%s", diff)
	}
	if got := htmltest.Text(htmltest.One(t, doc, "textarea")); got != "ሰላም" {
		t.Errorf("text %q", got)
	}
	if got := formKey(t, doc); got != key {
		t.Errorf("idempotency key %q, want the form's %q", got, key)
	}
	if n := h.countResponses(w.ID); n != 0 {
		t.Fatalf("%d responses stored by switching language", n)
	}
}

func TestSurveyPageClosedUnknownAndBadRequests(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	closed := h.wave("leeds", store.AccessOpen)
	if _, err := h.store.CloseWave(context.Background(), closed.ID); err != nil {
		t.Fatal(err)
	}
	open := h.wave("leeds", store.AccessOpen)
	valid := url.Values{"lang": {"en"}, "age_band": {"16-17"}}
	tests := []struct {
		name string
		rec  *httptest.ResponseRecorder
		want int
	}{
		{"GET closed", h.surveyGet("/w/"+closed.ID, nil), http.StatusGone},
		{"POST closed", h.surveyPost("/w/"+closed.ID, valid), http.StatusGone},
		{"GET unknown", h.surveyGet("/w/nosuchwave", nil), http.StatusNotFound},
		{"POST unknown", h.surveyPost("/w/nosuchwave", valid), http.StatusNotFound},
		{"thanks of unknown", h.surveyGet("/w/nosuchwave/thanks", nil), http.StatusNotFound},
		{"unknown field", h.surveyPost("/w/"+open.ID, url.Values{"lang": {"en"}, "age_band": {"16-17"}, "$where": {"1"}}), http.StatusUnprocessableEntity},
		{"not a form", h.do(request{method: "POST", path: "/w/" + open.ID, body: `{"age_band":"16-17"}`}), http.StatusUnsupportedMediaType},
		{"too large", h.surveyPost("/w/"+open.ID, url.Values{"anything_else": {strings.Repeat("a", 70<<10)}}), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rec.Code != tt.want {
				t.Fatalf("%d, want %d", tt.rec.Code, tt.want)
			}
			assertPrivateHeaders(t, tt.rec)
			if ct := tt.rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want a page", ct)
			}
			htmltest.One(t, parsePage(t, tt.rec), "main h1")
		})
	}
	if n := h.countResponses(open.ID); n != 0 {
		t.Errorf("%d responses stored by bad requests", n)
	}
}

func TestSurveyFormStoreDownKeepsAnswers(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	// The page was drawn while the store answered; the wave and survey are
	// in memory when it fails.
	key := formKey(t, parsePage(t, h.surveyGet("/w/"+w.ID, nil)))
	h.storeClosed = true
	if err := h.store.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := h.surveyPost("/w/"+w.ID, url.Values{"lang": {"en"}, "idempotency_key": {key}, "age_band": {"16-17"}, "home_safe": {"never"}})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("%d (Retry-After %q), want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	doc := parsePage(t, rec)
	banner := htmltest.One(t, doc, "main .notice[role=alert]")
	if !strings.Contains(htmltest.Text(banner), "not saved") {
		t.Errorf("banner %q does not say the answers are not saved", htmltest.Text(banner))
	}
	if strings.Contains(strings.ToLower(htmltest.Text(htmltest.One(t, doc, "main"))), "thank") {
		t.Error("a page about a failed save thanks the person")
	}
	if diff := cmp.Diff([]string{"never"}, checked(doc, "home_safe")); diff != "" {
		t.Errorf("answers lost (-want +got):\n%s", diff)
	}
	if got := formKey(t, doc); got != key {
		t.Errorf("the key changed to %q: a retry could be stored twice", got)
	}
}

// TestSurveyPageConcurrentLanguages runs requests in different languages
// at once; under -race it also checks that nothing shared is written.
func TestSurveyPageConcurrentLanguages(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	langs := []string{"ar", "ti", "en"}
	titles := map[string]string{"ar": "استبيان تجريبي", "ti": "ፈተና", "en": "Test survey"}
	var wg sync.WaitGroup
	errs := make(chan string, 60)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lang := langs[i%len(langs)]
			req := httptest.NewRequest("GET", "/w/"+w.ID+"?lang="+lang, nil)
			req.Header.Set("Accept-Language", langs[(i+1)%len(langs)])
			rec := httptest.NewRecorder()
			h.srv.ServeHTTP(rec, req)
			doc, err := html.Parse(rec.Body)
			if err != nil {
				errs <- err.Error()
				return
			}
			root := htmltest.All(doc, "html")[0]
			if got := htmltest.Attr(root, "lang"); got != lang {
				errs <- fmt.Sprintf("asked for %s, got <html lang=%q>", lang, got)
			}
			if got := htmltest.Text(htmltest.All(doc, "main h1")[0]); got != titles[lang] {
				errs <- fmt.Sprintf("asked for %s, got the title %q", lang, got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestThanksPage(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	err := h.store.SetCouncilContacts(context.Background(), "leeds", []store.Contact{
		{Name: "Leeds leaving care team", Phone: "0113 222 4403", Email: "leavingcare@example.org", Hours: "Monday to Friday, 9am to 5pm"},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := h.wave("leeds", store.AccessOpen)
	rec := h.surveyGet("/w/"+w.ID+"/thanks?lang=ar", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d", rec.Code)
	}
	assertPrivateHeaders(t, rec)
	doc := parsePage(t, rec)
	root := htmltest.One(t, doc, "html")
	if htmltest.Attr(root, "lang") != "ar" || htmltest.Attr(root, "dir") != "rtl" {
		t.Errorf("<html lang=%q dir=%q>", htmltest.Attr(root, "lang"), htmltest.Attr(root, "dir"))
	}
	if htmltest.Attr(htmltest.One(t, doc, "main h1"), "data-sent") != w.ID {
		t.Error("survey.js cannot tell which draft to clear")
	}
	main := htmltest.One(t, doc, "main")
	if !strings.Contains(htmltest.Text(main), arabic(t).T("ThanksFeelings")) {
		t.Error("no word that feelings are normal")
	}

	// The council's contacts, in English, marked so.
	council := htmltest.Text(main)
	for _, want := range []string{arabic(t).T("ThanksCouncilHeading", "Council", "leeds council"), "Leeds leaving care team", "Monday to Friday, 9am to 5pm"} {
		if !strings.Contains(council, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	htmltest.One(t, doc, `a[href=tel:01132224403]`)
	htmltest.One(t, doc, `a[href=mailto:leavingcare@example.org]`)

	// Every national service, each number a link; English text is marked.
	contacts, err := seed.Contacts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range contacts {
		if c.Phone != "" {
			tel := "tel:" + strings.ReplaceAll(c.Phone, " ", "")
			if n := len(htmltest.All(doc, "a[href="+tel+"]")); n != 1 {
				t.Errorf("%s: %d links to %s, want 1", c.ID, n, tel)
			}
		}
		if c.SMS != "" {
			htmltest.One(t, doc, "a[href=sms:"+c.SMS+"]")
		}
		if c.URL != "" {
			htmltest.One(t, doc, "a[href="+c.URL+"]")
		}
	}
	if n := len(htmltest.All(doc, "main li.card")); n != len(contacts)+1 {
		t.Errorf("%d contact cards, want %d", n, len(contacts)+1)
	}
	if _, ar := contacts[0].Name["ar"]; !ar {
		if got := htmltest.Attr(htmltest.All(doc, "main li.card h3")[1], "lang"); got != "en" {
			t.Errorf("an English name on an Arabic page has lang=%q, want en", got)
		}
	}
	if contacts[0].Emergency {
		if got := htmltest.Text(htmltest.All(doc, "main li.card h3")[1]); !strings.Contains(got, "999") {
			t.Errorf("the first national service is %q, want the emergency number", got)
		}
	}
	// The thank-you page works for a closed wave too.
	if _, err := h.store.CloseWave(context.Background(), w.ID); err != nil {
		t.Fatal(err)
	}
	if rec := h.surveyGet("/w/"+w.ID+"/thanks?lang=ti", nil); rec.Code != http.StatusOK {
		t.Errorf("thanks of a closed wave: %d", rec.Code)
	}
}

// pageWeight is what a phone downloads to show a survey page: each part
// raw and as served with gzip.
type pageWeight struct {
	name       string
	raw, gzipd int
}

// measurePage fetches a page and its stylesheet and script as a browser
// that accepts gzip would, and returns their sizes.
func measurePage(t *testing.T, h *harness, path string) []pageWeight {
	t.Helper()
	get := func(path string) ([]byte, []byte, *httptest.ResponseRecorder) {
		rec := h.surveyGet(path, map[string]string{"Accept-Encoding": "gzip"})
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		served := rec.Body.Bytes()
		raw := served
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(served))
			if err != nil {
				t.Fatal(err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		return raw, served, rec
	}
	rawHTML, servedHTML, _ := get(path)
	doc := htmltest.Parse(t, string(rawHTML))
	weights := []pageWeight{{"HTML", len(rawHTML), len(servedHTML)}}
	for _, n := range append(htmltest.All(doc, "link[rel=stylesheet]"), htmltest.All(doc, "script[src]")...) {
		src := htmltest.Attr(n, "href") + htmltest.Attr(n, "src")
		if !strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") {
			t.Errorf("the page loads %q from another host", src)
			continue
		}
		raw, served, _ := get(src)
		name := strings.TrimPrefix(strings.SplitN(src, "?", 2)[0], "/static/")
		weights = append(weights, pageWeight{name, len(raw), len(served)})
	}
	if n := len(htmltest.All(doc, "img")) + len(htmltest.All(doc, "link[rel=preload]")) + len(htmltest.All(doc, "iframe")); n != 0 {
		t.Errorf("the page loads %d more things", n)
	}
	return weights
}

// pageWeightBudget is the most a survey page may weigh as served, in bytes:
// HTML, CSS and JavaScript, compressed.
const pageWeightBudget = 30 * 1024

// TestPageWeight measures the life-beyond-care survey in Pashto (or, until
// its Pashto text lands, the right-to-left language it has) as served, and
// holds it to the budget. Run with -v for the figures in docs/benchmarks.md.
func TestPageWeight(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.surveyWave("leeds", "life-beyond-care", store.AccessOpen)
	def, err := h.store.Survey(context.Background(), "life-beyond-care", 1)
	if err != nil {
		t.Fatal(err)
	}
	lang := "ps"
	if !def.HasLanguage(lang) {
		lang = def.Languages[len(def.Languages)-1]
		t.Logf("life-beyond-care has no Pashto yet; measuring %s", lang)
	}
	weights := measurePage(t, h, "/w/"+w.ID+"?lang="+lang)
	var raw, served int
	for _, w := range weights {
		t.Logf("%-10s %7d bytes raw %7d bytes gzip", w.name, w.raw, w.gzipd)
		raw += w.raw
		served += w.gzipd
	}
	t.Logf("%-10s %7d bytes raw %7d bytes gzip (budget %d)", "total", raw, served, pageWeightBudget)
	if len(weights) != 3 {
		t.Errorf("measured %d files, want HTML, CSS and JS", len(weights))
	}
	if served > pageWeightBudget {
		t.Errorf("the %s survey page weighs %d bytes as served, over the budget of %d", lang, served, pageWeightBudget)
	}
}

// FuzzSurveyForm posts any body to the survey form: the answer is a page
// or a redirect to the thank-you page, never a server error.
func FuzzSurveyForm(f *testing.F) {
	h := newHarness(f)
	h.council("leeds")
	w := h.wave("leeds", store.AccessCodes)
	for _, seed := range []string{
		"lang=ar&age_band=16-17&code=AAAA-BBBB",
		"switch_lang=ti&home_safe=never&anxiety=7",
		"age_band=%ff%fe&areas=housing&areas=money&areas=friends&areas=housing",
		"%24where=1&a.b=2&=x&lang=",
		"anxiety=-0&anxiety=1e3&anything_else=" + strings.Repeat("%E2%80%AE", 300),
		"idempotency_key=not-a-uuid&age_band=16-17&has_pa=no&pa_trust=yes",
		"switch_lang=../../etc&lang=fa-AF&code=%00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/w/"+w.ID, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusSeeOther, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnprocessableEntity, http.StatusTooManyRequests:
		default:
			t.Fatalf("POST %q: %d", body, rec.Code)
		}
		if rec.Code == http.StatusSeeOther && !strings.HasPrefix(rec.Header().Get("Location"), "/w/"+w.ID+"/thanks?lang=") {
			t.Fatalf("POST %q: redirected to %q", body, rec.Header().Get("Location"))
		}
		if len(rec.Header().Values("Set-Cookie")) > 0 {
			t.Fatalf("POST %q set a cookie", body)
		}
	})
}

// arabic is the Arabic interface, for assertions on Arabic pages that must
// not assume the English wording.
func arabic(t *testing.T) *locale.Localizer {
	t.Helper()
	b, err := locale.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	return b.Localizer("ar")
}
