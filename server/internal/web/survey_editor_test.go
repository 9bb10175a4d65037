package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// The survey editor's routes, for the route-walking security tests. The
// fixture's :survey is the national test-survey, which every council's
// staff may see but only a platform admin may change: another council's
// admin reads it (200) and is refused its forms (403). The tenancy of a
// council's own survey is TestSurveyEditorTenancy's.
func init() {
	read := routeRule{access: sessionPlatform, cross: http.StatusOK}
	change := func(form url.Values) routeRule {
		return routeRule{access: sessionPlatform, cross: http.StatusForbidden, body: func(*secFixture) any { return form }}
	}
	routeRules["GET /staff/surveys"] = read
	// Another council's admin naming Leeds is refused with a sentence (403):
	// councils are public, so a 404 would hide nothing.
	routeRules["POST /staff/surveys"] = routeRule{access: sessionCouncil, cross: http.StatusForbidden, body: func(*secFixture) any {
		return url.Values{"council": {"leeds"}, "id": {"stolen-survey"}, "title": {"Stolen"}, "section_title": {"S"}, "question_type": {"text"}, "question_text": {"Q?"}}
	}}
	routeRules["GET /staff/surveys/:survey"] = read
	routeRules["GET /staff/surveys/:survey/preview"] = read
	routeRules["GET /staff/surveys/:survey/diff"] = read
	routeRules["GET /staff/surveys/:survey/translate"] = routeRule{access: sessionPlatform, cross: http.StatusNotFound}
	routeRules["GET /staff/surveys/:survey/question"] = routeRule{access: sessionPlatform, cross: http.StatusNotFound}
	routeRules["GET /staff/surveys/:survey/delete"] = routeRule{access: sessionPlatform, cross: http.StatusForbidden}
	routeRules["POST /staff/surveys/:survey/settings"] = change(url.Values{"title": {"Stolen"}, "languages": {"en"}})
	routeRules["POST /staff/surveys/:survey/sections"] = change(url.Values{"title": {"Stolen"}, "question_type": {"text"}, "question_text": {"Q?"}})
	routeRules["POST /staff/surveys/:survey/section"] = change(url.Values{"section": {"home"}, "title": {"Stolen"}})
	routeRules["POST /staff/surveys/:survey/questions"] = change(url.Values{"section": {"home"}, "type": {"text"}, "text": {"Stolen?"}})
	routeRules["POST /staff/surveys/:survey/question"] = change(url.Values{"id": {"home_safe"}, "text": {"Stolen?"}})
	routeRules["POST /staff/surveys/:survey/move"] = change(url.Values{"question": {"has_pa"}, "direction": {"up"}})
	routeRules["POST /staff/surveys/:survey/delete"] = change(url.Values{"question": {"anything_else"}})
	routeRules["POST /staff/surveys/:survey/translate"] = change(url.Values{"to": {"ar"}, "t:title": {"Stolen"}})
}

// editorFixture is a Leeds council admin with a council survey of their
// own, made through the editor's first form.
type editorFixture struct {
	h      *harness
	cookie string
	id     string
}

