package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
)

// form posts a URL-encoded form as a browser on the same site would.
func (h *harness) form(path string, values url.Values, cookie string, header map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// page GETs a page with an optional session cookie.
func (h *harness) page(path, cookie string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// signIn signs a user in through the form and returns the session cookie.
func (h *harness) signIn(email string) string {
	h.t.Helper()
	rec := h.form("/signin", url.Values{"email": {email}, "password": {"correct horse battery"}, "next": {"/staff"}}, "", nil)
	if rec.Code != http.StatusSeeOther {
		h.t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "yousaid_session" {
			return c.Value
		}
	}
	h.t.Fatal("sign-in set no session cookie")
	return ""
}

func TestSignIn(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")

	rec := h.page("/signin?lang=ar", "")
	doc := htmltest.Parse(t, rec.Body.String())
	htmltest.One(t, doc, "html[lang=ar][dir=rtl]")
	htmltest.One(t, doc, `form[method=post][action="/signin"] input#email[type=email]`)
	if rec.Header().Get("Set-Cookie") != "" {
		t.Error("the sign-in page sets a cookie before anyone signs in")
	}

	bad := h.form("/signin", url.Values{"email": {"admin@leeds.example"}, "password": {"wrong password"}}, "", nil)
	if bad.Code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", bad.Code)
	}
	doc = htmltest.Parse(t, bad.Body.String())
	link := htmltest.One(t, doc, ".error-summary a")
	if htmltest.Attr(link, "href") != "#email" {
		t.Errorf("error summary links to %q", htmltest.Attr(link, "href"))
	}
	if htmltest.Attr(htmltest.One(t, doc, "input#email"), "value") != "admin@leeds.example" {
		t.Error("the email was not kept")
	}

	good := h.form("/signin", url.Values{"email": {"admin@leeds.example"}, "password": {"correct horse battery"}, "next": {"//evil.example/x"}}, "", nil)
	if good.Code != http.StatusSeeOther || good.Header().Get("Location") != "/staff" {
		t.Fatalf("sign-in: %d to %q (an off-site next must not be followed)", good.Code, good.Header().Get("Location"))
	}
	cookie := good.Result().Cookies()[0]
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
		t.Errorf("cookie over http: HttpOnly=%v SameSite=%v Secure=%v", cookie.HttpOnly, cookie.SameSite, cookie.Secure)
	}
	tls := h.form("/signin", url.Values{"email": {"admin@leeds.example"}, "password": {"correct horse battery"}}, "", map[string]string{"X-Forwarded-Proto": "https"})
	if c := tls.Result().Cookies(); len(c) == 0 || !c[0].Secure {
		t.Error("the cookie is not Secure behind TLS")
	}

	cross := h.form("/signin", url.Values{"email": {"admin@leeds.example"}, "password": {"correct horse battery"}}, "", map[string]string{"Sec-Fetch-Site": "cross-site"})
	if cross.Code != http.StatusForbidden || len(cross.Result().Cookies()) != 0 {
		t.Fatalf("cross-origin sign-in: %d", cross.Code)
	}

	out := h.form("/signout", nil, cookie.Value, nil)
	if out.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", out.Code)
	}
	if rec := h.page("/staff", cookie.Value); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/signin?next=") {
		t.Fatalf("after sign-out: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestCouncilPage(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	h.user("admin@york.example", store.RoleCouncilAdmin, "york")
	admin := h.signIn("admin@leeds.example")

	if rec := h.page("/staff", admin); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/councils/leeds" {
		t.Fatalf("/staff: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec := h.form("/staff/councils/leeds/waves", url.Values{"name": {"2027 baseline"}, "survey": {"test-survey"}, "access": {"codes"}}, admin, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("open wave: %d %s", rec.Code, rec.Body)
	}
	rec = h.form("/staff/councils/leeds/waves", url.Values{"name": {""}, "survey": {"test-survey"}, "access": {"open"}}, admin, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("wave without a name: %d", rec.Code)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#wave-name" {
		t.Errorf("error summary links to %q", got)
	}

	rec = h.page("/staff/councils/leeds?lang=ar", admin)
	if rec.Code != 200 {
		t.Fatalf("council page: %d", rec.Code)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	htmltest.One(t, doc, "html[dir=rtl]")
	rows := htmltest.All(doc, "table tbody tr")
	if len(rows) != 1 {
		t.Fatalf("%d waves listed, want 1", len(rows))
	}
	waves, err := h.store.CouncilWaves(context.Background(), "leeds")
	if err != nil || len(waves) != 1 {
		t.Fatal(err)
	}
	w := waves[0]
	htmltest.One(t, doc, `tbody form[action="/staff/waves/`+w.ID+`/codes"]`)

	rec = h.form("/staff/waves/"+w.ID+"/codes", url.Values{"count": {"12"}}, admin, nil)
	if rec.Code != 200 {
		t.Fatalf("codes: %d", rec.Code)
	}
	if cards := htmltest.All(htmltest.Parse(t, rec.Body.String()), ".code-card"); len(cards) != 12 {
		t.Fatalf("%d cards, want 12", len(cards))
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("the codes page may be cached")
	}

	fac := h.signIn("fac@leeds.example")
	if rec := h.form("/staff/waves/"+w.ID+"/codes", url.Values{"count": {"3"}}, fac, nil); rec.Code != http.StatusForbidden {
		t.Errorf("a facilitator made codes: %d", rec.Code)
	}
	if rec := h.page("/staff/councils/leeds", fac); rec.Code != 200 || len(htmltest.All(htmltest.Parse(t, rec.Body.String()), `form[action="/staff/waves/`+w.ID+`/close"]`)) != 0 {
		t.Errorf("a facilitator sees the close buttons (status %d)", rec.Code)
	}
	york := h.signIn("admin@york.example")
	if rec := h.page("/staff/councils/leeds", york); rec.Code != http.StatusNotFound {
		t.Errorf("another council's page: %d, want 404", rec.Code)
	}
	if rec := h.form("/staff/waves/"+w.ID+"/close", nil, york, nil); rec.Code != http.StatusNotFound {
		t.Errorf("another council closed a wave: %d, want 404", rec.Code)
	}
	if rec := h.form("/staff/waves/"+w.ID+"/close", nil, admin, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden {
		t.Errorf("a cross-origin close: %d, want 403", rec.Code)
	}
	if rec := h.form("/staff/waves/"+w.ID+"/close", nil, admin, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("close: %d", rec.Code)
	}
	got, err := h.store.Wave(context.Background(), w.ID)
	if err != nil || got.ClosedAt == nil {
		t.Fatalf("the wave is not closed: %v", err)
	}
}

func TestStoreDownAnswers503(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	path := "/api/v1/waves/" + w.ID + "/responses"
	body := `{"language":"en","answers":{"age_band":"16-17"}}`
	if rec := h.do(request{method: "POST", path: path, body: body}); rec.Code != 201 {
		t.Fatalf("before: %d", rec.Code)
	}
	h.storeClosed = true
	if err := h.store.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := h.do(request{method: "POST", path: path, body: body})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("store down: %d (Retry-After %q), want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if e := decodeErr(t, rec); e.Error.Code != "store_unavailable" {
		t.Errorf("code %q", e.Error.Code)
	}
	if rec := h.do(request{method: "GET", path: "/readyz"}); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the store down: %d", rec.Code)
	}
}
