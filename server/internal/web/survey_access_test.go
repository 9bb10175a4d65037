package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
)

// TestSurveyListsOpenWhatTheyShow: for every role, a survey the staff
// list (and the API's list) shows is one that role can open, and one it
// cannot open is not shown; only those who may change a survey get the
// editor's forms. A co-producer sees their council's action items and
// nothing else (API.md, roles): national surveys, public to anyone, but not
// their council's own.
func TestSurveyListsOpenWhatTheyShow(t *testing.T) {
	f := newEditorFixture(t) // Leeds's admin and "leeds-voice"
	h := f.h
	rec := h.form("/staff/surveys", url.Values{"council": {"york"}, "id": {"york-voice"}, "title": {"York voice"},
		"section_title": {"Home"}, "question_type": {"text"}, "question_text": {"What would help?"}}, h.signIn("admin@york.example"), nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("York's survey: %d %s", rec.Code, rec.Body)
	}
	tokens := map[string]string{
		"platform@example.org": h.user("platform@example.org", store.RolePlatformAdmin, ""),
		"fac@leeds.example":    h.user("fac@leeds.example", store.RoleFacilitator, "leeds"),
		"forum@leeds.example":  h.user("forum@leeds.example", store.RoleCoProducer, "leeds"),
	}
	rec = h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "admin@leeds.example", "password": "correct horse battery"}})
	var issued struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &issued); err != nil || issued.Token == "" {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	tokens["admin@leeds.example"] = issued.Token

	// In id order, as the API's list compares below.
	const leeds, national, york = "leeds-voice", "test-survey", "york-voice"
	for _, tt := range []struct {
		role, email  string
		open, change []string // the surveys the role may open, and change
	}{
		{store.RolePlatformAdmin, "platform@example.org", []string{leeds, national, york}, []string{leeds, national, york}},
		{store.RoleCouncilAdmin, "admin@leeds.example", []string{leeds, national}, []string{leeds}},
		{store.RoleFacilitator, "fac@leeds.example", []string{leeds, national}, nil},
		{store.RoleCoProducer, "forum@leeds.example", []string{national}, nil},
	} {
		t.Run(tt.role, func(t *testing.T) {
			cookie := h.signIn(tt.email)
			doc := htmltest.Parse(t, h.page("/staff/surveys?lang=en", cookie).Body.String())
			var listed []string
			for _, a := range htmltest.All(doc, "th a") {
				listed = append(listed, htmltest.Attr(a, "href"))
			}
			// The navigation leads staff to the list; a co-producer's leads
			// to their action items only.
			want := 1
			if tt.role == store.RoleCoProducer {
				want = 0
			}
			if got := len(htmltest.All(doc, `nav a[href="/staff/surveys"]`)); got != want {
				t.Errorf("%d links to the list in the navigation, want %d", got, want)
			}
			for _, id := range []string{national, leeds, york} {
				wantOpen, wantChange := slices.Contains(tt.open, id), slices.Contains(tt.change, id)
				if got := slices.Contains(listed, "/staff/surveys/"+id); got != wantOpen {
					t.Errorf("%s listed: %v, want %v", id, got, wantOpen)
				}
				wantStatus := http.StatusNotFound
				if wantOpen {
					wantStatus = http.StatusOK
				}
				for _, path := range []string{"/staff/surveys/" + id, "/staff/surveys/" + id + "/preview", "/staff/surveys/" + id + "/diff"} {
					if got := h.page(path+"?lang=en", cookie).Code; got != wantStatus {
						t.Errorf("GET %s: %d, want %d", path, got, wantStatus)
					}
				}
				if !wantOpen {
					continue
				}
				editor := htmltest.Parse(t, h.page("/staff/surveys/"+id+"?lang=en", cookie).Body.String())
				forms := len(htmltest.All(editor, `form[action="/staff/surveys/`+id+`/settings"]`))
				if got := forms == 1; got != wantChange {
					t.Errorf("%s has the settings form: %v, want %v", id, got, wantChange)
				}
				if !wantChange {
					before, err := h.store.Survey(context.Background(), id, 0)
					if err != nil {
						t.Fatal(err)
					}
					rec := h.form("/staff/surveys/"+id+"/settings", url.Values{"title": {"Changed"}, "languages": {"en"}}, cookie, nil)
					if rec.Code != http.StatusForbidden {
						t.Errorf("POST %s/settings: %d, want 403", id, rec.Code)
					}
					after, err := h.store.Survey(context.Background(), id, 0)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(before, after); diff != "" {
						t.Errorf("a refused change changed %s (-before +after):\n%s", id, diff)
					}
				}
			}

			// The API's list and its definitions agree in the same way.
			rec := h.do(request{method: "GET", path: "/api/v1/surveys", token: tokens[tt.email]})
			var list struct{ Surveys []struct{ ID string } }
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
				t.Fatalf("API list: %d %s", rec.Code, rec.Body)
			}
			var apiListed []string
			for _, s := range list.Surveys {
				if slices.Contains([]string{national, leeds, york}, s.ID) {
					apiListed = append(apiListed, s.ID)
				}
			}
			slices.Sort(apiListed)
			if diff := cmp.Diff(tt.open, apiListed); diff != "" {
				t.Errorf("API list mismatch (-want +got):\n%s", diff)
			}
			for _, id := range []string{national, leeds, york} {
				want := http.StatusNotFound
				if slices.Contains(tt.open, id) {
					want = http.StatusOK
				}
				if got := h.do(request{method: "GET", path: "/api/v1/surveys/" + id, token: tokens[tt.email]}).Code; got != want {
					t.Errorf("API GET %s: %d, want %d", id, got, want)
				}
			}
		})
	}
}