func newEditorFixture(t *testing.T) *editorFixture {
	t.Helper()
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	h.user("admin@york.example", store.RoleCouncilAdmin, "york")
	f := &editorFixture{h: h, cookie: h.signIn("admin@leeds.example"), id: "leeds-voice"}
	rec := h.form("/staff/surveys", url.Values{"council": {"leeds"}, "id": {f.id}, "title": {"Leeds voice"},
		"section_title": {"Home"}, "question_type": {"choice"}, "question_text": {"Do you like where you live?"}}, f.cookie, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/surveys/"+f.id {
		t.Fatalf("create: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	return f
}

func (f *editorFixture) stored(t *testing.T) *survey.Definition {
	t.Helper()
	def, err := f.h.store.Survey(context.Background(), f.id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// post sends a form of the editor and wants 303 back.
func (f *editorFixture) post(t *testing.T, path string, form url.Values) {
	t.Helper()
	rec := f.h.form("/staff/surveys/"+f.id+path, form, f.cookie, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST %s: %d, want 303: %s", path, rec.Code, rec.Body)
	}
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/staff/surveys/"+f.id) {
		t.Fatalf("POST %s: sent to %q", path, loc)
	}
}

// questionOrder lists the survey's questions by section.
func questionOrder(def *survey.Definition) [][]string {
	var out [][]string
	for _, s := range def.Sections {
		ids := []string{s.ID}
		for _, q := range s.Questions {
			ids = append(ids, q.ID)
		}
		out = append(out, ids)
	}
	return out
}

func TestSurveyEditorFlow(t *testing.T) {
	f := newEditorFixture(t)
	def := f.stored(t)
	if def.Council != "leeds" || len(def.Sections) != 1 || def.Sections[0].Questions[0].Type != survey.TypeChoice {
		t.Fatalf("created: %+v", def)
	}
	first := def.Sections[0].Questions[0].ID

	// Every type of question, added to the section.
	f.post(t, "/questions", url.Values{"section": {def.Sections[0].ID}, "type": {"multi"}, "id": {"areas"}, "text": {"What matters most?"}})
	f.post(t, "/questions", url.Values{"section": {def.Sections[0].ID}, "type": {"scale"}, "id": {"mood"}, "text": {"How do you feel today?"}})
	f.post(t, "/sections", url.Values{"id": {"more"}, "title": {"More"}, "question_type": {"text"}, "question_id": {"other"}, "question_text": {"Anything else?"}})

	// The first question's options: one renamed, one removed, one added
	// with a value made from its words.
	f.post(t, "/question", url.Values{"id": {first}, "text": {"Do you like your home?"}, "hint": {"Think of the last month."}, "required": {"true"},
		"options": {"2"}, "opt_was_0": {"yes"}, "opt_value_0": {"yes"}, "opt_label_0": {"Yes, I do"},
		"opt_was_1": {"no"}, "opt_value_1": {"no"}, "opt_label_1": {"No"}, "opt_remove_1": {"true"},
		"new_label": {"Not really"}})
	// The multi question: a third option and a limit.
	f.post(t, "/question", url.Values{"id": {"areas"}, "text": {"What matters most?"},
		"options": {"2"}, "opt_was_0": {"yes"}, "opt_value_0": {"housing"}, "opt_label_0": {"Housing"},
		"opt_was_1": {"no"}, "opt_value_1": {"money"}, "opt_label_1": {"Money"},
		"new_value": {"health"}, "new_label": {"Health"}, "max_choices": {"2"}})
	// The scale: its ends and labels, asked only after one answer.
	f.post(t, "/question", url.Values{"id": {"mood"}, "text": {"How do you feel today?"},
		"min": {"1"}, "max": {"5"}, "min_label": {"Awful"}, "max_label": {"Great"}, "show_if": {first + ":not_really"}})

	def = f.stored(t)
	one, five := 1, 5
	want := []survey.Question{
		{ID: first, Type: survey.TypeChoice, Text: survey.Text{"en": "Do you like your home?"}, Hint: survey.Text{"en": "Think of the last month."}, Required: true,
			Options: []survey.Option{{Value: "yes", Label: survey.Text{"en": "Yes, I do"}}, {Value: "not_really", Label: survey.Text{"en": "Not really"}}}},
		{ID: "areas", Type: survey.TypeMulti, Text: survey.Text{"en": "What matters most?"}, MaxChoices: 2,
			Options: []survey.Option{{Value: "housing", Label: survey.Text{"en": "Housing"}}, {Value: "money", Label: survey.Text{"en": "Money"}}, {Value: "health", Label: survey.Text{"en": "Health"}}}},
		{ID: "mood", Type: survey.TypeScale, Text: survey.Text{"en": "How do you feel today?"}, Min: &one, Max: &five,
			MinLabel: survey.Text{"en": "Awful"}, MaxLabel: survey.Text{"en": "Great"}, ShowIf: &survey.Condition{Question: first, In: []string{"not_really"}}},
	}
	if diff := cmp.Diff(want, def.Sections[0].Questions); diff != "" {
		t.Errorf("questions mismatch (-want +got):\n%s", diff)
	}

	// Reorder: a question down within its section, then across into the
	// next section; a section up.
	f.post(t, "/move", url.Values{"question": {"areas"}, "direction": {"down"}})
	f.post(t, "/move", url.Values{"question": {"areas"}, "direction": {"down"}})
	f.post(t, "/move", url.Values{"section": {"more"}, "direction": {"up"}})
	wantOrder := [][]string{{"more", "areas", "other"}, {def.Sections[0].ID, first, "mood"}}
	if diff := cmp.Diff(wantOrder, questionOrder(f.stored(t))); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}

	// Delete, with a confirmation page first.
	rec := f.h.page("/staff/surveys/"+f.id+"/delete?question=areas", f.cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("delete page: %d", rec.Code)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	htmltest.One(t, doc, "#confirm-delete")
	if got := htmltest.Attr(htmltest.One(t, doc, "input[name=question]"), "value"); got != "areas" {
		t.Errorf("delete confirms %q", got)
	}
	if _, ok := f.stored(t).Question("areas"); !ok {
		t.Fatal("the confirmation page deleted the question already")
	}
	f.post(t, "/delete", url.Values{"question": {"areas"}})
	if _, ok := f.stored(t).Question("areas"); ok {
		t.Error("the question is still there after deleting it")
	}

	// The editor page lists what is stored.
	rec = f.h.page("/staff/surveys/"+f.id, f.cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("editor: %d %s", rec.Code, rec.Body)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	for _, sel := range []string{"#question-" + first, "#question-mood", "#question-other", "#section-more", "#survey-title", "#add-section-title"} {
		htmltest.One(t, doc, sel)
	}
	if n := len(htmltest.All(doc, "#question-areas")); n != 0 {
		t.Error("the deleted question is still listed")
	}
}

func TestSurveyEditorRuleFailureKeepsValues(t *testing.T) {
	f := newEditorFixture(t)
	f.post(t, "/questions", url.Values{"section": {f.stored(t).Sections[0].ID}, "type": {"scale"}, "id": {"mood"}, "text": {"How do you feel?"}})
	before := f.stored(t)

	tests := []struct {
		name    string
		path    string
		form    url.Values
		control string            // the error summary's link
		kept    map[string]string // control id → value shown again
	}{
		{
			name: "scale upside down", path: "/question",
			form:    url.Values{"id": {"mood"}, "text": {"How are you, really?"}, "min": {"5"}, "max": {"1"}, "max_label": {"Great"}},
			control: "ed-max", kept: map[string]string{"ed-min": "5", "ed-max": "1", "ed-max-label": "Great"},
		},
		{
			name: "not a number", path: "/question",
			form:    url.Values{"id": {"mood"}, "text": {"How are you, really?"}, "min": {"one"}, "max": {"5"}},
			control: "ed-min", kept: map[string]string{"ed-min": "one", "ed-max": "5"},
		},
		{
			name: "a question id taken", path: "/questions",
			form:    url.Values{"section": {before.Sections[0].ID}, "type": {"text"}, "id": {"mood"}, "text": {"Again?"}},
			control: "add-" + before.Sections[0].ID + "-id", kept: map[string]string{"add-" + before.Sections[0].ID + "-id": "mood"},
		},
		{
			name: "a follow-up of itself", path: "/question",
			form:    url.Values{"id": {"mood"}, "text": {"How are you?"}, "min": {"0"}, "max": {"10"}, "show_if": {"mood:1"}},
			control: "ed-show-if",
		},
		{
			name: "an empty title", path: "/settings",
			form:    url.Values{"title": {" "}, "intro": {"Kept intro"}},
			control: "survey-title", kept: map[string]string{"survey-intro": "Kept intro"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.h.form("/staff/surveys/"+f.id+tt.path, tt.form, f.cookie, nil)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422: %s", rec.Code, rec.Body)
			}
			doc := htmltest.Parse(t, rec.Body.String())
			links := htmltest.All(doc, ".error-summary a")
			if len(links) == 0 || htmltest.Attr(links[0], "href") != "#"+tt.control {
				var hrefs []string
				for _, a := range links {
					hrefs = append(hrefs, htmltest.Attr(a, "href"))
				}
				t.Errorf("error summary links to %v, want #%s first", hrefs, tt.control)
			}
			for id, want := range tt.kept {
				n := htmltest.One(t, doc, "#"+id)
				got := htmltest.Attr(n, "value")
				if n.Data == "textarea" {
					got = htmltest.Text(n)
				}
				if got != want {
					t.Errorf("#%s shows %q, want %q kept", id, got, want)
				}
			}
			if diff := cmp.Diff(before, f.stored(t)); diff != "" {
				t.Errorf("a refused change was stored (-before +after):\n%s", diff)
			}
		})
	}
}

func TestSurveyEditorTranslateAndPreview(t *testing.T) {
	f := newEditorFixture(t)
	f.post(t, "/settings", url.Values{"title": {"Leeds voice"}, "languages": {"en", "ar"}})
	def := f.stored(t)
	q := def.Sections[0].Questions[0]

	rec := f.h.page("/staff/surveys/"+f.id+"/translate?to=ar", f.cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("translate page: %d %s", rec.Code, rec.Body)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	input := htmltest.One(t, doc, "#tr-q-"+q.ID+"-text")
	if htmltest.Attr(input, "dir") != "rtl" || htmltest.Attr(input, "lang") != "ar" {
		t.Errorf("the Arabic field is not marked right-to-left: %v", input.Attr)
	}
	if got := htmltest.Text(htmltest.One(t, doc, "#tr-q-"+q.ID+"-text-en")); got != q.Text["en"] {
		t.Errorf("English beside the field: %q", got)
	}

	f.post(t, "/translate", url.Values{"to": {"ar"}, "t:title": {"صوت ليدز"}, "t:q." + q.ID + ".text": {"هل تحب المكان الذي تعيش فيه؟"},
		"t:o." + q.ID + ".yes": {"نعم"}})
	def = f.stored(t)
	if def.Title["ar"] != "صوت ليدز" || def.Sections[0].Questions[0].Text["ar"] != "هل تحب المكان الذي تعيش فيه؟" || def.Sections[0].Questions[0].Options[0].Label["ar"] != "نعم" {
		t.Fatalf("translations not stored: %+v", def)
	}

	rec = f.h.page("/staff/surveys/"+f.id+"/preview?lang=ar", f.cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	root := htmltest.One(t, doc, "html")
	if htmltest.Attr(root, "dir") != "rtl" || htmltest.Attr(root, "lang") != "ar" {
		t.Errorf("preview in Arabic: <html %v>", root.Attr)
	}
	if got := htmltest.Text(htmltest.One(t, doc, "h1")); got != "صوت ليدز" {
		t.Errorf("preview title %q", got)
	}
	htmltest.One(t, doc, "#preview-notice")
	form := htmltest.One(t, doc, "form#survey")
	if htmltest.Attr(form, "method") != "get" || htmltest.Attr(form, "action") != "/staff/surveys/"+f.id+"/preview" {
		t.Errorf("the preview's form goes to %s %s", htmltest.Attr(form, "method"), htmltest.Attr(form, "action"))
	}

	// Sending the preview checks the answers and stores nothing.
	rec = f.h.page("/staff/surveys/"+f.id+"/preview?lang=en&idempotency_key=x&preview_check=1&version=1&"+q.ID+"=maybe", f.cookie)
	doc = htmltest.Parse(t, rec.Body.String())
	if n := len(htmltest.All(doc, ".error-summary")); n != 1 {
		t.Errorf("an invalid answer in the preview: %d error summaries", n)
	}
	rec = f.h.page("/staff/surveys/"+f.id+"/preview?lang=en&idempotency_key=x&preview_check=1&"+q.ID+"=yes", f.cookie)
	doc = htmltest.Parse(t, rec.Body.String())
	htmltest.One(t, doc, "#preview-notice p[role=status]")
	// A language button draws it again in that language, answers kept.
	rec = f.h.page("/staff/surveys/"+f.id+"/preview?lang=en&idempotency_key=x&switch_lang=ar&"+q.ID+"=yes", f.cookie)
	doc = htmltest.Parse(t, rec.Body.String())
	if htmltest.Attr(htmltest.One(t, doc, "html"), "lang") != "ar" || !htmltest.HasAttr(htmltest.One(t, doc, "input[value=yes]"), "checked") {
		t.Error("switching language in the preview lost the language or the answer")
	}
}

func TestSurveyDiffPage(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	cookie := h.signIn("admin@leeds.example")
	ctx := context.Background()
	def, err := h.store.Survey(ctx, "test-survey", 0)
	if err != nil {
		t.Fatal(err)
	}
	next := *def
	next.Version = def.Version + 1
	next.Title = survey.Text{"en": "Test survey, again", "ar": def.Title["ar"]}
	if err := h.store.PutSurvey(ctx, &next); err != nil {
		t.Fatal(err)
	}
	rec := h.page("/staff/surveys/test-survey/diff", cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("diff: %d %s", rec.Code, rec.Body)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	rows := htmltest.All(doc, "tbody tr")
	if len(rows) < 2 {
		t.Fatalf("%d rows, want the English title changed and fa-AF removed", len(rows))
	}
	if got := htmltest.Text(htmltest.One(t, rows[0], "ins")); got != "Test survey, again" {
		t.Errorf("first change after: %q", got)
	}
	for _, bad := range []string{"?from=0", "?to=99", "?from=x"} {
		if rec := h.page("/staff/surveys/test-survey/diff"+bad, cookie); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, rec.Code)
		}
	}
}

// TestSurveyEditorTenancy: a council's survey is another council's 404 on
// every editor route, and nothing of it changes.
func TestSurveyEditorTenancy(t *testing.T) {
	f := newEditorFixture(t)
	before := f.stored(t)
	york := f.h.signIn("admin@york.example")
	routes := 0
	for route, rule := range routeRules {
		method, path, _ := strings.Cut(route, " ")
		// Other capabilities under the same prefix (translation review,
		// recordings) take other parameters and bodies, and test their
		// own tenancy.
		if !strings.HasPrefix(path, "/staff/surveys/:survey") || strings.Contains(path, ":lang") ||
			(method != "GET" && rule.body == nil) {
			continue
		}
		routes++
		path = strings.Replace(path, ":survey", f.id, 1)
		var rec interface{ Result() *http.Response }
		if method == "GET" {
			rec = f.h.page(path+"?lang=en&question="+before.Sections[0].Questions[0].ID, york)
		} else {
			rec = f.h.form(path, rule.body(nil).(url.Values), york, nil)
		}
		if code := rec.Result().StatusCode; code != http.StatusNotFound {
			t.Errorf("York's admin on %s: %d, want 404", route, code)
		}
	}
	if routes < 14 {
		t.Errorf("only %d editor routes checked", routes)
	}
	if diff := cmp.Diff(before, f.stored(t)); diff != "" {
		t.Errorf("York changed Leeds's survey (-before +after):\n%s", diff)
	}
	// And the list does not show it.
	rec := f.h.page("/staff/surveys", york)
	if strings.Contains(rec.Body.String(), f.id) {
		t.Error("York's list shows Leeds's survey")
	}
}

// TestSurveyEditorExtension: an extension shows the national sections
// read-only, edits only its own, and stops at ten local questions.
func TestSurveyEditorExtension(t *testing.T) {
	f := newEditorFixture(t)
	f.id = "leeds-extra"
	rec := f.h.form("/staff/surveys", url.Values{"council": {"leeds"}, "extends": {"test-survey"}, "id": {f.id}, "title": {"Leeds extra"},
		"section_title": {"Leeds"}, "question_type": {"text"}, "question_text": {"What would help in Leeds?"}}, f.cookie, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create extension: %d %s", rec.Code, rec.Body)
	}
	def := f.stored(t)
	local := def.Sections[len(def.Sections)-1].ID
	if def.Extends != "test-survey" || def.Sections[1].ID != "home" || len(def.Sections) != 3 {
		t.Fatalf("extension stored as %s extends %q with sections %v", def.ID, def.Extends, questionOrder(def))
	}

	doc := htmltest.Parse(t, f.h.page("/staff/surveys/"+f.id, f.cookie).Body.String())
	htmltest.One(t, doc, "#section-"+local+"-title")
	if n := len(htmltest.All(doc, "#section-home-title")) + len(htmltest.All(doc, "#add-home-type")); n != 0 {
		t.Error("a national section has editing forms")
	}
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{"/section", url.Values{"section": {"home"}, "title": {"Ours now"}}},
		{"/question", url.Values{"id": {"home_safe"}, "text": {"Ours now?"}}},
		{"/delete", url.Values{"question": {"home_safe"}}},
		{"/move", url.Values{"section": {"home"}, "direction": {"down"}}},
	} {
		if rec := f.h.form("/staff/surveys/"+f.id+tt.path, tt.form, f.cookie, nil); rec.Code != http.StatusNotFound {
			t.Errorf("POST %s on a national section: %d, want 404", tt.path, rec.Code)
		}
	}
	for i := 2; i <= 10; i++ {
		f.post(t, "/questions", url.Values{"section": {local}, "type": {"text"}, "text": {"Local?"}})
	}
	rec = f.h.form("/staff/surveys/"+f.id+"/questions", url.Values{"section": {local}, "type": {"text"}, "text": {"One too many?"}}, f.cookie, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("an eleventh local question: %d, want 422", rec.Code)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#add-"+local+"-text" {
		t.Errorf("the limit links to %q", got)
	}
	if n := len(f.stored(t).Sections[2].Questions); n != 10 {
		t.Errorf("%d local questions stored, want 10", n)
	}
}

// TestSurveyListShowsTheCouncilsOwn: the list offers a council's own
// surveys to its staff beside the national ones, and never another's.
func TestSurveyListShowsTheCouncilsOwn(t *testing.T) {
	f := newEditorFixture(t)
	links := func(cookie string) []string {
		doc := htmltest.Parse(t, f.h.page("/staff/surveys?lang=en", cookie).Body.String())
		var out []string
		for _, a := range htmltest.All(doc, "th a") {
			out = append(out, htmltest.Attr(a, "href"))
		}
		return out
	}
	leeds := links(f.cookie)
	if !slices.Contains(leeds, "/staff/surveys/"+f.id) || !slices.Contains(leeds, "/staff/surveys/test-survey") {
		t.Errorf("Leeds's list %v lacks its own survey or the national one", leeds)
	}
	if york := links(f.h.signIn("admin@york.example")); slices.Contains(york, "/staff/surveys/"+f.id) {
		t.Errorf("York's list %v shows Leeds's survey", york)
	}
}

// TestLanguagesPageShowsTheCouncilsOwnSurveys: /staff/languages gives the
// reviewed share of a council's own survey to its staff, not to another's.
func TestLanguagesPageShowsTheCouncilsOwnSurveys(t *testing.T) {
	f := newEditorFixture(t)
	if body := f.h.page("/staff/languages?lang=en", f.cookie).Body.String(); !strings.Contains(body, "Leeds voice") {
		t.Error("Leeds's languages page does not list its own survey")
	}
	if body := f.h.page("/staff/languages?lang=en", f.h.signIn("admin@york.example")).Body.String(); strings.Contains(body, "Leeds voice") {
		t.Error("York's languages page lists Leeds's survey")
	}
}
