package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
)

// newSurveyForm is the list page's new-survey form for council (the
// field as sent; "" national or, from a council admin, their own).
func newSurveyForm(council, id string) url.Values {
	return url.Values{"council": {council}, "id": {id}, "title": {"A survey"}, "section_title": {"Home"},
		"question_type": {"text"}, "question_text": {"What would help?"}}
}

// TestPlatformAdminStartsASurveyForACouncil: the platform admin's form
// chooses national or one council (a select, no JavaScript), and the
// survey is stored as chosen; a council that does not exist is a 422 on
// the select, with nothing stored.
func TestPlatformAdminStartsASurveyForACouncil(t *testing.T) {
	f := newEditorFixture(t)
	h := f.h
	h.user("platform@example.org", store.RolePlatformAdmin, "")
	cookie := h.signIn("platform@example.org")

	doc := htmltest.Parse(t, h.page("/staff/surveys?lang=en", cookie).Body.String())
	htmltest.One(t, doc, `label[for="new-council"]`)
	var options []string
	for _, o := range htmltest.All(doc, `select#new-council[name="council"] option`) {
		options = append(options, htmltest.Attr(o, "value"))
	}
	if strings.Join(options, ",") != ",leeds,york" {
		t.Errorf("council choices %q, want national, leeds and york", options)
	}

	for _, tt := range []struct{ council, id string }{{"leeds", "leeds-by-platform"}, {"", "national-by-platform"}} {
		rec := h.form("/staff/surveys", newSurveyForm(tt.council, tt.id), cookie, nil)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("council %q: %d %s", tt.council, rec.Code, rec.Body)
		}
		def, err := h.store.Survey(context.Background(), tt.id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if def.Council != tt.council {
			t.Errorf("%s stored for council %q, want %q", tt.id, def.Council, tt.council)
		}
	}
	// Leeds's admin can open and change the survey made for them.
	if got := h.page("/staff/surveys/leeds-by-platform", f.cookie).Code; got != http.StatusOK {
		t.Errorf("Leeds's admin opens it: %d", got)
	}

	rec := h.form("/staff/surveys", newSurveyForm("nowhere", "nowhere-survey"), cookie, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown council: %d, want 422", rec.Code)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#new-council" {
		t.Errorf("the error links to %q", got)
	}
	if _, err := h.store.Survey(context.Background(), "nowhere-survey", 0); err == nil {
		t.Error("a survey for an unknown council was stored")
	}
}

// TestCouncilAdminStartsSurveysForTheirOwnCouncilOnly: a council admin's
// form carries their council (no choice); naming another is 403 with a
// sentence saying why, and stores nothing.
func TestCouncilAdminStartsSurveysForTheirOwnCouncilOnly(t *testing.T) {
	f := newEditorFixture(t)
	h := f.h
	doc := htmltest.Parse(t, h.page("/staff/surveys?lang=en", f.cookie).Body.String())
	if n := len(htmltest.All(doc, "select#new-council")); n != 0 {
		t.Error("a council admin is offered other councils")
	}
	if got := htmltest.Attr(htmltest.One(t, doc, `input[type="hidden"][name="council"]`), "value"); got != "leeds" {
		t.Errorf("the form carries council %q", got)
	}

	rec := h.form("/staff/surveys", newSurveyForm("york", "for-york"), f.cookie, nil)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("naming York: %d, want 403", rec.Code)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	if text := htmltest.Text(htmltest.One(t, doc, "main")); !strings.Contains(text, "only for your own council, leeds") {
		t.Errorf("the page does not say why: %q", text)
	}
	if _, err := h.store.Survey(context.Background(), "for-york", 0); err == nil {
		t.Error("a refused survey was stored")
	}

	// No council field at all means their own.
	form := newSurveyForm("", "leeds-again")
	form.Del("council")
	if rec := h.form("/staff/surveys", form, f.cookie, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("without a council field: %d %s", rec.Code, rec.Body)
	}
	if def, err := h.store.Survey(context.Background(), "leeds-again", 0); err != nil || def.Council != "leeds" {
		t.Errorf("stored %+v, %v; want Leeds's", def, err)
	}
}
