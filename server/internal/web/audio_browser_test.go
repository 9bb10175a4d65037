package web_test

// axe-core in headless Chromium on the recordings' staff pages, in English
// and Arabic, and on an Arabic survey page with a recording: the list of
// surveys, a survey's table of questions against languages, one clip's
// page with its player and forms, and that page with an error. Skipped
// without Chromium or axe-core, failed under CI (see browser_kit_test.go).

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"yousaid/server/internal/store"
)

func TestBrowserAudioPagesAxe(t *testing.T) {
	needAxe(t)
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	cookie := h.signIn("root@yousaid.example")
	if rec := h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/ar", seedClip(t), ""); rec.Code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	base := serve(t, h.srv)

	// The survey page with a recording, JavaScript on: the player is
	// labelled, and no Listen button is added beside it.
	tab := youngPersonTab(t)
	tab.open(base+"/w/"+w.ID+"?lang=ar", "#qq-home_safe audio[controls]")
	if n, _ := get(tab, chromedp.Evaluate[int](`document.querySelectorAll('#qq-home_safe .listen').length`)); n != 0 {
		t.Errorf("%d Listen buttons beside the recording", n)
	}
	tab.runAxe("ar survey with a recording")

	for _, lang := range []string{"en", "ar"} {
		staff := staffSessionTab(t, base, cookie)
		staff.open(base+"/staff/audio?lang="+lang, `a[href="/staff/surveys/test-survey/audio"]`)
		staff.runAxe(lang + " recordings: surveys")

		staff.open(base+"/staff/surveys/test-survey/audio?lang="+lang, "table.audio-grid")
		staff.runAxe(lang + " recordings: one survey")

		staff.open(base+"/staff/surveys/test-survey/audio/home_safe/ar?lang="+lang, "audio.clip")
		staff.runAxe(lang + " recordings: one clip")

		staff.do("send no file "+lang, chromedp.Evaluate[chromedp.Void](`document.getElementById('clip').form.submit()`))
		staff.waitFor(".error-summary")
		if got := staff.attr("html", "lang"); got != lang {
			t.Errorf("the page with errors is in %q, want %q", got, lang)
		}
		staff.runAxe(lang + " recordings: upload error")
	}
}
