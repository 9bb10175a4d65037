package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/seed"
	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

func init() {
	// The fixture's survey (test-survey) is national: any council's staff
	// may see its recordings; only a platform admin may change them. The
	// tenancy of council surveys' recordings is TestAudioTenancy's.
	routeRules["GET /audio/*file"] = routeRule{access: public}
	routeRules["GET /api/v1/surveys/:survey/audio"] = routeRule{access: tokenPlatform, cross: http.StatusOK}
	routeRules["PUT /api/v1/surveys/:survey/audio/:question/:lang"] = routeRule{access: tokenPlatform, cross: http.StatusForbidden}
	routeRules["DELETE /api/v1/surveys/:survey/audio/:question/:lang"] = routeRule{access: tokenPlatform, cross: http.StatusForbidden}
	routeRules["GET /staff/audio"] = routeRule{access: sessionPlatform, cross: http.StatusOK}
	routeRules["GET /staff/surveys/:survey/audio"] = routeRule{access: sessionPlatform, cross: http.StatusOK}
	routeRules["GET /staff/surveys/:survey/audio/:question/:lang"] = routeRule{access: sessionPlatform, cross: http.StatusOK}
	routeRules["POST /staff/surveys/:survey/audio/:question/:lang"] = routeRule{access: sessionPlatform, cross: http.StatusForbidden}
	routeRules["POST /staff/surveys/:survey/audio/:question/:lang/delete"] = routeRule{access: sessionPlatform, cross: http.StatusForbidden}
}

// clipFile reads a recording made for the content check's tests.
func clipFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "survey", "testdata", "audio", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seedClip is the demo's Arabic recording.
func seedClip(t testing.TB) []byte {
	t.Helper()
	clips, err := seed.Clips()
	if err != nil || len(clips) == 0 {
		t.Fatalf("seed clips: %v", err)
	}
	return clips[0].Data
}

