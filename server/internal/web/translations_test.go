package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"yousaid/locales"
	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/locale"
	"yousaid/server/internal/pofile"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

func init() {
	// Surveys: the fixture's test-survey is national, so another council's
	// admin may see it but not review it (403); a council survey is 404
	// elsewhere (TestTranslationTenancyOfCouncilSurveys). The interface is
	// the platform administrators'.
	for _, r := range []string{
		"GET /api/v1/surveys/:survey/translations/:lang",
		"GET /api/v1/surveys/:survey/translations/:lang/po",
		"PUT /api/v1/surveys/:survey/translations/:lang/po",
	} {
		routeRules[r] = routeRule{access: tokenCouncil, cross: http.StatusForbidden}
	}
	for _, r := range []string{
		"GET /api/v1/translations/interface/:lang",
		"GET /api/v1/translations/interface/:lang/po",
		"PUT /api/v1/translations/interface/:lang/po",
	} {
		routeRules[r] = routeRule{access: tokenPlatform, cross: http.StatusForbidden}
	}
	for _, r := range []string{
		"GET /staff/surveys/:survey/translations/:lang",
		"GET /staff/surveys/:survey/translations/:lang/po",
		"POST /staff/surveys/:survey/translations/:lang",
	} {
		routeRules[r] = routeRule{access: sessionCouncil, cross: http.StatusForbidden}
	}
	for _, r := range []string{
		"GET /staff/translations/interface/:lang",
		"GET /staff/translations/interface/:lang/po",
		"POST /staff/translations/interface/:lang",
	} {
		routeRules[r] = routeRule{access: sessionPlatform, cross: http.StatusForbidden}
	}
}

// download fetches a PO file through the API and parses it.
func (h *harness) download(path, token string) (*pofile.File, []byte) {
	h.t.Helper()
	rec := h.do(request{method: "GET", path: path, token: token})
	if rec.Code != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/x-gettext-translation") {
		h.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	f, err := pofile.Parse(rec.Body.Bytes())
	if err != nil {
		h.t.Fatalf("GET %s: the file does not parse: %v", path, err)
	}
	return f, rec.Body.Bytes()
}

func (h *harness) upload(path, token string, data []byte) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.do(request{method: "PUT", path: path, token: token, body: data, header: map[string]string{"Content-Type": "text/x-gettext-translation"}})
}

// poEntry is what a translator sees of one entry.
type poEntry struct {
	Key, Source, Target, Note string
	Fuzzy                     bool
}

func entriesOf(f *pofile.File) []poEntry {
	var out []poEntry
	for _, e := range f.Entries {
		out = append(out, poEntry{Key: e.Context, Source: e.ID, Target: e.Str, Note: strings.Join(e.Extracted, "\n"), Fuzzy: e.Fuzzy()})
	}
	return out
}

func wantEntries(strs []survey.String) []poEntry {
	var out []poEntry
	for _, s := range strs {
		// Nothing is reviewed yet: every translated text is a draft.
		out = append(out, poEntry{Key: s.Key, Source: s.Source, Target: s.Target, Note: s.Note, Fuzzy: s.Target != ""})
	}
	return out
}

