package web_test

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSurveyEditorAxe runs axe-core on every page of the survey
// editor (which loads no script), and on the preview with survey.js
// running as for a young person, in English and Arabic; and on a question
// form shown again with its error summary, since a 422 page must pass too.
func TestBrowserSurveyEditorAxe(t *testing.T) {
	axePathname := axePath()
	if axePathname == "" {
		need(t, "axe-core not found: run `npm ci --prefix .ci` or set AXE_CORE_PATH")
	}
	axe, err := os.ReadFile(axePathname)
	if err != nil {
		t.Fatal(err)
	}
	f := newEditorFixture(t)
	def := f.stored(t)
	section, first := def.Sections[0].ID, def.Sections[0].Questions[0].ID
	f.post(t, "/settings", url.Values{"title": {"Leeds voice"}, "languages": {"en", "ar"}})
	f.post(t, "/questions", url.Values{"section": {section}, "type": {"scale"}, "id": {"mood"}, "text": {"How do you feel today?"}})
	f.post(t, "/question", url.Values{"id": {"mood"}, "text": {"How do you feel today?"}, "min": {"1"}, "max": {"5"},
		"min_label": {"Awful"}, "max_label": {"Great"}, "show_if": {first + ":yes"}})
	f.post(t, "/questions", url.Values{"section": {section}, "type": {"multi"}, "id": {"areas"}, "text": {"What matters most?"}})
	f.post(t, "/translate", url.Values{"to": {"ar"}, "t:title": {"صوت ليدز"}, "t:q." + first + ".text": {"هل تحب المكان الذي تعيش فيه؟"}})
	base := serve(t, f.h.srv)

	editor := base + "/staff/surveys/" + f.id
	for _, lang := range []string{"en", "ar"} {
		// A tab per language, with a deadline of its own for nine pages
		// on a busy machine.
		t.Run(lang, func(t *testing.T) {
			ctx := signedInTab(t, base)
			for _, p := range []struct{ what, url, ready string }{
				{"list", base + "/staff/surveys?lang=" + lang, "h1"},
				{"editor", editor + "?lang=" + lang, "#survey-title"},
				{"question", editor + "/question?id=mood&lang=" + lang, "#ed-text"},
				{"multi question", editor + "/question?id=areas&lang=" + lang, "#ed-new-label"},
				{"translation", editor + "/translate?to=ar&lang=" + lang, "#tr-title"},
				{"delete", editor + "/delete?question=areas&lang=" + lang, "#confirm-delete"},
				{"diff", base + "/staff/surveys/test-survey/diff?from=1&to=1&lang=" + lang, "h1"},
				{"preview", editor + "/preview?lang=" + lang, "#preview-notice"},
			} {
				do(t, ctx, "open "+p.what, chromedp.Navigate(p.url))
				waitFor(t, ctx, p.ready)
				runAxe(t, ctx, string(axe), lang+" "+p.what)
			}
			// A rule broken: the question page again, with its error summary.
			do(t, ctx, "open the scale", chromedp.Navigate(editor+"/question?id=mood&lang="+lang))
			waitFor(t, ctx, "#ed-min")
			do(t, ctx, "break the scale", chromedp.Evaluate[chromedp.Void](`document.getElementById('ed-min').value = '9';
				document.getElementById('ed-min').form.submit()`))
			waitFor(t, ctx, ".error-summary")
			runAxe(t, ctx, string(axe), lang+" question with errors")
		})
	}
}

// signedInTab is a new tab (three minutes long) signed in as Leeds's council admin, through the
// sign-in page as staff do.
func signedInTab(t *testing.T, base string) context.Context {
	t.Helper()
	return signedInTabAs(t, base, "admin@leeds.example")
}

// signedInTabAs is signedInTab for the user with email (whose password
// is the harness's).
func signedInTabAs(t *testing.T, base, email string) context.Context {
	t.Helper()
	newTab(t) // starts the shared browser if need be
	tab, cancelTab := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		t.Fatalf("new tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 3*time.Minute)
	t.Cleanup(func() { cancel(); cancelTab() })
	do(t, ctx, "open sign-in", chromedp.Navigate(base+"/signin?next=/staff/surveys"))
	waitFor(t, ctx, "#password")
	do(t, ctx, "sign in", chromedp.Evaluate[chromedp.Void](`document.getElementById('email').value = '`+email+`';
		document.getElementById('password').value = 'correct horse battery';
		document.getElementById('password').form.submit()`))
	waitFor(t, ctx, "nav.nav")
	return ctx
}
