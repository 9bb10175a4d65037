package web_test

// Browser test of the survey editor: see browser_kit_test.go for the kit.

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSurveyEditorAxe runs axe-core on every page of the survey
// editor (which loads no script), and on the preview with survey.js
// running as for a young person, in English and Arabic; and on a question
// form shown again with its error summary, since a 422 page must pass too.
func TestBrowserSurveyEditorAxe(t *testing.T) {
	needAxe(t)
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
		t.Run(lang, func(t *testing.T) {
			tab := staffTab(t, base, "admin@leeds.example")
			for _, p := range []struct{ what, url, ready string }{
				{"list", base + "/staff/surveys?lang=" + lang, "#surveys-caption"},
				{"editor", editor + "?lang=" + lang, "#survey-title"},
				{"question", editor + "/question?id=mood&lang=" + lang, "#ed-text"},
				{"multi question", editor + "/question?id=areas&lang=" + lang, "#ed-new-label"},
				{"translation", editor + "/translate?to=ar&lang=" + lang, "#tr-title"},
				{"delete", editor + "/delete?question=areas&lang=" + lang, "#confirm-delete"},
				{"diff", base + "/staff/surveys/test-survey/diff?from=1&to=1&lang=" + lang, "#diff-from"},
				{"preview", editor + "/preview?lang=" + lang, "#preview-notice"},
			} {
				tab.open(p.url, p.ready)
				tab.runAxe(lang + " " + p.what)
			}
			// A rule broken: the question page again, with its error summary.
			tab.open(editor+"/question?id=mood&lang="+lang, "#ed-min")
			tab.do("break the scale", chromedp.Evaluate[chromedp.Void](`document.getElementById('ed-min').value = '9';
				document.getElementById('ed-min').form.submit()`))
			tab.waitFor(".error-summary")
			tab.runAxe(lang + " question with errors")
		})
	}
}