// TestTranslationRoundTripEveryLanguage downloads every language of the
// seed survey and of the interface, checks that the file carries every
// key, English, text, note and review state, and uploads it back
// unchanged: accepted, and nothing changes.
func TestTranslationRoundTripEveryLanguage(t *testing.T) {
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	ctx := context.Background()
	def, err := h.store.Survey(ctx, "life-beyond-care", 0)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := locale.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	type target struct {
		path string
		strs []survey.String
	}
	var targets []target
	for _, lang := range def.Languages {
		if lang != "en" {
			targets = append(targets, target{"/api/v1/surveys/life-beyond-care/translations/" + lang, def.Strings(lang)})
		}
	}
	for _, l := range locale.Supported() {
		if l.Tag != "en" {
			targets = append(targets, target{"/api/v1/translations/interface/" + l.Tag, bundle.Strings(l.Tag)})
		}
	}
	for _, tg := range targets {
		t.Run(tg.path, func(t *testing.T) {
			f, raw := h.download(tg.path+"/po", root)
			if diff := cmp.Diff(wantEntries(tg.strs), entriesOf(f), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("file mismatch (-want +got):\n%s", diff)
			}
			rec := h.upload(tg.path+"/po", root, raw)
			if rec.Code != http.StatusOK {
				t.Fatalf("upload of the unchanged file: %d %s", rec.Code, rec.Body)
			}
			if got := strings.TrimSpace(rec.Body.String()); !strings.Contains(got, `"changed":0,"marked":0`) {
				t.Errorf("unchanged file changed something: %s", got)
			}
			again, _ := h.download(tg.path+"/po", root)
			if diff := cmp.Diff(entriesOf(f), entriesOf(again)); diff != "" {
				t.Errorf("the file changed after the upload (-before +after):\n%s", diff)
			}
		})
	}
	if after, _ := h.store.Survey(ctx, "life-beyond-care", 0); after.Version != def.Version {
		t.Errorf("unchanged uploads made version %d", after.Version)
	}
	all, err := h.store.AllTranslationReviews(ctx)
	if err != nil || len(all) != 0 {
		t.Errorf("unchanged uploads stored reviews: %v %v", all, err)
	}
}

// TestTranslationBrokenFileChangesNothing: each fault is refused with its
// line and a sentence, and neither the survey, the reviews nor the
// interface change.
func TestTranslationBrokenFileChangesNothing(t *testing.T) {
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	ctx := context.Background()
	surveyPath := "/api/v1/surveys/test-survey/translations/ar/po"
	uiPath := "/api/v1/translations/interface/ar/po"
	_, surveyFile := h.download(surveyPath, root)
	_, uiFile := h.download(uiPath, root)
	before, err := h.store.Survey(ctx, "test-survey", 0)
	if err != nil {
		t.Fatal(err)
	}

	// lineOf finds the line of the first occurrence of s in data.
	lineOf := func(data []byte, s string) int {
		i := bytes.Index(data, []byte(s))
		if i < 0 {
			t.Fatalf("%q not in the file", s)
		}
		return bytes.Count(data[:i], []byte("\n")) + 1
	}
	// broken replaces old with new (and also reviews a text, so that a
	// refused file would otherwise change something).
	broken := func(data []byte, old, new string) []byte {
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("%q not in the file", old)
		}
		out := bytes.Replace(data, []byte(old), []byte(new), 1)
		return bytes.Replace(out, []byte("#, fuzzy\n"), nil, 1)
	}
	type brokenCase struct {
		name    string
		path    string
		data    []byte
		line    int
		message string // a piece of the sentence
	}
	// mk breaks a file by replacing old with new; the fault is on new's line.
	mk := func(name, path string, file []byte, old, new, message string) brokenCase {
		data := broken(file, old, new)
		return brokenCase{name, path, data, lineOf(data, new), message}
	}
	tests := []brokenCase{
		mk("unknown id", surveyPath, surveyFile, `msgctxt "question.home_safe.text"`, `msgctxt "question.home_unsafe.text"`, "question.home_unsafe.text"),
		mk("wrong version", surveyPath, surveyFile, "X-Yousaid-Version: "+strconv.Itoa(before.Version), "X-Yousaid-Version: 7", "version 7"),
		mk("wrong language", surveyPath, surveyFile, "Language: ar", "Language: fa_AF", "fa_AF"),
		mk("wrong survey", surveyPath, surveyFile, "X-Yousaid-Scope: test-survey", "X-Yousaid-Scope: life-beyond-care", "life-beyond-care"),
		mk("not PO", surveyPath, surveyFile, `msgctxt "title"`, `msgtext "title"`, "PO"),
		mk("missing placeholder", uiPath, uiFile, `msgstr "{{.Translated}} من {{.Total}}"`, `msgstr "{{.Translated}} من المجموع"`, "{{.Total}}"),
		mk("extra placeholder", uiPath, uiFile, `msgstr "{{.Translated}} من {{.Total}}"`, `msgstr "{{.Translated}} من {{.Total}} {{.Name}}"`, "{{.Name}}"),
		{"interface file for a survey", surveyPath, uiFile, lineOf(uiFile, "X-Yousaid-Scope"), "interface"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.upload(tt.path, root, tt.data)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			e := decodeErr(t, rec).Error
			if e.Field != "line "+strconv.Itoa(tt.line) || !strings.Contains(e.Message, tt.message) || !strings.Contains(e.Message, strconv.Itoa(tt.line)) {
				t.Errorf("error = %+v, want field %q and a message naming %q and the line", e, "line "+strconv.Itoa(tt.line), tt.message)
			}
		})
	}
	after, err := h.store.Survey(ctx, "test-survey", 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a refused file changed the survey (-before +after):\n%s", diff)
	}
	if all, err := h.store.AllTranslationReviews(ctx); err != nil || len(all) != 0 {
		t.Errorf("a refused file stored reviews: %v %v", all, err)
	}
	_, uiAfter := h.download(uiPath, root)
	if !bytes.Equal(uiFile, uiAfter) {
		t.Error("a refused file changed the interface")
	}
}

