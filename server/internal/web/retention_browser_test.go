package web_test

// A browser test of the retention page: axe-core in headless Chromium, in
// English and Arabic, with and without errors (see browser_kit_test.go for
// the kit).

import (
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserRetentionAxe(t *testing.T) {
	needAxe(t)
	p := newPlan(t)
	base := serve(t, p.h.srv)
	// Signing in leads back to the page asked for (next).
	tab := youngPersonTab(t)
	tab.signIn(base+"/signin?next=/staff/councils/leeds/retention", "admin@leeds.example", "#retention-months")
	for _, lang := range []string{"en", "ar"} {
		tab.open(base+"/staff/councils/leeds/retention?lang="+lang, "#retention-months")
		tab.runAxe(lang + " retention page")

		tab.do("retention errors "+lang, chromedp.Evaluate[chromedp.Void](`(() => {
			const input = document.getElementById('retention-months');
			input.value = '1';
			input.form.submit();
		})()`))
		tab.waitFor(".error-summary")
		tab.runAxe(lang + " retention errors")
	}
}
