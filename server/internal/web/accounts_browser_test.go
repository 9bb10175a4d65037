package web_test

// Browser test of the staff account pages: axe-core in headless Chromium
// on every new page, and on one page of form errors (whose markup every
// form shares), in English and Arabic. It reuses
// the survey's browser harness (survey_page_browser_test.go): skipped
// without Chromium or axe-core, failed under CI.

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"yousaid/server/internal/store"
)

// submitForm fills a form's fields by name, sends it to its action in
// lang, and waits for a selector of the page that answers.
func submitForm(t *testing.T, ctx context.Context, form string, values map[string]string, lang, next string) {
	t.Helper()
	sel, _ := json.Marshal(form)
	vals, _ := json.Marshal(values)
	js := `(() => {
		const f = document.querySelector(` + string(sel) + `);
		const v = ` + string(vals) + `;
		for (const k in v) { f.elements[k].value = v[k]; }
		const u = new URL(f.action); u.searchParams.set('lang', '` + lang + `'); f.action = u.toString();
		f.submit();
	})()`
	do(t, ctx, "submit "+form, chromedp.Evaluate[chromedp.Void](js))
	waitFor(t, ctx, next)
}

func browserSignIn(t *testing.T, ctx context.Context, base, email, lang, next string) {
	t.Helper()
	do(t, ctx, "sign-in page", chromedp.Navigate(base+"/signin?lang="+lang))
	waitFor(t, ctx, "form input#email")
	submitForm(t, ctx, `form[action="/signin"]`, map[string]string{"email": email, "password": "correct horse battery"}, lang, next)
}

func TestBrowserAccountsAxe(t *testing.T) {
	axePathname := axePath()
	if axePathname == "" {
		need(t, "axe-core not found: run `npm ci --prefix .ci` or set AXE_CORE_PATH")
	}
	axeBytes, err := os.ReadFile(axePathname)
	if err != nil {
		t.Fatal(err)
	}
	axe := string(axeBytes)
	h := newHarness(t)
	h.council("leeds")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	base := serve(t, h.srv)
	ctx0 := context.Background()

	for _, lang := range []string{"en", "ar"} {
		fac := "fac." + lang + "@leeds.example"
		h.user(fac, store.RoleFacilitator, "leeds")

		// A council admin: accounts, a new invitation link, an error, the audit log.
		ctx := newTab(t)
		browserSignIn(t, ctx, base, "admin@leeds.example", lang, `nav a[href="/staff/account"]`)
		do(t, ctx, "accounts "+lang, chromedp.Navigate(base+"/staff/councils/leeds/users?lang="+lang))
		waitFor(t, ctx, "form input#invite-email")
		runAxe(t, ctx, axe, lang+" accounts")
		submitForm(t, ctx, `form[action="/staff/councils/leeds/invitations"]`, map[string]string{"email": "new." + lang + "@leeds.example"}, lang, "input#new-link")
		runAxe(t, ctx, axe, lang+" new invitation link")
		submitForm(t, ctx, `form[action="/staff/councils/leeds/invitations"]`, map[string]string{"email": "not an email"}, lang, ".error-summary")
		runAxe(t, ctx, axe, lang+" invitation errors")
		do(t, ctx, "audit "+lang, chromedp.Navigate(base+"/staff/councils/leeds/audit?lang="+lang))
		waitFor(t, ctx, "#general-audit-heading")
		runAxe(t, ctx, axe, lang+" audit")

		// A facilitator: the account page, its errors, setting up two-step
		// sign-in, the recovery codes, then the code step of a sign-in.
		ctx = newTab(t)
		browserSignIn(t, ctx, base, fac, lang, `nav a[href="/staff/account"]`)
		do(t, ctx, "account "+lang, chromedp.Navigate(base+"/staff/account?lang="+lang))
		waitFor(t, ctx, "input#current_password")
		runAxe(t, ctx, axe, lang+" account")
		do(t, ctx, "two-step "+lang, chromedp.Navigate(base+"/staff/account/totp?lang="+lang))
		waitFor(t, ctx, `form[action="/staff/account/totp"]`)
		submitForm(t, ctx, `form[action="/staff/account/totp"]`, nil, lang, "svg.qr")
		do(t, ctx, "two-step set-up "+lang, chromedp.Navigate(base+"/staff/account/totp?lang="+lang))
		waitFor(t, ctx, "svg.qr")
		runAxe(t, ctx, axe, lang+" two-step set-up")
		u, err := h.store.UserByEmail(ctx0, fac)
		if err != nil {
			t.Fatal(err)
		}
		code, err := totp.GenerateCode(h.openSecret(u.ID, u.TOTPPending), h.now)
		if err != nil {
			t.Fatal(err)
		}
		submitForm(t, ctx, `form[action="/staff/account/totp/confirm"]`, map[string]string{"code": code}, lang, "ol.recovery-codes")
		runAxe(t, ctx, axe, lang+" recovery codes")
		do(t, ctx, "two-step on "+lang, chromedp.Navigate(base+"/staff/account/totp?lang="+lang))
		waitFor(t, ctx, "input#disable-password")
		runAxe(t, ctx, axe, lang+" two-step on")
		browserSignIn(t, ctx, base, fac, lang, "input#code")
		runAxe(t, ctx, axe, lang+" sign-in code")

		// The invitee, signed out: the invitation page and its errors.
		ctx = newTab(t)
		inv := &store.Invitation{Council: "leeds", Email: "invitee." + lang + "@leeds.example", Role: store.RoleCoProducer, InvitedBy: u.ID}
		token, err := h.store.CreateInvitation(ctx0, inv)
		if err != nil {
			t.Fatal(err)
		}
		do(t, ctx, "invitation "+lang, chromedp.Navigate(base+"/invite/"+token+"?lang="+lang))
		waitFor(t, ctx, "input#password")
		runAxe(t, ctx, axe, lang+" invitation")

		// The platform administrator's settings.
		browserSignIn(t, ctx, base, "root@yousaid.example", lang, `nav a[href="/staff/account"]`)
		do(t, ctx, "settings "+lang, chromedp.Navigate(base+"/staff/settings?lang="+lang))
		waitFor(t, ctx, "input#require_totp")
		runAxe(t, ctx, axe, lang+" settings")
	}
}