type statusJSON struct {
	Version  int `json:"version"`
	Reviewed int `json:"reviewed"`
	Total    int `json:"total"`
	Strings  []struct {
		Key, Text, Status string
		ReviewedBy        string `json:"reviewed_by"`
	} `json:"strings"`
}

func (h *harness) translationStatus(path, token string) statusJSON {
	h.t.Helper()
	rec := h.do(request{method: "GET", path: path, token: token})
	var s statusJSON
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &s) != nil {
		h.t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return s
}

// TestTranslationReviewCycle: a reviewed file marks texts reviewed by the
// uploader and changes the text through a new version when a wave uses
// the survey; the languages page shows the share; a changed English text
// is drafted again.
func TestTranslationReviewCycle(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	ctx := context.Background()
	def, err := h.store.Survey(ctx, "test-survey", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.UseSurveyVersion(ctx, def.ID, def.Version); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/surveys/test-survey/translations/ar"
	_, raw := h.download(path+"/po", root)
	// The reviewer corrects one text and passes every text.
	reviewed := bytes.ReplaceAll(raw, []byte("#, fuzzy\n"), nil)
	reviewed = bytes.Replace(reviewed, []byte(`msgstr "استبيان تجريبي"`), []byte(`msgstr "استبيان للتجربة"`), 1)
	rec := h.upload(path+"/po", root, reviewed)
	if rec.Code != http.StatusOK {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	st := h.translationStatus(path, root)
	if st.Version != def.Version+1 {
		t.Errorf("the texts are in version %d; the version in use (%d) must not change", st.Version, def.Version)
	}
	old, err := h.store.Survey(ctx, def.ID, def.Version)
	if err != nil {
		t.Fatal(err)
	}
	if got := old.Title["ar"]; got != "استبيان تجريبي" {
		t.Errorf("the version in use changed: %q", got)
	}
	current, _ := h.store.Survey(ctx, def.ID, 0)
	if got := current.Title["ar"]; got != "استبيان للتجربة" {
		t.Errorf("the new version has %q", got)
	}
	if slices.Contains(current.Drafted, "ar") {
		t.Errorf("Drafted = %v: Arabic is reviewed whole", current.Drafted)
	}
	if st.Reviewed != st.Total || st.Total < 10 {
		t.Errorf("reviewed %d of %d, want all", st.Reviewed, st.Total)
	}
	for _, s := range st.Strings {
		if s.Status == survey.StatusReviewed && s.ReviewedBy != "root@yousaid.example" {
			t.Errorf("%s reviewed by %q", s.Key, s.ReviewedBy)
		}
	}

	// The languages page shows the share.
	cookie := h.signIn("root@yousaid.example")
	doc := htmltest.Parse(t, h.page("/staff/languages", cookie).Body.String())
	found := false
	for _, a := range htmltest.All(doc, "a") {
		if htmltest.Attr(a, "href") == "/staff/surveys/test-survey/translations/ar" {
			cell := htmltest.Text(a.Parent)
			found = strings.Contains(cell, strconv.Itoa(st.Reviewed)+" of "+strconv.Itoa(st.Total)+" texts reviewed")
			if !found {
				t.Errorf("the Arabic row says %q", cell)
			}
		}
	}
	if !found {
		t.Error("no link to review the Arabic survey text on /staff/languages")
	}

	// The English of a question changes: its Arabic needs review again.
	q, _ := current.Question("home_safe")
	q.Text["en"] = "Do you feel safe at home?"
	rec = h.do(request{method: "PUT", path: "/api/v1/surveys/test-survey", token: root, body: current})
	if rec.Code != http.StatusOK {
		t.Fatalf("editing the English: %d %s", rec.Code, rec.Body)
	}
	st2 := h.translationStatus(path, root)
	if st2.Reviewed != st.Reviewed-1 {
		t.Errorf("after an English edit: %d reviewed, want %d", st2.Reviewed, st.Reviewed-1)
	}
	for _, s := range st2.Strings {
		if s.Key == "question.home_safe.text" && s.Status != survey.StatusDrafted {
			t.Errorf("the edited question is %q", s.Status)
		}
	}
}

// TestInterfaceTranslationTakesEffect: an uploaded interface text is
// shown at once, by the running server.
func TestInterfaceTranslationTakesEffect(t *testing.T) {
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	_, raw := h.download("/api/v1/translations/interface/ar/po", root)
	bundle, _ := locale.New(locales.FS)
	old := bundle.Localizer("ar").T("LanguagesTitle")
	changed := bytes.Replace(raw, []byte(`msgstr "`+old+`"`), []byte(`msgstr "لغات المنصة"`), 1)
	if bytes.Equal(changed, raw) {
		t.Fatalf("%q not in the file", old)
	}
	if rec := h.upload("/api/v1/translations/interface/ar/po", root, changed); rec.Code != http.StatusOK {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	cookie := h.signIn("root@yousaid.example")
	doc := htmltest.Parse(t, h.page("/staff/languages?lang=ar", cookie).Body.String())
	if got := htmltest.Text(htmltest.One(t, doc, "h1")); got != "لغات المنصة" {
		t.Errorf("h1 = %q after the upload", got)
	}
	// A fresh server (a restart) applies the stored text at start-up.
	if err := h.srv.LoadInterfaceTranslations(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestTranslationPageUpload drives the page: a broken file gets 422 with
// the error summary naming the line; a good one 303 back to the page,
// which says what was applied.
func TestTranslationPageUpload(t *testing.T) {
	h := newHarness(t)
	h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	cookie := h.signIn("root@yousaid.example")
	pagePath := "/staff/surveys/test-survey/translations/ti"
	rec := h.page(pagePath+"/po", cookie)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Disposition"), "test-survey.v1.ti.po") {
		t.Fatalf("download: %d %q", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	raw := rec.Body.Bytes()
	post := func(data []byte) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "test.po")
		fw.Write(data)
		mw.Close()
		req := httptest.NewRequest("POST", pagePath, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		return rec
	}
	rec = post(bytes.Replace(raw, []byte(`msgctxt "title"`), []byte(`msgctxt "titel"`), 1))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("broken file: %d", rec.Code)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	summary := htmltest.Text(htmltest.One(t, doc, ".error-summary"))
	if !strings.Contains(summary, "titel") || !strings.Contains(summary, "Line ") {
		t.Errorf("summary = %q", summary)
	}
	if a := htmltest.One(t, doc, ".error-summary a"); htmltest.Attr(a, "href") != "#po-file" {
		t.Errorf("the summary links to %q", htmltest.Attr(a, "href"))
	}
	// The reviewer improves the title.
	good := bytes.Replace(raw, []byte(`msgstr "ፈተና"`), []byte(`msgstr "ናይ ፈተና መጠይቕ"`), 1)
	if bytes.Equal(good, raw) {
		t.Fatalf("no Tigrinya title in:\n%s", raw)
	}
	rec = post(good)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("good file: %d %s", rec.Code, rec.Body)
	}
	doc = htmltest.Parse(t, h.page(rec.Header().Get("Location"), cookie).Body.String())
	if got := htmltest.Text(htmltest.One(t, doc, "[role=status]")); !strings.Contains(got, "Texts changed: 1") {
		t.Errorf("notice = %q", got)
	}
}

// TestTranslationTenancyOfCouncilSurveys: a council survey's translation
// is its council_admin's (and platform admins'); another council gets 404,
// its own facilitator 403.
func TestTranslationTenancyOfCouncilSurveys(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	ctx := context.Background()
	def := testCouncilSurvey(t, h, "leeds")
	if err := h.store.PutSurvey(ctx, def); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"leeds admin": h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds"),
		"leeds fac":   h.user("fac@leeds.example", store.RoleFacilitator, "leeds"),
		"york admin":  h.user("admin@york.example", store.RoleCouncilAdmin, "york"),
		"platform":    h.user("root@yousaid.example", store.RolePlatformAdmin, ""),
	}
	want := map[string]int{"leeds admin": 200, "leeds fac": 403, "york admin": 404, "platform": 200}
	for who, token := range tokens {
		for _, p := range []string{"/api/v1/surveys/" + def.ID + "/translations/ar", "/api/v1/surveys/" + def.ID + "/translations/ar/po"} {
			if rec := h.do(request{method: "GET", path: p, token: token}); rec.Code != want[who] {
				t.Errorf("%s GET %s: %d, want %d", who, p, rec.Code, want[who])
			}
		}
	}
	york := h.signIn("admin@york.example")
	if rec := h.page("/staff/surveys/"+def.ID+"/translations/ar", york); rec.Code != http.StatusNotFound {
		t.Errorf("York's admin on Leeds's review page: %d", rec.Code)
	}
	if body := h.page("/staff/languages", york).Body.String(); strings.Contains(body, "Leeds local survey") {
		t.Error("York's admin sees Leeds's survey on /staff/languages")
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/translations/interface/ar", token: tokens["leeds admin"]}); rec.Code != http.StatusForbidden {
		t.Errorf("a council admin on the interface: %d", rec.Code)
	}
}

func testCouncilSurvey(t *testing.T, h *harness, council string) *survey.Definition {
	t.Helper()
	def, err := survey.Load(mustRead(t, "testdata/test-survey.json"))
	if err != nil {
		t.Fatal(err)
	}
	def.ID, def.Version, def.Council = "leeds-local", 1, council
	def.Title = survey.Text{"en": "Leeds local survey", "ar": "استبيان ليدز المحلي"}
	return def
}

// TestBrowserAxeTranslationPage runs axe-core on the review page, and on
// its page of errors, in English and Arabic.
func TestBrowserAxeTranslationPage(t *testing.T) {
	needAxe(t)
	h := newHarness(t)
	h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	base := serve(t, h.srv)
	// The interface's review page is the same template as a survey's with
	// some 500 rows, which axe-core takes minutes over on a busy machine:
	// the survey's stands for both.
	for _, lang := range []string{"en", "ar"} {
		tab := staffTab(t, base, "root@yousaid.example")
		for _, p := range []string{"/staff/surveys/test-survey/translations/ar", "/staff/languages"} {
			tab.open(base+p+"?lang="+lang, "h1")
			tab.runAxe(lang + " " + p)
		}
		// The page of errors: the form sent without a file.
		tab.open(base+"/staff/surveys/test-survey/translations/ar?lang="+lang, "form[enctype]")
		tab.do("send without a file", chromedp.Evaluate[chromedp.Void](`document.querySelector('form[enctype]').submit()`))
		tab.waitFor(".error-summary")
		tab.runAxe(lang + " upload errors")
	}
}
