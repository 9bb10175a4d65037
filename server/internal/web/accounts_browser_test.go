package web_test

// Browser test of the staff account pages: axe-core in headless Chromium
// on every new page, and on one page of form errors (whose markup every
// form shares), in English and Arabic. Skipped without Chromium or
// axe-core, failed under CI (see browser_kit_test.go).

import (
	"context"
	"testing"

	"github.com/pquerna/otp/totp"

	"yousaid/server/internal/store"
)

func TestBrowserAccountsAxe(t *testing.T) {
	needAxe(t)
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
		tab := staffTab(t, base, "admin@leeds.example")
		tab.open(base+"/staff/councils/leeds/users?lang="+lang, "form input#invite-email")
		tab.runAxe(lang + " accounts")
		tab.submitForm(`form[action="/staff/councils/leeds/invitations"]`, map[string]string{"email": "new." + lang + "@leeds.example"}, lang, "input#new-link")
		tab.runAxe(lang + " new invitation link")
		tab.submitForm(`form[action="/staff/councils/leeds/invitations"]`, map[string]string{"email": "not an email"}, lang, ".error-summary")
		tab.runAxe(lang + " invitation errors")
		tab.open(base+"/staff/councils/leeds/audit?lang="+lang, "#general-audit-heading")
		tab.runAxe(lang + " audit")

		// A facilitator: the account page, its errors, setting up two-step
		// sign-in, the recovery codes, then the code step of a sign-in.
		tab = staffTab(t, base, fac)
		tab.open(base+"/staff/account?lang="+lang, "input#current_password")
		tab.runAxe(lang + " account")
		tab.open(base+"/staff/account/totp?lang="+lang, `form[action="/staff/account/totp"]`)
		tab.submitForm(`form[action="/staff/account/totp"]`, nil, lang, "svg.qr")
		tab.open(base+"/staff/account/totp?lang="+lang, "svg.qr")
		tab.runAxe(lang + " two-step set-up")
		u, err := h.store.UserByEmail(ctx0, fac)
		if err != nil {
			t.Fatal(err)
		}
		code, err := totp.GenerateCode(h.openSecret(u.ID, u.TOTPPending), h.now)
		if err != nil {
			t.Fatal(err)
		}
		tab.submitForm(`form[action="/staff/account/totp/confirm"]`, map[string]string{"code": code}, lang, "ol.recovery-codes")
		tab.runAxe(lang + " recovery codes")
		tab.open(base+"/staff/account/totp?lang="+lang, "input#disable-password")
		tab.runAxe(lang + " two-step on")
		tab.signIn(base+"/signin?lang="+lang, fac, "input#code")
		tab.runAxe(lang + " sign-in code")

		// The invitee, signed out: the invitation page and its errors.
		tab = youngPersonTab(t)
		inv := &store.Invitation{Council: "leeds", Email: "invitee." + lang + "@leeds.example", Role: store.RoleCoProducer, InvitedBy: u.ID}
		token, err := h.store.CreateInvitation(ctx0, inv)
		if err != nil {
			t.Fatal(err)
		}
		tab.open(base+"/invite/"+token+"?lang="+lang, "input#password")
		tab.runAxe(lang + " invitation")

		// The platform administrator's settings.
		tab.signIn(base+"/signin?lang="+lang, "root@yousaid.example", `nav a[href="/staff/account"]`)
		tab.open(base+"/staff/settings?lang="+lang, "input#require_totp")
		tab.runAxe(lang + " settings")
	}
}
