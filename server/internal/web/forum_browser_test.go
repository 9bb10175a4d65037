package web_test

// Browser tests of the forum's pages: axe-core in headless Chromium on the
// public "you said, we did" page and the vote page, in English and Arabic.
// Skipped without Chromium or axe-core, failed under CI (see
// browser_kit_test.go).

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"yousaid/server/internal/store"
)

func TestBrowserForumAxe(t *testing.T) {
	needAxe(t)
	p := newPlan(t)
	p.waves(t)
	if err := p.h.store.SetCouncilContacts(context.Background(), "leeds", []store.Contact{
		{Name: "Leeds leaving care team", Phone: "0113 222 4403", Email: "leavingcare@example.org", URL: "https://www.leeds.gov.uk/"},
	}); err != nil {
		t.Fatal(err)
	}
	quote := p.quote(t, p.baseline, "I sleep with a chair against the door.", store.TextApproved)
	f := &forum{h: p.h, fac: p.fac}
	sess := f.session(t, threeOptions(2))
	for range 6 {
		f.vote(sess.JoinCode, "housing", "money")
	}
	body := simpleAction()
	body["you_said"] = map[string]string{"en": "We don't feel safe at home.", "ar": "لا نشعر بالأمان في البيت."}
	body["evidence"] = []map[string]any{{"wave": p.baseline.ID, "indicator": "not_safe_home"}, {"session": sess.ID}, {"quote": quote}, {"wave": p.small.ID, "indicator": "not_safe_home"}}
	a := p.create(t, body)
	for _, st := range []string{"agreed", "in_progress"} {
		p.patch(a.ID, p.fac, map[string]any{"status": st})
	}
	p.h.do(request{method: "POST", path: "/api/v1/actions/" + a.ID + "/updates", token: p.fac,
		body: map[string]any{"text": map[string]string{"en": `<p>Fitted <b>120</b> doorbells.</p><ul><li>Leeds 1</li><li>Leeds 2</li></ul><a href="https://example.org/">More</a>`}}})
	p.h.do(request{method: "POST", path: "/api/v1/actions/" + a.ID + "/verdicts", token: p.forumMember,
		body: map[string]any{"verdict": "agreed", "comment": map[string]string{"en": "Yes."}}})
	cannot := p.moveTo(t, store.StatusNotPossible)
	for _, id := range []string{a.ID, cannot} {
		if code, _, raw := p.patch(id, p.admin, map[string]any{"published": true}); code != http.StatusOK {
			t.Fatal(raw)
		}
	}
	base := serve(t, p.h.srv)
	tab := youngPersonTab(t)
	for _, lang := range []string{"en", "ar"} {
		tab.open(base+"/c/leeds?lang="+lang, ".action-item")
		tab.runAxe(lang + " public page")

		tab.open(base+"/j/"+sess.JoinCode+"?lang="+lang, "form.vote")
		tab.runAxe(lang + " vote page")

		tab.do("vote errors "+lang, chromedp.Evaluate[chromedp.Void](`document.querySelector('form.vote').submit()`))
		tab.waitFor(".error-summary")
		tab.runAxe(lang + " vote errors")
	}
}