// putClip sends a recording's bytes to the API.
func (h *harness) putClip(token, path string, data []byte, contentType string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest("PUT", path, bytes.NewReader(data))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// uploadClip posts the staff page's multipart form with the file under
// the field "clip" (named name, whatever it holds).
func (h *harness) uploadClip(cookie, path, name string, data []byte) *httptest.ResponseRecorder {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if data != nil {
		fw, err := mw.CreateFormFile("clip", name)
		if err != nil {
			h.t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

type clipDoc struct {
	Survey, Question, Language, URL, Format, SHA256 string
	ContentType                                     string `json:"content_type"`
	Bytes                                           int64
	UploadedBy                                      string `json:"uploaded_by"`
}

func decodeClip(t *testing.T, rec *httptest.ResponseRecorder) clipDoc {
	t.Helper()
	var d clipDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("clip JSON: %v: %s", err, rec.Body)
	}
	return d
}

func (h *harness) clips(surveyID string) []store.Clip {
	h.t.Helper()
	clips, err := h.store.SurveyClips(context.Background(), surveyID)
	if err != nil {
		h.t.Fatal(err)
	}
	return clips
}

// TestClipUploadAcceptsEachFormat: each accepted format, whatever name and
// Content-Type it comes with, is stored as what its bytes are and served
// back byte for byte with its type.
func TestClipUploadAcceptsEachFormat(t *testing.T) {
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	for _, tc := range []struct {
		file, contentType string
		want              clipDoc
	}{
		{"hello.opus", "application/octet-stream", clipDoc{Format: "opus", ContentType: "audio/ogg"}},
		{"hello-id3.mp3", "audio/mpeg", clipDoc{Format: "mp3", ContentType: "audio/mpeg"}},
		{"hello-noid3.mp3", "text/html", clipDoc{Format: "mp3", ContentType: "audio/mpeg"}},
		{"hello.aac", "", clipDoc{Format: "aac", ContentType: "audio/aac"}},
		{"hello.m4a", "audio/x-m4a", clipDoc{Format: "m4a", ContentType: "audio/mp4"}},
		{"hello-isom.m4a", "video/mp4", clipDoc{Format: "m4a", ContentType: "audio/mp4"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data := clipFile(t, tc.file)
			rec := h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/ar", data, tc.contentType)
			if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
				t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
			}
			got := decodeClip(t, rec)
			sum := sha256.Sum256(data)
			tc.want.Survey, tc.want.Question, tc.want.Language = "test-survey", "home_safe", "ar"
			tc.want.SHA256, tc.want.Bytes, tc.want.UploadedBy = hex.EncodeToString(sum[:]), int64(len(data)), "root@yousaid.example"
			tc.want.URL = "/audio/" + tc.want.SHA256 + "." + tc.want.Format
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			served := h.surveyGet(got.URL, nil)
			if served.Code != http.StatusOK || !bytes.Equal(served.Body.Bytes(), data) {
				t.Fatalf("GET %s: %d, %d bytes", got.URL, served.Code, served.Body.Len())
			}
			if ct := served.Header().Get("Content-Type"); ct != tc.want.ContentType {
				t.Errorf("served as %q, want %q", ct, tc.want.ContentType)
			}
		})
	}
	if n := len(h.clips("test-survey")); n != 1 {
		t.Errorf("%d clips after six uploads to one question and language, want 1 (each replaced the last)", n)
	}
}

// TestClipUploadRefusesNonAudio: the API answers 415 with a sentence for
// anything that is no Opus, MP3 or AAC recording, whatever its name or
// Content-Type says, 413 over 1 MB and 400 for nothing; the staff form
// shows the page again with the sentence in its error summary (422, or
// 413); nothing is stored either way.
func TestClipUploadRefusesNonAudio(t *testing.T) {
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	cookie := h.signIn("root@yousaid.example")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	big := bytes.Repeat(seedClip(t), survey.MaxClipBytes/len(seedClip(t))+1)
	for _, tc := range []struct {
		name, contentType string
		data              []byte
		api, page         int
		code              string
	}{
		{"whatever.wav", "audio/wav", clipFile(t, "hello.wav"), 415, 422, survey.CodeClipUnsupported},
		{"image.png", "image/png", png, 415, 422, survey.CodeClipNotAudio},
		{"question.mp3", "audio/mpeg", []byte("<!doctype html><title>x</title><script>alert(1)</script>"), 415, 422, survey.CodeClipNotAudio},
		{"vorbis.opus", "audio/ogg", clipFile(t, "hello.ogg"), 415, 422, survey.CodeClipUnsupported},
		{"film.m4a", "audio/mp4", clipFile(t, "video.mp4"), 415, 422, survey.CodeClipUnsupported},
		{"notes.aac", "audio/aac", []byte("Do you feel safe where you live?"), 415, 422, survey.CodeClipNotAudio},
		{"empty.opus", "audio/ogg", []byte{}, 400, 422, survey.CodeClipEmpty},
		{"long.opus", "audio/ogg", big, 413, 413, survey.CodeClipTooLarge},
		{"just-over.mp3", "audio/mpeg", append(clipFile(t, "hello-noid3.mp3"), make([]byte, survey.MaxClipBytes)...), 413, 413, survey.CodeClipTooLarge},
		{"two-megabytes.opus", "audio/ogg", append(bytes.Clone(big), big...), 413, 413, survey.CodeClipTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/ar", tc.data, tc.contentType)
			if rec.Code != tc.api {
				t.Fatalf("API: %d, want %d: %s", rec.Code, tc.api, rec.Body)
			}
			e := decodeErr(t, rec)
			if e.Error.Code != tc.code || e.Error.Field != "clip" {
				t.Errorf("API error %+v, want code %s field clip", e.Error, tc.code)
			}

			rec = h.uploadClip(cookie, "/staff/surveys/test-survey/audio/home_safe/ar", tc.name, tc.data)
			if rec.Code != tc.page {
				t.Fatalf("page: %d, want %d", rec.Code, tc.page)
			}
			doc := htmltest.Parse(t, rec.Body.String())
			link := htmltest.One(t, doc, ".error-summary a")
			if htmltest.Attr(link, "href") != "#clip" || htmltest.Text(link) == "" {
				t.Errorf("error summary links %q with %q", htmltest.Attr(link, "href"), htmltest.Text(link))
			}
			input := htmltest.One(t, doc, "input#clip[type=file]")
			if htmltest.Attr(input, "aria-invalid") != "true" || !strings.Contains(htmltest.Attr(input, "aria-describedby"), "clip-error") {
				t.Errorf("the file input is not marked invalid: %q", htmltest.Attr(input, "aria-describedby"))
			}
		})
	}
	if n := len(h.clips("test-survey")); n != 0 {
		t.Errorf("%d clips stored from refused files", n)
	}
	// A form with no file at all, and a form that is no multipart form.
	rec := h.uploadClip(cookie, "/staff/surveys/test-survey/audio/home_safe/ar", "", nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d, want 422", rec.Code)
	}
	rec = h.form("/staff/surveys/test-survey/audio/home_safe/ar", nil, cookie, nil)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("URL-encoded form: %d, want 415", rec.Code)
	}
	// A question or language the survey does not have.
	for _, path := range []string{"/api/v1/surveys/test-survey/audio/no_such_question/ar", "/api/v1/surveys/test-survey/audio/home_safe/ps"} {
		rec := h.putClip(root, path, seedClip(t), "")
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
}

// TestClipServedCachedForEver: a clip's URL is its digest; it is served
// with immutable caching, its type, nosniff and no cookie, answers Range
// and If-None-Match, and nothing else under /audio/ is found.
func TestClipServedCachedForEver(t *testing.T) {
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	data := seedClip(t)
	url := decodeClip(t, h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/ar", data, "")).URL

	// Twice: from the store, then from memory.
	for range 2 {
		rec := h.surveyGet(url, nil)
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), data) {
			t.Fatalf("GET: %d, %d bytes", rec.Code, rec.Body.Len())
		}
		for name, want := range map[string]string{
			"Content-Type":           "audio/ogg",
			"Cache-Control":          "public, max-age=31536000, immutable",
			"X-Content-Type-Options": "nosniff",
			"Accept-Ranges":          "bytes",
		} {
			if got := rec.Header().Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if c := rec.Header().Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("a clip set a cookie: %q", c)
		}
		if csp := cspDirectives(rec.Header().Get("Content-Security-Policy")); !slices.Equal(csp["default-src"], []string{"'none'"}) {
			t.Errorf("CSP on a clip: %v", csp)
		}
	}

	rec := h.surveyGet(url, map[string]string{"Range": "bytes=100-199"})
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[100:200]) {
		t.Errorf("Range: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if got := rec.Header().Get("Content-Range"); got != "bytes 100-199/"+strconv.Itoa(len(data)) {
		t.Errorf("Content-Range %q", got)
	}
	etag := h.surveyGet(url, nil).Header().Get("ETag")
	if rec := h.surveyGet(url, map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d, want 304", etag, rec.Code)
	}

	for _, path := range []string{
		strings.TrimSuffix(url, ".opus") + ".mp3",       // the right digest, the wrong type
		"/audio/" + strings.Repeat("0", 64) + ".opus",   // no such clip
		"/audio/" + strings.Repeat("A", 64) + ".opus",   // not a lower-case digest
		strings.TrimSuffix(url, ".opus"),                // no type
		"/audio/../static/site.css",                     // not a clip at all
		"/audio/" + strings.Repeat("0", 64) + ".opus/x", // more path
	} {
		if rec := h.surveyGet(path, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}

	// Replaced: the old bytes stop being served at once, though this
	// process had them in memory; the new ones are served.
	newURL := decodeClip(t, h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/ar", clipFile(t, "hello.opus"), "")).URL
	if rec := h.surveyGet(url, nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET the replaced clip: %d, want 404", rec.Code)
	}
	if rec := h.surveyGet(newURL, nil); rec.Code != http.StatusOK {
		t.Fatalf("GET the new clip: %d", rec.Code)
	}

	// Removed: gone at once, from memory too (a browser that has it may
	// keep it; its URL is never reused for other bytes).
	if rec := h.do(request{method: "DELETE", path: "/api/v1/surveys/test-survey/audio/home_safe/ar", token: root}); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	if rec := h.surveyGet(newURL, nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET the removed clip: %d, want 404", rec.Code)
	}
	if rec := h.do(request{method: "DELETE", path: "/api/v1/surveys/test-survey/audio/home_safe/ar", token: root}); rec.Code != http.StatusNotFound {
		t.Errorf("second DELETE: %d, want 404", rec.Code)
	}
}

// TestSurveyPageShowsClipOnlyForItsQuestionAndLanguage: the Arabic page
// shows one native player, beside home_safe, that loads nothing until
// played; the English page and every other question show none; the CSP
// lets the page play our own media and nobody else's.
func TestSurveyPageShowsClipOnlyForItsQuestionAndLanguage(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	w := h.surveyWave("leeds", "life-beyond-care", store.AccessOpen)
	clip := decodeClip(t, h.putClip(root, "/api/v1/surveys/life-beyond-care/audio/home_safe/ar", seedClip(t), ""))

	rec := h.surveyGet("/w/"+w.ID+"?lang=ar", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET: %d", rec.Code)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	players := htmltest.All(doc, "audio")
	if len(players) != 1 {
		t.Fatalf("%d players on the Arabic page, want 1", len(players))
	}
	a := htmltest.One(t, doc, "fieldset#qq-home_safe audio")
	for name, want := range map[string]string{"src": clip.URL, "preload": "none"} {
		if got := htmltest.Attr(a, name); got != want {
			t.Errorf("audio %s = %q, want %q", name, got, want)
		}
	}
	if !htmltest.HasAttr(a, "controls") || htmltest.Attr(a, "aria-label") == "" || htmltest.HasAttr(a, "autoplay") {
		t.Errorf("audio needs controls and a label, and must not play by itself")
	}
	if label := htmltest.Attr(a, "aria-label"); label != arabic(t).T("SurveyClipLabel") {
		t.Errorf("the player's label %q is not the Arabic message", label)
	}
	csp := cspDirectives(rec.Header().Get("Content-Security-Policy"))
	if !slices.Equal(csp["media-src"], []string{"'self'"}) {
		t.Errorf("CSP media-src = %v, want 'self' only", csp["media-src"])
	}
	checkNoInline(t, "survey with a clip", rec.Body.String())

	for _, lang := range []string{"en", "fa"} {
		doc := htmltest.Parse(t, h.surveyGet("/w/"+w.ID+"?lang="+lang, nil).Body.String())
		if n := len(htmltest.All(doc, "audio")); n != 0 {
			t.Errorf("%s page: %d players, want none (the clip is Arabic)", lang, n)
		}
	}
}

// TestSurveyPageCachesClips: page views read the survey's clips from
// memory for a few seconds, not from the store each time; a change made
// through this server shows at once.
func TestSurveyPageCachesClips(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	w := h.wave("leeds", store.AccessOpen)
	players := func() int {
		return len(htmltest.All(htmltest.Parse(t, h.surveyGet("/w/"+w.ID+"?lang=ar", nil).Body.String()), "audio"))
	}
	if n := players(); n != 0 {
		t.Fatalf("%d players before any clip", n)
	}
	// Stored behind the server's back (as another process would): the
	// cached map still says there is none.
	_, err := h.store.PutClip(context.Background(), &store.Clip{Survey: "test-survey", Question: "home_safe", Language: "ar", Ext: "opus", ContentType: "audio/ogg"}, seedClip(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := players(); n != 0 {
		t.Errorf("%d players right after a clip was stored elsewhere: the page read the store", n)
	}
	// Through the API: seen at once.
	h.putClip(root, "/api/v1/surveys/test-survey/audio/anxiety/ar", clipFile(t, "hello.opus"), "")
	if n := players(); n != 2 {
		t.Errorf("%d players after an upload through the server, want 2", n)
	}
}

// TestPageWeightWithClip holds the Pashto survey page to its budget with a
// recording attached to a question in that language: the player is a few
// bytes of HTML and loads nothing until played.
func TestPageWeightWithClip(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	w := h.surveyWave("leeds", "life-beyond-care", store.AccessOpen)
	def, err := h.store.Survey(context.Background(), "life-beyond-care", 0)
	if err != nil {
		t.Fatal(err)
	}
	lang := "ps"
	if !def.HasLanguage(lang) {
		lang = def.Languages[len(def.Languages)-1]
	}
	if rec := h.putClip(root, "/api/v1/surveys/life-beyond-care/audio/home_safe/"+lang, seedClip(t), ""); rec.Code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	weights := measurePage(t, h, "/w/"+w.ID+"?lang="+lang)
	served := 0
	for _, w := range weights {
		served += w.gzipd
	}
	t.Logf("%s survey with a clip: %d bytes as served (budget %d)", lang, served, pageWeightBudget)
	if served > pageWeightBudget {
		t.Errorf("the %s survey page with a clip weighs %d bytes as served, over the budget of %d", lang, served, pageWeightBudget)
	}
	doc := htmltest.Parse(t, h.surveyGet("/w/"+w.ID+"?lang="+lang, nil).Body.String())
	if a := htmltest.One(t, doc, "audio"); htmltest.Attr(a, "preload") != "none" {
		t.Error("the clip would load with the page")
	}
}

// TestAudioStaffPagesAndAudit: the platform admin uploads, replaces and
// removes a national survey's clip through the pages; the table shows its
// status; each change is in the audit log with who made it.
func TestAudioStaffPagesAndAudit(t *testing.T) {
	h := newHarness(t)
	h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	cookie := h.signIn("root@yousaid.example")
	clipPage := "/staff/surveys/test-survey/audio/home_safe/ar"

	doc := htmltest.Parse(t, h.page("/staff/audio", cookie).Body.String())
	htmltest.One(t, doc, `a[href="/staff/surveys/test-survey/audio"]`)
	htmltest.One(t, doc, `nav a[href="/staff/audio"]`)

	rec := h.uploadClip(cookie, clipPage, "question.opus", seedClip(t))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != clipPage+"?done=uploaded" {
		t.Fatalf("upload: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	doc = htmltest.Parse(t, h.page(clipPage+"?done=uploaded", cookie).Body.String())
	htmltest.One(t, doc, `.notice[role=status]`)
	a := htmltest.One(t, doc, "audio[controls][preload=none]")
	if !strings.HasPrefix(htmltest.Attr(a, "src"), "/audio/") || htmltest.Attr(a, "aria-label") == "" {
		t.Errorf("player: src %q label %q", htmltest.Attr(a, "src"), htmltest.Attr(a, "aria-label"))
	}
	htmltest.One(t, doc, `form[method=post][enctype="multipart/form-data"] input#clip[type=file]`)
	htmltest.One(t, doc, `form[action="`+clipPage+`/delete?lang=en"] button`)

	doc = htmltest.Parse(t, h.page("/staff/surveys/test-survey/audio", cookie).Body.String())
	cells := htmltest.All(doc, "table.audio-grid tbody td a")
	def := testSurvey(t)
	if want := len(def.Questions()) * len(def.Languages); len(cells) != want {
		t.Fatalf("%d cells, want %d", len(cells), want)
	}
	recorded := 0
	for _, c := range cells {
		if strings.Contains(htmltest.Text(c), "Recorded") {
			recorded++
			if htmltest.Attr(c, "href") != clipPage {
				t.Errorf("the recorded cell links to %q", htmltest.Attr(c, "href"))
			}
		}
	}
	if recorded != 1 {
		t.Errorf("%d cells say Recorded, want 1", recorded)
	}

	if rec := h.uploadClip(cookie, clipPage, "again.m4a", clipFile(t, "hello.m4a")); rec.Code != http.StatusSeeOther {
		t.Fatalf("replace: %d", rec.Code)
	}
	if rec := h.form(clipPage+"/delete", nil, cookie, nil); rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "?done=removed") {
		t.Fatalf("remove: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if n := len(h.clips("test-survey")); n != 0 {
		t.Errorf("%d clips after removal", n)
	}

	entries, err := h.store.AuditLog(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Target != "test-survey" || e.ActorEmail != "root@yousaid.example" || e.Detail["question"] != "home_safe" || e.Detail["language"] != "ar" || len(e.Detail["sha256"]) != 64 {
			t.Errorf("audit entry %+v", e)
		}
		got = append(got, e.Action)
	}
	slices.Sort(got) // the harness's clock stands still: the entries share one time
	if diff := cmp.Diff([]string{"audio.removed", "audio.replaced", "audio.uploaded"}, got); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

// TestAudioTenancy walks every recording route with a Leeds council
// survey: York's council_admin gets 404 as if it did not exist, Leeds's
// facilitator 403, Leeds's council_admin and the platform admin succeed;
// and on a national survey a council_admin may listen but not change.
func TestAudioTenancy(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	def := testSurvey(t)
	def.ID, def.Council = "leeds-survey", "leeds"
	if err := h.store.PutSurvey(context.Background(), def); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"york":     h.user("admin@york.example", store.RoleCouncilAdmin, "york"),
		"leedsFac": h.user("fac@leeds.example", store.RoleFacilitator, "leeds"),
		"leeds":    h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds"),
		"root":     h.user("root@yousaid.example", store.RolePlatformAdmin, ""),
	}
	cookies := map[string]string{}
	for who, email := range map[string]string{"york": "admin@york.example", "leedsFac": "fac@leeds.example", "leeds": "admin@leeds.example", "root": "root@yousaid.example"} {
		cookies[who] = h.signIn(email)
	}
	data := seedClip(t)
	type call func(who, surveyID string) int
	calls := map[string]call{
		"GET /api/v1/surveys/:survey/audio": func(who, id string) int {
			return h.do(request{method: "GET", path: "/api/v1/surveys/" + id + "/audio", token: tokens[who]}).Code
		},
		"PUT /api/v1/surveys/:survey/audio/:question/:lang": func(who, id string) int {
			return h.putClip(tokens[who], "/api/v1/surveys/"+id+"/audio/home_safe/ar", data, "").Code
		},
		"DELETE /api/v1/surveys/:survey/audio/:question/:lang": func(who, id string) int {
			return h.do(request{method: "DELETE", path: "/api/v1/surveys/" + id + "/audio/home_safe/ar", token: tokens[who]}).Code
		},
		"GET /staff/surveys/:survey/audio": func(who, id string) int {
			return h.page("/staff/surveys/"+id+"/audio", cookies[who]).Code
		},
		"GET /staff/surveys/:survey/audio/:question/:lang": func(who, id string) int {
			return h.page("/staff/surveys/"+id+"/audio/home_safe/ar", cookies[who]).Code
		},
		"POST /staff/surveys/:survey/audio/:question/:lang": func(who, id string) int {
			return h.uploadClip(cookies[who], "/staff/surveys/"+id+"/audio/home_safe/ar", "clip.opus", data).Code
		},
		"POST /staff/surveys/:survey/audio/:question/:lang/delete": func(who, id string) int {
			return h.form("/staff/surveys/"+id+"/audio/home_safe/ar/delete", nil, cookies[who], nil).Code
		},
	}
	// Every recording route with a survey in it is walked.
	for _, r := range h.srv.Routes() {
		route := r.Method + " " + r.Path
		if strings.Contains(r.Path, "/audio") && strings.Contains(r.Path, ":survey") && calls[route] == nil {
			t.Errorf("%s is not walked by TestAudioTenancy", route)
		}
	}
	writes := func(route string) bool { return !strings.HasPrefix(route, "GET ") }
	for _, route := range slices.Sorted(maps.Keys(calls)) {
		t.Run(route, func(t *testing.T) {
			call := calls[route]
			if got := call("york", "leeds-survey"); got != http.StatusNotFound {
				t.Errorf("York's admin on Leeds's survey: %d, want 404", got)
			}
			if got := call("leedsFac", "leeds-survey"); got != http.StatusForbidden {
				t.Errorf("Leeds's facilitator: %d, want 403", got)
			}
			for _, who := range []string{"leeds", "root"} {
				if got := call(who, "leeds-survey"); got >= 400 && !(route == "DELETE /api/v1/surveys/:survey/audio/:question/:lang" && got == http.StatusNotFound) {
					t.Errorf("%s on Leeds's survey: %d", who, got)
				}
			}
			national := call("leeds", "test-survey")
			if writes(route) && national != http.StatusForbidden {
				t.Errorf("Leeds's admin changing a national survey's clip: %d, want 403", national)
			}
			if !writes(route) && national != http.StatusOK {
				t.Errorf("Leeds's admin looking at a national survey's clips: %d, want 200", national)
			}
		})
	}
	if n := len(h.clips("test-survey")); n != 0 {
		t.Errorf("a council admin stored %d clips on a national survey", n)
	}
	// York's own list of surveys never names Leeds's.
	if body := h.page("/staff/audio", cookies["york"]).Body.String(); strings.Contains(body, "leeds-survey") {
		t.Error("York's recordings page lists Leeds's survey")
	}
}

// TestExtensionPlaysNationalClips: a council's extension of a national
// survey plays the national recording of a base question it keeps, until
// the council attaches its own; the staff table says which is which.
func TestExtensionPlaysNationalClips(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	leeds := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	cookie := h.signIn("admin@leeds.example")
	ext := testSurvey(t)
	ext.ID, ext.Council, ext.Extends, ext.BaseVersion = "leeds-extension", "leeds", "test-survey", 1
	if err := h.store.PutSurvey(context.Background(), ext); err != nil {
		t.Fatal(err)
	}
	w := h.surveyWave("leeds", ext.ID, store.AccessOpen)
	national := decodeClip(t, h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/ar", seedClip(t), "")).URL
	src := func() string {
		doc := htmltest.Parse(t, h.surveyGet("/w/"+w.ID+"?lang=ar", nil).Body.String())
		return htmltest.Attr(htmltest.One(t, doc, "#qq-home_safe audio"), "src")
	}
	if got := src(); got != national {
		t.Errorf("the extension plays %q, want the national %q", got, national)
	}
	cell := func() string {
		doc := htmltest.Parse(t, h.page("/staff/surveys/leeds-extension/audio?lang=en", cookie).Body.String())
		for _, a := range htmltest.All(doc, "table.audio-grid td a") {
			if htmltest.Attr(a, "href") == "/staff/surveys/leeds-extension/audio/home_safe/ar" {
				return strings.Fields(htmltest.Text(a))[0]
			}
		}
		return ""
	}
	if got := cell(); got != "National" {
		t.Errorf("the extension's cell says %q, want National", got)
	}
	doc := htmltest.Parse(t, h.page("/staff/surveys/leeds-extension/audio/home_safe/ar", cookie).Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, "audio"), "src"); got != national {
		t.Errorf("the clip page plays %q, want the national recording", got)
	}

	own := decodeClip(t, h.putClip(leeds, "/api/v1/surveys/leeds-extension/audio/home_safe/ar", clipFile(t, "hello.opus"), "")).URL
	if got := src(); got != own {
		t.Errorf("after Leeds's own upload the extension plays %q, want %q", got, own)
	}
	if got := cell(); got != "Recorded" {
		t.Errorf("the extension's cell says %q, want Recorded", got)
	}
	// The national survey's own page is unchanged.
	base := h.surveyWave("leeds", "test-survey", store.AccessOpen)
	doc = htmltest.Parse(t, h.surveyGet("/w/"+base.ID+"?lang=ar", nil).Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, "#qq-home_safe audio"), "src"); got != national {
		t.Errorf("the national survey plays %q after Leeds's upload", got)
	}
}

// TestClipsOutliveSurveyVersions: a recording belongs to the survey, the
// question and the language, so a wave of a newer version plays it too.
func TestClipsOutliveSurveyVersions(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	url := decodeClip(t, h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/ar", seedClip(t), "")).URL
	v2 := testSurvey(t)
	v2.Version = 2
	v2.Title["en"] = "Test survey, second version"
	if err := h.store.PutSurvey(context.Background(), v2); err != nil {
		t.Fatal(err)
	}
	for _, version := range []int{1, 2} {
		w := &store.Wave{Council: "leeds", Survey: "test-survey", Version: version, Name: "Wave", Access: store.AccessOpen}
		if err := h.store.CreateWave(context.Background(), w); err != nil {
			t.Fatal(err)
		}
		doc := htmltest.Parse(t, h.surveyGet("/w/"+w.ID+"?lang=ar", nil).Body.String())
		if got := htmltest.Attr(htmltest.One(t, doc, "#qq-home_safe audio"), "src"); got != url {
			t.Errorf("version %d plays %q, want %q", version, got, url)
		}
	}
}
