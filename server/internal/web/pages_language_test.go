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
	"yousaid/server/internal/web"
)

// TestFormPostKeepsItsLanguage: a staff form posts to a URL without ?lang
// and carries the page's language in a hidden lang field; the page shown
// again with its errors, and the page a 303 leads to, stay in that
// language whatever the browser asks for. ?lang still wins over the field.
func TestFormPostKeepsItsLanguage(t *testing.T) {
	p := newPlan(t)
	cookie := p.h.signIn(p.adminEmail)
	english := map[string]string{"Accept-Language": "en-GB,en;q=0.9"}
	post := func(path string, form url.Values) *http.Response {
		return p.h.form(path, form, cookie, english).Result()
	}

	for _, tt := range []struct {
		name, path, field, wantLang, wantDir string
	}{
		{"the form's lang", "/staff/councils/leeds/retention", "ar", "ar", "rtl"},
		{"?lang over the form's", "/staff/councils/leeds/retention?lang=fr", "ar", "fr", "ltr"},
		{"no lang: the browser's", "/staff/councils/leeds/retention", "", "en", "ltr"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.h.form(tt.path, url.Values{"lang": {tt.field}, "retention_months": {"2"}}, cookie, english)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("2 months: %d, want 422", rec.Code)
			}
			doc := htmltest.Parse(t, rec.Body.String())
			html := htmltest.One(t, doc, "html")
			if got := htmltest.Attr(html, "lang") + " " + htmltest.Attr(html, "dir"); got != tt.wantLang+" "+tt.wantDir {
				t.Errorf("the form shown again is %q, want %q", got, tt.wantLang+" "+tt.wantDir)
			}
			if got := htmltest.Attr(htmltest.One(t, doc, `input[name="lang"]`), "value"); got != tt.wantLang {
				t.Errorf("the form carries lang %q on, want %q", got, tt.wantLang)
			}
		})
	}

	res := post("/staff/councils/leeds/retention", url.Values{"lang": {"ar"}, "retention_months": {"36"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "lang=ar") {
		t.Errorf("saved in Arabic: %d to %q, want 303 to a page in Arabic", res.StatusCode, loc)
	}

	// The field is read before the handler runs: a body it cannot read is
	// still the handler's 400 or 413, not a form without fields.
	if res := post("/staff/councils/leeds/retention", url.Values{"lang": {"ar"}, "pad": {strings.Repeat("x", web.MaxBodyBytes)}}); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized form: %d, want 413", res.StatusCode)
	}
	req := httptest.NewRequest("POST", "/staff/councils/leeds/retention", strings.NewReader("lang=ar&retention_months=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
	bad := httptest.NewRecorder()
	p.h.srv.ServeHTTP(bad, req)
	if bad.Code != http.StatusBadRequest {
		t.Errorf("a malformed form: %d, want 400", bad.Code)
	}
}

// TestClosedWavePageInTheFormsLanguage: a young person who sends the
// survey in Arabic after the wave closed reads why in Arabic, not in the
// browser's language: the survey form carries its language in its lang
// field only.
func TestClosedWavePageInTheFormsLanguage(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	if _, err := h.store.CloseWave(context.Background(), w.ID); err != nil {
		t.Fatal(err)
	}
	rec := h.form("/w/"+w.ID, url.Values{"lang": {"ar"}}, "", map[string]string{"Accept-Language": "en"})
	if rec.Code != http.StatusGone {
		t.Fatalf("a closed wave: %d, want 410", rec.Code)
	}
	html := htmltest.One(t, htmltest.Parse(t, rec.Body.String()), "html")
	if got := htmltest.Attr(html, "lang") + " " + htmltest.Attr(html, "dir"); got != "ar rtl" {
		t.Errorf("the closed-wave page is %q, want \"ar rtl\"", got)
	}
}
