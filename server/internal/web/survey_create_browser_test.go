package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"yousaid/server/internal/store"
)

// TestBrowserPlatformAdminChoosesTheCouncil: the platform admin's
// new-survey form, with its select of councils, passes axe in English and
// Arabic (right to left), and choosing a council by keyboard and sending
// the form (no script of the page's involved) stores the survey as that
// council's.
func TestBrowserPlatformAdminChoosesTheCouncil(t *testing.T) {
	f := newEditorFixture(t)
	f.h.user("platform@example.org", store.RolePlatformAdmin, "")
	base := serve(t, f.h.srv)
	tab := staffTab(t, base, "platform@example.org")
	for _, lang := range []string{"en", "ar"} {
		tab.open(base+"/staff/surveys?lang="+lang, "#new-council")
		tab.runAxe(lang + " list with the council select")
	}
	// Still in Arabic: the council chosen with the keyboard, as a person
	// would; the form sent as a browser without scripts sends it.
	tab.do("fill in", chromedp.Evaluate[chromedp.Void](`(() => {
		document.getElementById('new-id').value = 'york-by-platform';
		document.getElementById('new-title').value = 'York by platform';
		document.getElementById('new-section-title').value = 'Home';
		document.getElementById('new-question-text').value = 'What would help?';
		document.getElementById('new-council').focus();
	})()`))
	tab.keys(kb.ArrowDown) // leeds
	tab.keys(kb.ArrowDown) // york
	if chosen, err := get(tab, chromedp.Evaluate[string](`document.getElementById('new-council').value`)); err != nil || chosen != "york" {
		t.Fatalf("the keyboard chose %q (%v), want york", chosen, err)
	}
	tab.do("send", chromedp.Evaluate[chromedp.Void](`document.getElementById('new-council').form.submit()`))
	tab.waitFor("#survey-title")
	def, err := f.h.store.Survey(context.Background(), "york-by-platform", 0)
	if err != nil || def.Council != "york" {
		t.Fatalf("stored %+v, %v; want York's", def, err)
	}
}
