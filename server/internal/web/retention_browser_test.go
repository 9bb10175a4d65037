package web_test

// A browser test of the retention page: axe-core in headless Chromium, in
// English and Arabic, with and without errors (see
// survey_page_browser_test.go for the harness).

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserRetentionAxe(t *testing.T) {
	axePathname := axePath()
	if axePathname == "" {
		need(t, "axe-core not found: run `npm ci --prefix .ci` or set AXE_CORE_PATH")
	}
	axe, err := os.ReadFile(axePathname)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	p := newPlan(t)
	base := serve(t, p.h.srv)
	do(t, ctx, "sign in", chromedp.Navigate(base+"/signin?next=/staff/councils/leeds/retention"))
	waitFor(t, ctx, "#email")
	do(t, ctx, "sign in", chromedp.Evaluate[chromedp.Void](`(() => {
		document.getElementById('email').value = 'admin@leeds.example';
		document.getElementById('password').value = 'correct horse battery';
		document.getElementById('email').form.submit();
	})()`))
	waitFor(t, ctx, "#retention-months")
	for _, lang := range []string{"en", "ar"} {
		do(t, ctx, "retention page "+lang, chromedp.Navigate(base+"/staff/councils/leeds/retention?lang="+lang))
		waitFor(t, ctx, "#retention-months")
		runAxe(t, ctx, string(axe), lang+" retention page")

		do(t, ctx, "retention errors "+lang, chromedp.Evaluate[chromedp.Void](`(() => {
			const input = document.getElementById('retention-months');
			input.value = '1';
			input.form.submit();
		})()`))
		waitFor(t, ctx, ".error-summary")
		runAxe(t, ctx, string(axe), lang+" retention errors")
	}
}
