package web_test

import (
	"net/url"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSurveyEditorAxe runs axe-core on every page of the survey
// editor, and on the preview, in English and Arabic, with JavaScript off
// for the editor (it needs none) and on for the preview (survey.js runs
// there as for a young person). The editor pages are shown with an error
// summary too, since a 422 page must pass as well.
func TestBrowserSurveyEditorAxe(t *testing.T) {
	axePathname := axePath()
	if axePathname == "" {
		need(t, "axe-core not found: run `npm ci --prefix .ci` or set AXE_CORE_PATH")
	}
	axe, err := os.ReadFile(axePathname)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
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

	// Sign in through the page, as staff do.
	do(t, ctx, "open sign-in", chromedp.Navigate(base+"/signin?next=/staff/surveys"))
	waitFor(t, ctx, "#password")
	do(t, ctx, "sign in", chromedp.Evaluate[chromedp.Void](`document.getElementById('email').value = 'admin@leeds.example';
		document.getElementById('password').value = 'correct horse battery';
		document.getElementById('password').form.submit()`))
	waitFor(t, ctx, "nav.nav")

	editor := base + "/staff/surveys/" + f.id
	for _, lang := range []string{"en", "ar"} {
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
			do(t, ctx, "open "+p.what+" "+lang, chromedp.Navigate(p.url))
			waitFor(t, ctx, p.ready)
			runAxe(t, ctx, string(axe), lang+" "+p.what)
		}
		// A rule broken: the question page again, with its error summary.
		do(t, ctx, "open the scale "+lang, chromedp.Navigate(editor+"/question?id=mood&lang="+lang))
		waitFor(t, ctx, "#ed-min")
		do(t, ctx, "break the scale "+lang, chromedp.Evaluate[chromedp.Void](`document.getElementById('ed-min').value = '9';
			document.getElementById('ed-min').form.submit()`))
		waitFor(t, ctx, ".error-summary")
		runAxe(t, ctx, string(axe), lang+" question with errors")
	}
}
