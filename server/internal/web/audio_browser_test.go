package web_test

// axe-core in headless Chromium on the recordings' staff pages, in English
// and Arabic, and on an Arabic survey page with a recording: the list of
// surveys, a survey's table of questions against languages, one clip's
// page with its player and forms, and that page with an error. Skipped
// without Chromium or axe-core, failed under CI.

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"yousaid/server/internal/store"
)

// staffTab opens a tab signed in with a session cookie: a tab per page
// keeps each within its time limit on a busy machine.
func staffTab(t *testing.T, base, cookie string) context.Context {
	t.Helper()
	ctx := newTab(t)
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "yousaid_session", Value: cookie, URL: base + "/"}); err != nil {
		t.Fatalf("setting the session cookie: %v", err)
	}
	return ctx
}

func TestBrowserAudioPagesAxe(t *testing.T) {
	axePathname := axePath()
	if axePathname == "" {
		need(t, "axe-core not found: run `npm ci --prefix .ci` or set AXE_CORE_PATH")
	}
	axe, err := os.ReadFile(axePathname)
	if err != nil {
		t.Fatal(err)
	}
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
	ctx := newTab(t)
	do(t, ctx, "survey ar", chromedp.Navigate(base+"/w/"+w.ID+"?lang=ar"))
	waitFor(t, ctx, "#qq-home_safe audio[controls]")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#qq-home_safe .listen').length`)); n != 0 {
		t.Errorf("%d Listen buttons beside the recording", n)
	}
	runAxe(t, ctx, string(axe), "ar survey with a recording")

	for _, lang := range []string{"en", "ar"} {
		ctx := staffTab(t, base, cookie)
		do(t, ctx, "surveys "+lang, chromedp.Navigate(base+"/staff/audio?lang="+lang))
		waitFor(t, ctx, `a[href="/staff/surveys/test-survey/audio"]`)
		runAxe(t, ctx, string(axe), lang+" recordings: surveys")

		ctx = staffTab(t, base, cookie)
		do(t, ctx, "grid "+lang, chromedp.Navigate(base+"/staff/surveys/test-survey/audio?lang="+lang))
		waitFor(t, ctx, "table.audio-grid")
		runAxe(t, ctx, string(axe), lang+" recordings: one survey")

		ctx = staffTab(t, base, cookie)
		do(t, ctx, "clip "+lang, chromedp.Navigate(base+"/staff/surveys/test-survey/audio/home_safe/ar?lang="+lang))
		waitFor(t, ctx, "audio.clip")
		runAxe(t, ctx, string(axe), lang+" recordings: one clip")

		do(t, ctx, "no file "+lang, chromedp.Evaluate[chromedp.Void](`document.getElementById('clip').form.submit()`))
		waitFor(t, ctx, ".error-summary")
		if got := attrOf(t, ctx, "html", "lang"); got != lang {
			t.Errorf("the page with errors is in %q, want %q", got, lang)
		}
		runAxe(t, ctx, string(axe), lang+" recordings: upload error")
	}
}
