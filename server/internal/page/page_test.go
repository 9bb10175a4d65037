package page

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"yousaid/frontend"
	"yousaid/locales"
	"yousaid/server/internal/locale"
)

func testBundle(t *testing.T) *locale.Bundle {
	t.Helper()
	b, err := locale.New(locales.FS)
	if err != nil {
		t.Fatalf("locale.New: %v", err)
	}
	return b
}

func testRenderer(t *testing.T, fsys fs.FS) (*Renderer, *locale.Bundle) {
	t.Helper()
	b := testBundle(t)
	r, err := New(fsys, b)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r, b
}

// overlay returns frontend.FS as a MapFS with files replaced or added
// (a nil body removes the file).
func overlay(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(frontend.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(frontend.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, body := range files {
		m[p] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

// samples gives a view model to each shipped page whose view model lives in
// this package, to render it in both directions below. Pages whose view
// models live in package web are rendered by web's tests; every page is
// parsed and escaped by New and checked for inline script and style by
// TestTemplatesHaveNoInlineCode.
var samples = map[string]func(r *Renderer, l *locale.Localizer) any{
	"error": func(r *Renderer, l *locale.Localizer) any {
		p := r.NewErrorPage(l, http.StatusNotFound)
		p.Languages = LanguageLinks(&url.URL{Path: "/nowhere"}, l.Tag(), []string{"en", "ar", "fa-AF"})
		return p
	},
}

// render renders page name with data and parses the result, failing the
// test on any error, on a message ID that does not exist and on a
// placeholder left without data.
func render(t *testing.T, r *Renderer, name string, data any) (*html.Node, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, name, data); err != nil {
		t.Fatalf("Render(%q): %v", name, err)
	}
	if p, ok := data.(interface{ pageBase() Base }); ok {
		if missing := p.pageBase().L.Missing(); len(missing) > 0 {
			t.Errorf("Render(%q) used messages that do not exist or lack data: %q", name, missing)
		}
	}
	if bytes.Contains(buf.Bytes(), []byte("<no value>")) {
		t.Errorf("Render(%q) printed <no value>", name)
	}
	return parseHTML(t, buf.Bytes()), buf.Bytes()
}

func TestEveryPageRenders(t *testing.T) {
	r, b := testRenderer(t, frontend.FS)
	for name, sample := range samples {
		if err := r.Require(name); err != nil {
			t.Error(err)
			continue
		}
		for _, tc := range []struct{ lang, dir string }{{"en", "ltr"}, {"ar", "rtl"}, {"fa-AF", "rtl"}, {"ti", "ltr"}} {
			t.Run(name+"/"+tc.lang, func(t *testing.T) {
				doc, raw := render(t, r, name, sample(r, b.Localizer(tc.lang)))

				root := find(t, doc, el("html"))
				if got, _ := attr(root, "lang"); got != tc.lang {
					t.Errorf(`<html lang=%q>, want %q`, got, tc.lang)
				}
				if got, _ := attr(root, "dir"); got != tc.dir {
					t.Errorf(`<html dir=%q>, want %q`, got, tc.dir)
				}
				find(t, doc, el("meta", "charset", "utf-8"))
				find(t, doc, el("meta", "name", "viewport"))
				if text(find(t, doc, el("title"))) == "" {
					t.Error("empty <title>")
				}
				css := find(t, doc, el("link", "rel", "stylesheet"))
				if got, _ := attr(css, "href"); got != "/static/site.css?v="+r.AssetVersion() {
					t.Errorf("stylesheet href %q", got)
				}
				skip := find(t, doc, el("a", "class", "skip-link"))
				if got, _ := attr(skip, "href"); got != "#main" {
					t.Errorf("skip link href %q, want #main", got)
				}
				main := find(t, doc, el("main", "id", "main"))
				if got, _ := attr(main, "tabindex"); got != "-1" {
					t.Errorf("main tabindex %q, want -1", got)
				}
				if n := len(findAll(main, el("h1"))); n != 1 {
					t.Errorf("%d h1 in main, want 1", n)
				}
				find(t, doc, el("footer"))

				// The CSP forbids inline script and style.
				if anyNode(doc, func(n *html.Node) bool {
					return n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style")
				}) {
					t.Error("page has a <script> or <style> element")
				}
				if anyNode(doc, func(n *html.Node) bool {
					_, ok := attr(n, "style")
					return ok
				}) {
					t.Error("page has a style= attribute")
				}
				if anyNode(doc, func(n *html.Node) bool {
					for _, a := range n.Attr {
						if strings.HasPrefix(a.Key, "on") {
							return true
						}
					}
					return false
				}) {
					t.Error("page has an on* event attribute")
				}
				if bytes.Contains(bytes.ToLower(raw), []byte("javascript:")) {
					t.Error("page has a javascript: URL")
				}
			})
		}
	}
}

func TestErrorPage(t *testing.T) {
	r, b := testRenderer(t, frontend.FS)
	statuses := []int{400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 502, 503}
	for _, status := range statuses {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			l := b.Localizer("en")
			doc, _ := render(t, r, "error", r.NewErrorPage(l, status))
			titleID, textID := ErrorMessageIDs(status)
			h1 := find(t, doc, el("h1"))
			if got, want := text(h1), b.Localizer("en").T(titleID); got != want || got == titleID {
				t.Errorf("h1 = %q, want %q", got, want)
			}
			main := find(t, doc, el("main"))
			if !strings.Contains(text(main), b.Localizer("en").T(textID)) {
				t.Errorf("main lacks the sentence %q: %q", textID, text(main))
			}
			if !strings.Contains(text(main), fmt.Sprint(status)) {
				t.Errorf("main does not show the status %d: %q", status, text(main))
			}
			home := find(t, main, el("a", "class", "button"))
			if got, _ := attr(home, "href"); got != "/?lang=en" {
				t.Errorf("home link %q, want /?lang=en", got)
			}
			if title := text(find(t, doc, el("title"))); !strings.HasPrefix(title, text(h1)) {
				t.Errorf("<title> %q does not start with the heading %q", title, text(h1))
			}
		})
	}

	t.Run("not found heading", func(t *testing.T) {
		doc, _ := render(t, r, "error", r.NewErrorPage(b.Localizer("en"), http.StatusNotFound))
		if got := text(find(t, doc, el("h1"))); got != "Page not found" {
			t.Errorf("h1 = %q, want Page not found", got)
		}
	})
}

func TestFallbackNotice(t *testing.T) {
	// English only, so that every other language falls back whatever
	// translations ship.
	en, err := fs.ReadFile(locales.FS, "active.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := locale.New(fstest.MapFS{"active.en.toml": &fstest.MapFile{Data: en}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(frontend.FS, b)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := render(t, r, "error", r.NewErrorPage(b.Localizer("en"), 404))
	if n := len(findAll(doc, el("p", "class", "fallback-notice"))); n != 0 {
		t.Errorf("English page shows %d fallback notices, want 0", n)
	}
	l := b.Localizer("ar")
	doc, _ = render(t, r, "error", r.NewErrorPage(l, 404))
	if l.Fallbacks() == 0 {
		t.Fatal("no fallbacks counted for an untranslated page")
	}
	notice := find(t, find(t, doc, el("footer")), el("p", "class", "fallback-notice"))
	if got := text(notice); got != "Some words on this page are not translated yet, so they are shown in English." {
		t.Errorf("notice %q", got)
	}
}

func TestLanguageSwitcher(t *testing.T) {
	r, b := testRenderer(t, frontend.FS)
	l := b.Localizer("ar")
	p := r.NewErrorPage(l, 404)
	p.Languages = LanguageLinks(&url.URL{Path: "/w/abc", RawQuery: "lang=en&by=age"}, l.Tag(), []string{"en", "ar", "fa-AF", "ti"})
	doc, _ := render(t, r, "error", p)

	nav := find(t, doc, el("nav", "class", "nav", "aria-label", ""))
	links := findAll(nav, el("a"))
	type link struct{ Text, Href, Lang, Hreflang, Dir, Current string }
	var got []link
	for _, a := range links {
		g := link{Text: text(a)}
		g.Href, _ = attr(a, "href")
		g.Lang, _ = attr(a, "lang")
		g.Hreflang, _ = attr(a, "hreflang")
		g.Dir, _ = attr(a, "dir")
		g.Current, _ = attr(a, "aria-current")
		got = append(got, g)
	}
	want := []link{
		{"English", "/w/abc?by=age&lang=en", "en", "en", "ltr", ""},
		{"العربية", "/w/abc?by=age&lang=ar", "ar", "ar", "rtl", "true"},
		{"دری", "/w/abc?by=age&lang=fa-AF", "fa-AF", "fa-AF", "rtl", ""},
		{"ትግርኛ", "/w/abc?by=age&lang=ti", "ti", "ti", "ltr", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("switcher links mismatch (-want +got):\n%s", diff)
	}

	// One language: nothing to switch to, so no switcher.
	p.Languages = LanguageLinks(nil, "en", []string{"en"})
	doc, _ = render(t, r, "error", p)
	if n := len(findAll(doc, el("a", "hreflang", ""))); n != 0 {
		t.Errorf("%d switcher links for a single language, want none", n)
	}
}

func TestLanguageLinks(t *testing.T) {
	tests := []struct {
		name string
		u    *url.URL
		want string
	}{
		{"nil URL", nil, "?lang=ar"},
		{"keeps other parameters", &url.URL{Path: "/r/x", RawQuery: "by=language&lang=en"}, "/r/x?by=language&lang=ar"},
		{"escapes the path", &url.URL{Path: "/a b"}, "/a%20b?lang=ar"},
		{"never another site", &url.URL{Path: "//evil.example/x"}, "/evil.example/x?lang=ar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LanguageLinks(tt.u, "en", []string{"ar"})
			if len(got) != 1 || got[0].URL != tt.want {
				t.Errorf("LanguageLinks URL = %+v, want %q", got, tt.want)
			}
		})
	}
	got := LanguageLinks(nil, "FA-af", []string{"fa-AF", "kmr"})
	want := []LanguageLink{
		{Tag: "fa-AF", Name: "دری", URL: "?lang=fa-AF", Current: true},
		{Tag: "kmr", Name: "kmr", URL: "?lang=kmr"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LanguageLinks mismatch (-want +got):\n%s", diff)
	}
}

// formPage is a view model like a survey page's, for the form partials.
type formPage struct {
	Base
	Answer string
}

const testFormPage = `
{{define "switcher"}}{{template "language-form" .}}{{end}}
{{define "content"}}
<h1>{{.Title}}</h1>
{{template "error-summary" .}}
<form method="post">
{{$f := .Field "q-home"}}
<div class="{{if $f.Message}}has-error{{end}}">
<label for="q-home">Home</label>
{{template "field-error" $f}}
<input type="text" id="q-home" name="home" value="{{.Answer}}"{{with $f.DescribedBy}} aria-describedby="{{.}}"{{end}}>
</div>
{{$g := .Field "q-safe"}}
<input type="text" id="q-safe" name="safe"{{with $g.DescribedBy}} aria-describedby="{{.}}"{{end}}>
{{template "field-error" $g}}
{{$ok := .Field "q-fine"}}
<input type="text" id="q-fine" name="fine"{{with $ok.DescribedBy}} aria-describedby="{{.}}"{{end}}>
{{template "field-error" $ok}}
<div class="scale">{{range seq 0 10}}<label><input type="radio" name="n" value="{{.}}"><span>{{.}}</span></label>{{end}}</div>
</form>
{{end}}
`

func TestFormPartials(t *testing.T) {
	r, b := testRenderer(t, overlay(t, map[string]string{"templates/pages/form.html": testFormPage}))
	l := b.Localizer("en")
	p := formPage{Base: r.NewBase(l, "Your home"), Answer: `<b>"kept"</b>`}
	p.Languages = LanguageLinks(&url.URL{Path: "/w/x"}, "en", []string{"en", "ar"})
	p.Errors = []FieldError{
		{ID: "q-home", Message: "Choose how safe you feel at home."},
		{ID: "q-safe", Message: "Choose a number from 0 to 10."},
	}
	doc, _ := render(t, r, "form", p)

	if got := text(find(t, doc, el("title"))); got != "Error: Your home – yousaid" {
		t.Errorf("<title> %q", got)
	}
	summary := find(t, doc, el("section", "class", "error-summary"))
	if _, ok := attr(summary, "autofocus"); !ok {
		t.Error("error summary lacks autofocus")
	}
	if got, _ := attr(summary, "aria-labelledby"); got != "error-summary-title" {
		t.Errorf("error summary aria-labelledby %q", got)
	}
	if got := text(find(t, summary, el("h2", "id", "error-summary-title"))); got != "There is a problem" {
		t.Errorf("summary heading %q", got)
	}
	if !strings.Contains(text(summary), "Please check 2 answers.") {
		t.Errorf("summary text %q lacks the plural count", text(summary))
	}
	var hrefs []string
	for _, a := range findAll(summary, el("a")) {
		h, _ := attr(a, "href")
		hrefs = append(hrefs, h+" "+text(a))
	}
	if diff := cmp.Diff([]string{"#q-home Choose how safe you feel at home.", "#q-safe Choose a number from 0 to 10."}, hrefs); diff != "" {
		t.Errorf("summary links mismatch (-want +got):\n%s", diff)
	}

	for _, id := range []string{"q-home", "q-safe"} {
		msg := find(t, doc, el("p", "id", id+"-error"))
		if !strings.HasPrefix(text(msg), "Error: ") {
			t.Errorf("%s message %q lacks the hidden Error: prefix", id, text(msg))
		}
		find(t, msg, el("span", "class", "visually-hidden"))
		input := find(t, doc, el("input", "id", id))
		if got, _ := attr(input, "aria-describedby"); got != id+"-error" {
			t.Errorf("%s aria-describedby %q", id, got)
		}
	}
	fine := find(t, doc, el("input", "id", "q-fine"))
	if _, ok := attr(fine, "aria-describedby"); ok {
		t.Error("a valid field has aria-describedby")
	}
	if n := len(findAll(doc, el("p", "id", "q-fine-error"))); n != 0 {
		t.Error("a valid field has an error message")
	}
	if got, _ := attr(find(t, doc, el("input", "id", "q-home")), "value"); got != `<b>"kept"</b>` {
		t.Errorf("kept answer %q", got)
	}

	// The page swapped the link switcher for the drop-down form.
	if n := len(findAll(doc, el("a", "hreflang", ""))); n != 0 {
		t.Errorf("%d switcher links, want the form instead", n)
	}
	form := find(t, doc, el("form", "method", "get"))
	sel := find(t, form, el("select", "name", "lang"))
	if got := text(find(t, sel, el("option", "selected", ""))); got != "English" {
		t.Errorf("selected language %q", got)
	}
	find(t, doc, el("label", "for", "language-select"))

	var nums []string
	for _, in := range findAll(find(t, doc, el("div", "class", "scale")), el("input")) {
		v, _ := attr(in, "value")
		nums = append(nums, v)
	}
	if got := strings.Join(nums, " "); got != "0 1 2 3 4 5 6 7 8 9 10" {
		t.Errorf("scale values %q", got)
	}
}

func TestStaffNav(t *testing.T) {
	r, b := testRenderer(t, frontend.FS)
	p := r.NewErrorPage(b.Localizer("en"), 403)
	doc, _ := render(t, r, "error", p)
	signIn := find(t, find(t, doc, el("footer")), el("a"))
	if got, _ := attr(signIn, "href"); got != "/signin?lang=en" {
		t.Errorf("public page sign-in link %q", got)
	}

	p.User = &StaffUser{Name: "Sam Jones", Email: "sam@example.org", Role: "facilitator", Council: "leeds"}
	p.Nav = []NavLink{{Label: "Waves", URL: "/staff/waves", Current: true}, {Label: "Sessions", URL: "/staff/sessions"}}
	p.CSRFToken = "tok123"
	doc, _ = render(t, r, "error", p)
	nav := find(t, doc, el("nav", "aria-label", "Staff menu"))
	if !strings.Contains(text(nav), "Signed in as Sam Jones.") {
		t.Errorf("staff nav %q", text(nav))
	}
	cur := find(t, nav, el("a", "aria-current", "page"))
	if text(cur) != "Waves" {
		t.Errorf("current entry %q", text(cur))
	}
	form := find(t, nav, el("form", "method", "post", "action", "/signout"))
	find(t, form, el("input", "type", "hidden", "name", "csrf_token", "value", "tok123"))
	if n := len(findAll(find(t, doc, el("footer")), el("a"))); n != 0 {
		t.Errorf("signed-in page still shows %d footer links", n)
	}

	p.User = &StaffUser{Email: "sam@example.org"}
	doc, _ = render(t, r, "error", p)
	if !strings.Contains(text(doc), "Signed in as sam@example.org.") {
		t.Error("a user without a name is not shown by email")
	}
}

func TestRenderWritesNothingOnError(t *testing.T) {
	broken := `{{define "content"}}<h1>{{.Title}}</h1>{{.NoSuchField}}{{end}}`
	r, b := testRenderer(t, overlay(t, map[string]string{"templates/pages/broken.html": broken}))
	var buf bytes.Buffer
	err := r.Render(&buf, "broken", r.NewBase(b.Localizer("en"), "Broken"))
	if err == nil {
		t.Fatal("Render succeeded; want an error for the missing field")
	}
	if buf.Len() != 0 {
		t.Errorf("Render wrote %d bytes before failing, want none", buf.Len())
	}
}

type noBase struct{ Title string }

func TestRenderRejects(t *testing.T) {
	r, b := testRenderer(t, frontend.FS)
	tests := []struct {
		name, page string
		data       any
		want       string
	}{
		{"unknown page", "nope", r.NewBase(b.Localizer("en"), "x"), `no page "nope"`},
		{"no Base", "error", noBase{Title: "x"}, "does not embed page.Base"},
		{"nil data", "error", nil, "does not embed page.Base"},
		{"no localizer", "error", ErrorPage{Base: Base{Lang: "en"}}, "Base.L is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := r.Render(&buf, tt.page, tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render error = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}

	// A pointer to a page works as well as the page.
	p := r.NewErrorPage(b.Localizer("en"), 404)
	render(t, r, "error", &p)
}

func TestRequire(t *testing.T) {
	r, _ := testRenderer(t, frontend.FS)
	if err := r.Require("error"); err != nil {
		t.Errorf("Require(error) = %v", err)
	}
	err := r.Require("error", "nosuch", "neither")
	if err == nil || !strings.Contains(err.Error(), "nosuch, neither") {
		t.Errorf("Require(missing) = %v, want both named", err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"page does not parse", map[string]string{"templates/pages/bad.html": `{{define "content"}}{{if}}{{end}}`}, "templates/pages/bad.html"},
		{"page without content", map[string]string{"templates/pages/empty.html": `<p>hello</p>`}, `templates/pages/empty.html does not define "content"`},
		{"t func instead of method", map[string]string{"templates/pages/old.html": `{{define "content"}}{{t "SignIn"}}{{end}}`}, `function "t" not defined`},
		{"unsafe to escape", map[string]string{"templates/pages/esc.html": `{{define "content"}}{{if .Title}}<a href="{{else}}<b>{{end}}x{{end}}`}, "templates/pages/esc.html"},
		{"layout does not parse", map[string]string{"templates/layout.html": `{{define "layout"}}{{end}`}, "layout.html"},
		{"partial does not parse", map[string]string{"templates/partials/x.html": `{{template}}`}, "partials/x.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(overlay(t, tt.files), testBundle(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one containing %q", err, tt.want)
			}
		})
	}

	noPages := overlay(t, nil)
	for p := range noPages {
		if strings.HasPrefix(p, "templates/pages/") {
			delete(noPages, p)
		}
	}
	if _, err := New(noPages, testBundle(t)); err == nil {
		t.Error("New with no pages succeeded")
	}
	if _, err := New(frontend.FS, nil); err == nil {
		t.Error("New with a nil bundle succeeded")
	}
}

func TestAssetVersion(t *testing.T) {
	r1, _ := testRenderer(t, frontend.FS)
	r2, _ := testRenderer(t, overlay(t, map[string]string{"static/site.css": "body{}"}))
	if len(r1.AssetVersion()) != 12 || r1.AssetVersion() == r2.AssetVersion() {
		t.Errorf("asset versions %q and %q: want 12 hex digits that change with the files", r1.AssetVersion(), r2.AssetVersion())
	}
}

// TestConcurrentRender renders the same page in two languages at once:
// under -race this catches any per-request state shared through the
// templates (Miniflux once had exactly that bug).
func TestConcurrentRender(t *testing.T) {
	r, b := testRenderer(t, frontend.FS)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		lang, dir := "en", "ltr"
		if i%2 == 1 {
			lang, dir = "ar", "rtl"
		}
		wg.Go(func() {
			for range 20 {
				var buf bytes.Buffer
				if err := r.Render(&buf, "error", r.NewErrorPage(b.Localizer(lang), 404)); err != nil {
					errs <- err
					return
				}
				want := fmt.Sprintf(`<html lang="%s" dir="%s">`, lang, dir)
				if !bytes.Contains(buf.Bytes(), []byte(want)) {
					errs <- errors.New("a page in " + lang + " lacks " + want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// inlineCode finds what the CSP (no 'unsafe-inline') would block or what
// would run script: script and style elements, style and on* attributes,
// javascript: URLs.
var inlineCode = regexp.MustCompile(`(?i)<script|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)

// ownScript is the one script element a template may have: a deferred file
// of ours under /static, with the asset version. The CSP allows it.
var ownScript = regexp.MustCompile(`<script src="/static/[a-z0-9-]+\.js\?v=\{\{\.AssetVersion\}\}" defer></script>`)

// TestTemplatesHaveNoInlineCode checks every template file, including the
// pages whose view models live in package web and so are not rendered here.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	err := fs.WalkDir(frontend.FS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(frontend.FS, p)
		if err != nil {
			return err
		}
		if m := inlineCode.Find(ownScript.ReplaceAll(src, nil)); m != nil {
			t.Errorf("%s has %q: no inline script or style (the CSP forbids them)", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFuncs(t *testing.T) {
	seq := funcs["seq"].(func(int, int) []int)
	if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, seq(0, 10)); diff != "" {
		t.Errorf("seq(0, 10) mismatch (-want +got):\n%s", diff)
	}
	if got := seq(5, 4); len(got) != 0 {
		t.Errorf("seq(5, 4) = %v, want empty", got)
	}
	if got := len(seq(0, 1<<30)); got != 1000 {
		t.Errorf("len(seq(0, 1<<30)) = %d, want the cap of 1000", got)
	}
	if got := funcs["add"].(func(int, int) int)(1, 2); got != 3 {
		t.Errorf("add(1, 2) = %d", got)
	}
	langName := funcs["langName"].(func(string) string)
	for tag, want := range map[string]string{"ckb": "کوردی", "fa-AF": "دری", "kmr": "kmr"} {
		if got := langName(tag); got != want {
			t.Errorf("langName(%q) = %q, want %q", tag, got, want)
		}
	}
	if got := funcs["dir"].(func(string) string)("ps"); got != "rtl" {
		t.Errorf("dir(ps) = %q", got)
	}
}
