package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

func init() {
	// The versions of a national survey are public; a council survey's
	// are its council's (tested in TestCouncilSurveysAreTheirCouncils).
	routeRules["GET /api/v1/surveys/:survey/versions"] = routeRule{access: public}
	routeRules["POST /api/v1/surveys"] = routeRule{access: tokenPlatform, cross: http.StatusForbidden, body: func(*secFixture) any {
		return ownSurvey("stolen-national")
	}}
	routeRules["POST /api/v1/councils/:council/surveys"] = routeRule{access: tokenCouncil, body: func(*secFixture) any {
		return ownSurvey("stolen-local")
	}}
	// :survey is the national test survey here: another council's admin
	// may see it but not change it.
	routeRules["PUT /api/v1/surveys/:survey"] = routeRule{access: tokenPlatform, cross: http.StatusForbidden, body: func(f *secFixture) any {
		def := webTestSurvey(f.h.t)
		def.Title["en"] = "Stolen title"
		return def
	}}
}

// webTestSurvey is a fresh copy of the harness's national test survey.
func webTestSurvey(t testing.TB) *survey.Definition {
	t.Helper()
	def, err := survey.Load(mustRead(t, "testdata/test-survey.json"))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// ownSurvey is a council's (or a new national) survey of its own: the
// test survey under another id.
func ownSurvey(id string) *survey.Definition {
	def, err := survey.Load(mustReadFile("testdata/test-survey.json"))
	if err != nil {
		panic(err)
	}
	def.ID = id
	return def
}

func mustReadFile(path string) []byte {
	b, err := readFile(path)
	if err != nil {
		panic(err)
	}
	return b
}

// localBody is a council's extension of the test survey as POST takes
// it: one local section with its questions only.
func localBody(id string, questions ...survey.Question) map[string]any {
	if len(questions) == 0 {
		questions = []survey.Question{busPass("Do you have a bus pass?")}
	}
	return map[string]any{
		"id": id, "version": 1, "extends": "test-survey",
		"languages": []string{"en", "ar"},
		"title":     survey.Text{"en": "Leeds care leavers' survey", "ar": "استبيان ليدز"},
		"sections": []survey.Section{{
			ID: "local", Title: survey.Text{"en": "In Leeds", "ar": "في ليدز"}, Questions: questions,
		}},
		"indicators": []survey.Indicator{{
			ID: "no_bus_pass", Label: survey.Text{"en": "No bus pass"}, Question: "bus_pass", Counts: []string{"no"}, Better: "lower",
		}},
	}
}

func busPass(text string) survey.Question {
	return survey.Question{
		ID: "bus_pass", Type: survey.TypeChoice, Text: survey.Text{"en": text, "ar": "هل لديك بطاقة حافلة؟"},
		Options: []survey.Option{{Value: "yes", Label: survey.Text{"en": "Yes"}}, {Value: "no", Label: survey.Text{"en": "No"}}},
	}
}

func choiceQuestion(id string) survey.Question {
	q := busPass("A question")
	q.ID = id
	return q
}

// authoring is a harness with two councils and their staff.
type authoring struct {
	*harness
	platform, leedsAdmin, leedsFac, leedsForum, yorkAdmin string
}

func newAuthoring(t *testing.T) *authoring {
	t.Helper()
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	return &authoring{
		harness:    h,
		platform:   h.user("root@yousaid.example", store.RolePlatformAdmin, ""),
		leedsAdmin: h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds"),
		leedsFac:   h.user("fac@leeds.example", store.RoleFacilitator, "leeds"),
		leedsForum: h.user("forum@leeds.example", store.RoleCoProducer, "leeds"),
		yorkAdmin:  h.user("admin@york.example", store.RoleCouncilAdmin, "york"),
	}
}

// written decodes a create or save answer, failing on any other status.
func (a *authoring) written(rec interface {
	Result() *http.Response
}, body string, wantStatus int) (id string, version int) {
	a.t.Helper()
	if rec.Result().StatusCode != wantStatus {
		a.t.Fatalf("status %d, want %d: %s", rec.Result().StatusCode, wantStatus, body)
	}
	var out struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		a.t.Fatal(err)
	}
	return out.ID, out.Version
}

func (a *authoring) create(path, token string, body any) (string, int) {
	a.t.Helper()
	rec := a.do(request{method: "POST", path: path, token: token, body: body})
	return a.written(rec, rec.Body.String(), http.StatusCreated)
}

func (a *authoring) put(id, token string, body any) int {
	a.t.Helper()
	rec := a.do(request{method: "PUT", path: "/api/v1/surveys/" + id, token: token, body: body})
	_, v := a.written(rec, rec.Body.String(), http.StatusOK)
	return v
}

func (a *authoring) get(id, query, token string) *survey.Definition {
	a.t.Helper()
	rec := a.do(request{method: "GET", path: "/api/v1/surveys/" + id + query, token: token})
	if rec.Code != http.StatusOK {
		a.t.Fatalf("GET %s%s: %d %s", id, query, rec.Code, rec.Body)
	}
	var def survey.Definition
	if err := json.Unmarshal(rec.Body.Bytes(), &def); err != nil {
		a.t.Fatal(err)
	}
	return &def
}

type versionsDoc struct {
	Versions []struct {
		Version   int    `json:"version"`
		CreatedAt string `json:"created_at"`
		InUse     bool   `json:"in_use"`
	} `json:"versions"`
}

// versions returns "1:in use" style summaries of a survey's versions.
func (a *authoring) versions(id, token string) []string {
	a.t.Helper()
	rec := a.do(request{method: "GET", path: "/api/v1/surveys/" + id + "/versions", token: token})
	if rec.Code != http.StatusOK {
		a.t.Fatalf("versions of %s: %d %s", id, rec.Code, rec.Body)
	}
	var doc versionsDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, v := range doc.Versions {
		if v.CreatedAt == "" {
			a.t.Errorf("version %d has no created_at", v.Version)
		}
		out = append(out, fmt.Sprintf("%d:%v", v.Version, v.InUse))
	}
	return out
}

func listedIDs(t *testing.T, a *authoring, token string) []string {
	t.Helper()
	rec := a.do(request{method: "GET", path: "/api/v1/surveys", token: token})
	if rec.Code != http.StatusOK {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	var doc struct {
		Surveys []struct {
			ID string `json:"id"`
		} `json:"surveys"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range doc.Surveys {
		ids = append(ids, s.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestCouncilSurveysAreTheirCouncils: a council admin creates a survey of
// its own and an extension; they are seen by the council's staff and
// platform admins, and answer 404 to everyone else on every route.
func TestCouncilSurveysAreTheirCouncils(t *testing.T) {
	a := newAuthoring(t)
	ctx := context.Background()

	id, v := a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, ownSurvey("leeds-own"))
	if id != "leeds-own" || v != 1 {
		t.Errorf("created %s version %d, want leeds-own version 1", id, v)
	}
	id, v = a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, localBody("leeds-ext"))
	if id != "leeds-ext" || v != 1 {
		t.Errorf("created %s version %d, want leeds-ext version 1", id, v)
	}

	ext := a.get("leeds-ext", "", a.leedsFac)
	var sections []string
	for _, s := range ext.Sections {
		sections = append(sections, s.ID)
	}
	if diff := cmp.Diff([]string{"about", "home", "local"}, sections); diff != "" {
		t.Errorf("extension sections mismatch (-want +got):\n%s", diff)
	}
	if ext.Council != "leeds" || ext.Extends != "test-survey" || ext.BaseVersion != 1 || ext.Priorities != "areas" || len(ext.Indicators) != 3 {
		t.Errorf("extension: council %q extends %s@%d, priorities %q, %d indicators", ext.Council, ext.Extends, ext.BaseVersion, ext.Priorities, len(ext.Indicators))
	}
	if diff := cmp.Diff(webTestSurvey(t).Sections, ext.Sections[:2]); diff != "" {
		t.Errorf("national sections changed (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		name, token string
		want        int
	}{
		{"anonymous", "", http.StatusNotFound},
		{"another council's admin", a.yorkAdmin, http.StatusNotFound},
		{"the council's forum member", a.leedsForum, http.StatusNotFound},
		{"the council's facilitator", a.leedsFac, http.StatusOK},
		{"the council's admin", a.leedsAdmin, http.StatusOK},
		{"a platform admin", a.platform, http.StatusOK},
	} {
		for _, path := range []string{"/api/v1/surveys/leeds-ext", "/api/v1/surveys/leeds-own?version=1", "/api/v1/surveys/leeds-ext/versions"} {
			rec := a.do(request{method: "GET", path: path, token: tt.token})
			if rec.Code != tt.want {
				t.Errorf("%s: GET %s = %d, want %d", tt.name, path, rec.Code, tt.want)
			}
			if rec.Code == http.StatusNotFound {
				if e := decodeErr(t, rec); e.Error.Code != "not_found" {
					t.Errorf("%s: GET %s: code %q", tt.name, path, e.Error.Code)
				}
			}
		}
	}
	// Another council's admin cannot change it either, and learns nothing.
	rec := a.do(request{method: "PUT", path: "/api/v1/surveys/leeds-own", token: a.yorkAdmin, body: ownSurvey("leeds-own")})
	if rec.Code != http.StatusNotFound {
		t.Errorf("York's PUT of Leeds's survey: %d, want 404", rec.Code)
	}
	if rec := a.do(request{method: "PUT", path: "/api/v1/surveys/leeds-own", token: a.leedsFac, body: ownSurvey("leeds-own")}); rec.Code != http.StatusForbidden {
		t.Errorf("a facilitator's PUT: %d, want 403", rec.Code)
	}

	national := []string{"life-beyond-care", "test-survey"}
	withLeeds := []string{"leeds-ext", "leeds-own", "life-beyond-care", "test-survey"}
	for _, tt := range []struct {
		name, token string
		want        []string
	}{
		{"anonymous", "", national},
		{"another council's admin", a.yorkAdmin, national},
		{"the council's facilitator", a.leedsFac, withLeeds},
		{"a platform admin", a.platform, withLeeds},
	} {
		if diff := cmp.Diff(tt.want, listedIDs(t, a, tt.token)); diff != "" {
			t.Errorf("%s: listed surveys mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	if rec := a.do(request{method: "GET", path: "/api/v1/surveys", token: "not-a-token"}); rec.Code != http.StatusUnauthorized {
		t.Errorf("a bad token on the public list: %d, want 401", rec.Code)
	}
	// The extension holds a copy of version 1's questions: it is in use.
	if diff := cmp.Diff([]string{"1:true"}, a.versions("test-survey", "")); diff != "" {
		t.Errorf("national versions, anonymous (-want +got):\n%s", diff)
	}

	// A wave on another council's survey is refused as if it did not exist.
	rec = a.do(request{method: "POST", path: "/api/v1/councils/york/waves", token: a.yorkAdmin, body: map[string]any{"survey": "leeds-ext", "name": "Stolen"}})
	if rec.Code != http.StatusBadRequest || decodeErr(t, rec).Error.Field != "survey" {
		t.Errorf("York's wave on Leeds's survey: %d %s", rec.Code, rec.Body)
	}

	entries, err := a.store.AuditLog(ctx, "leeds", 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action+" "+e.Target+" by "+e.ActorEmail)
	}
	slices.Sort(actions)
	if diff := cmp.Diff([]string{"survey.created leeds-ext by admin@leeds.example", "survey.created leeds-own by admin@leeds.example"}, actions); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

func TestCreateSurveyRights(t *testing.T) {
	a := newAuthoring(t)
	ctx := context.Background()
	a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, ownSurvey("leeds-own"))

	tests := []struct {
		name, path, token string
		body              any
		wantStatus        int
		wantCode          string
	}{
		{"a facilitator", "/api/v1/councils/leeds/surveys", a.leedsFac, ownSurvey("fac-survey"), 403, "forbidden"},
		{"another council's admin", "/api/v1/councils/leeds/surveys", a.yorkAdmin, ownSurvey("york-in-leeds"), 404, "not_found"},
		{"a council admin, nationally", "/api/v1/surveys", a.leedsAdmin, ownSurvey("leeds-national"), 403, "forbidden"},
		{"an unknown council", "/api/v1/councils/nowhere/surveys", a.platform, ownSurvey("nowhere-own"), 404, "not_found"},
		{"the id of a national survey", "/api/v1/councils/leeds/surveys", a.leedsAdmin, ownSurvey("test-survey"), 409, "survey_exists"},
		{"the id of another council's survey", "/api/v1/councils/york/surveys", a.yorkAdmin, ownSurvey("leeds-own"), 409, "survey_exists"},
		{"a national survey with a council's id", "/api/v1/surveys", a.platform, ownSurvey("leeds-own"), 409, "survey_exists"},
		{"an extension of an unknown survey", "/api/v1/councils/york/surveys", a.yorkAdmin, func() any {
			b := localBody("york-ext")
			b["extends"] = "no-such-survey"
			return b
		}(), 422, "validation"},
		{"an extension of a council survey", "/api/v1/councils/york/surveys", a.yorkAdmin, func() any {
			b := localBody("york-ext")
			b["extends"] = "leeds-own"
			return b
		}(), 422, "validation"},
		{"a national extension", "/api/v1/surveys", a.platform, func() any {
			d := ownSurvey("national-ext")
			d.Extends = "test-survey"
			return d
		}(), 422, "validation"},
		{"not JSON", "/api/v1/councils/york/surveys", a.yorkAdmin, "{", 400, "invalid_json"},
		{"an unknown field", "/api/v1/councils/york/surveys", a.yorkAdmin, `{"id":"x","colour":"red"}`, 400, "invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.do(request{method: "POST", path: tt.path, token: tt.token, body: tt.body})
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if e := decodeErr(t, rec); e.Error.Code != tt.wantCode {
				t.Errorf("code %q, want %q", e.Error.Code, tt.wantCode)
			}
		})
	}
	all, err := a.store.AllLatestSurveys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		ids = append(ids, d.ID+"@"+d.Council)
	}
	if diff := cmp.Diff([]string{"leeds-own@leeds", "life-beyond-care@", "test-survey@"}, ids); diff != "" {
		t.Errorf("refused requests stored something (-want +got):\n%s", diff)
	}

	id, v := a.create("/api/v1/surveys", a.platform, ownSurvey("national-two"))
	if id != "national-two" || v != 1 {
		t.Errorf("national survey created as %s@%d", id, v)
	}
	if d := a.get("national-two", "", ""); d.Council != "" {
		t.Errorf("a national survey has council %q", d.Council)
	}
}

// TestSurveyRulesThroughTheAPI: every rule the loader checks answers 422
// "validation" with error.field the path at fault, and stores nothing.
// (The version is the server's to give, so its rule cannot be broken
// through the API.)
func TestSurveyRulesThroughTheAPI(t *testing.T) {
	const (
		homeSafe     = "sections[1].questions[0]"
		hasPA        = "sections[1].questions[1]"
		paTrust      = "sections[1].questions[2]"
		anxiety      = "sections[1].questions[3]"
		areas        = "sections[1].questions[4]"
		anythingElse = "sections[1].questions[5]"
	)
	n := func(v int) *int { return &v }
	tests := []struct {
		name   string
		change func(d *survey.Definition)
		field  string
	}{
		{"id with capitals", func(d *survey.Definition) { d.ID = "Rules" }, "id"},
		{"id too long", func(d *survey.Definition) { d.ID = strings.Repeat("a", 65) }, "id"},
		{"languages without en", func(d *survey.Definition) { d.Languages = []string{"ar", "ti"} }, "languages"},
		{"duplicate language", func(d *survey.Definition) { d.Languages = append(d.Languages, "ar") }, "languages[3]"},
		{"unparsable language", func(d *survey.Definition) { d.Languages = append(d.Languages, "not a tag") }, "languages[3]"},
		{"language not canonical", func(d *survey.Definition) { d.Languages = append(d.Languages, "fa-af") }, "languages[3]"},
		{"Dari as prs", func(d *survey.Definition) { d.Languages = append(d.Languages, "prs") }, "languages[3]"},
		{"undetermined language", func(d *survey.Definition) { d.Languages = append(d.Languages, "und") }, "languages[3]"},
		{"title without en", func(d *survey.Definition) { delete(d.Title, "en") }, "title"},
		{"text in a language the survey lacks", func(d *survey.Definition) { d.Title["fa"] = "x" }, "title"},
		{"option label without en", func(d *survey.Definition) { delete(d.Sections[1].Questions[0].Options[2].Label, "en") }, homeSafe + ".options[2].label"},
		{"no sections", func(d *survey.Definition) { d.Sections, d.Priorities, d.Indicators = nil, "", nil }, "sections"},
		{"section without questions", func(d *survey.Definition) {
			d.Sections = append(d.Sections, survey.Section{ID: "empty", Title: survey.Text{"en": "Empty"}})
		}, "sections[2].questions"},
		{"duplicate section id", func(d *survey.Definition) { d.Sections[1].ID = "about" }, "sections[1].id"},
		{"bad section id", func(d *survey.Definition) { d.Sections[1].ID = "Home" }, "sections[1].id"},
		{"duplicate question id", func(d *survey.Definition) { d.Sections[1].Questions[5].ID = "home_safe" }, anythingElse + ".id"},
		{"bad question id", func(d *survey.Definition) { d.Sections[1].Questions[5].ID = "1st" }, anythingElse + ".id"},
		{"question id of a form field", func(d *survey.Definition) { d.Sections[1].Questions[5].ID = "code" }, anythingElse + ".id"},
		{"unknown type", func(d *survey.Definition) { d.Sections[1].Questions[5].Type = "essay" }, anythingElse + ".type"},
		{"choice without options", func(d *survey.Definition) { d.Sections[1].Questions[0].Options = nil }, homeSafe + ".options"},
		{"duplicate option value", func(d *survey.Definition) { d.Sections[1].Questions[0].Options[1].Value = "always" }, homeSafe + ".options[1].value"},
		{"bad option value", func(d *survey.Definition) { d.Sections[1].Questions[0].Options[1].Value = "Sometimes" }, homeSafe + ".options[1].value"},
		{"options on a text question", func(d *survey.Definition) {
			d.Sections[1].Questions[5].Options = []survey.Option{{Value: "a", Label: survey.Text{"en": "A"}}}
		}, anythingElse + ".options"},
		{"scale without min", func(d *survey.Definition) { d.Sections[1].Questions[3].Min = nil }, anxiety + ".min"},
		{"scale without max", func(d *survey.Definition) { d.Sections[1].Questions[3].Max = nil }, anxiety + ".max"},
		{"scale min not below max", func(d *survey.Definition) { d.Sections[1].Questions[3].Min = n(10) }, anxiety + ".max"},
		{"scale below 0", func(d *survey.Definition) { d.Sections[1].Questions[3].Min = n(-1) }, anxiety + ".min"},
		{"scale above 100", func(d *survey.Definition) { d.Sections[1].Questions[3].Max = n(101) }, anxiety + ".max"},
		{"min on a choice question", func(d *survey.Definition) { d.Sections[1].Questions[0].Min = n(0) }, homeSafe + ".min"},
		{"scale labels on a choice question", func(d *survey.Definition) { d.Sections[1].Questions[0].MinLabel = survey.Text{"en": "low"} }, homeSafe + ".min_label"},
		{"max_choices on a choice question", func(d *survey.Definition) { d.Sections[1].Questions[0].MaxChoices = 1 }, homeSafe + ".max_choices"},
		{"negative max_choices", func(d *survey.Definition) { d.Sections[1].Questions[4].MaxChoices = -1 }, areas + ".max_choices"},
		{"max_choices above the options", func(d *survey.Definition) { d.Sections[1].Questions[4].MaxChoices = 4 }, areas + ".max_choices"},
		{"max_length on a choice question", func(d *survey.Definition) { d.Sections[1].Questions[0].MaxLength = 10 }, homeSafe + ".max_length"},
		{"negative max_length", func(d *survey.Definition) { d.Sections[1].Questions[5].MaxLength = -1 }, anythingElse + ".max_length"},
		{"banded multi question", func(d *survey.Definition) { d.Sections[1].Questions[4].Banded = true }, areas + ".banded"},
		{"show_if on a later question", func(d *survey.Definition) {
			d.Sections[1].Questions[1].ShowIf = &survey.Condition{Question: "areas", In: []string{"housing"}}
		}, hasPA + ".show_if.question"},
		{"show_if on itself", func(d *survey.Definition) { d.Sections[1].Questions[2].ShowIf.Question = "pa_trust" }, paTrust + ".show_if.question"},
		{"show_if on a scale question", func(d *survey.Definition) {
			d.Sections[1].Questions[4].ShowIf = &survey.Condition{Question: "anxiety", In: []string{"1"}}
		}, areas + ".show_if.question"},
		{"show_if without answers", func(d *survey.Definition) { d.Sections[1].Questions[2].ShowIf.In = nil }, paTrust + ".show_if.in"},
		{"show_if answer not an option", func(d *survey.Definition) { d.Sections[1].Questions[2].ShowIf.In = []string{"maybe"} }, paTrust + ".show_if.in[0]"},
		{"show_if answer twice", func(d *survey.Definition) { d.Sections[1].Questions[2].ShowIf.In = []string{"yes", "yes"} }, paTrust + ".show_if.in[1]"},
		{"priorities not a multi question", func(d *survey.Definition) { d.Priorities = "home_safe" }, "priorities"},
		{"duplicate indicator id", func(d *survey.Definition) { d.Indicators[1].ID = "not_safe_home" }, "indicators[1].id"},
		{"bad indicator id", func(d *survey.Definition) { d.Indicators[0].ID = "Not-Safe" }, "indicators[0].id"},
		{"better misspelt", func(d *survey.Definition) { d.Indicators[0].Better = "Lower" }, "indicators[0].better"},
		{"both counts and range", func(d *survey.Definition) { d.Indicators[1].Counts = []string{"6"} }, "indicators[1]"},
		{"neither counts nor range", func(d *survey.Definition) { d.Indicators[0].Counts = nil }, "indicators[0]"},
		{"indicator on an unknown question", func(d *survey.Definition) { d.Indicators[0].Question = "nope" }, "indicators[0].question"},
		{"indicator on a text question", func(d *survey.Definition) { d.Indicators[0].Question = "anything_else" }, "indicators[0].question"},
		{"counts value not an option", func(d *survey.Definition) { d.Indicators[0].Counts = []string{"never", "rarely"} }, "indicators[0].counts[1]"},
		{"counts value twice", func(d *survey.Definition) { d.Indicators[0].Counts = []string{"never", "never"} }, "indicators[0].counts[1]"},
		{"counts on a scale question", func(d *survey.Definition) { d.Indicators[1].Range, d.Indicators[1].Counts = nil, []string{"6"} }, "indicators[1].counts"},
		{"range on a choice question", func(d *survey.Definition) { d.Indicators[0].Counts, d.Indicators[0].Range = nil, []int{0, 1} }, "indicators[0].range"},
		{"range of one number", func(d *survey.Definition) { d.Indicators[1].Range = []int{6} }, "indicators[1].range"},
		{"reversed range", func(d *survey.Definition) { d.Indicators[1].Range = []int{10, 6} }, "indicators[1].range"},
		{"range outside the scale", func(d *survey.Definition) { d.Indicators[1].Range = []int{6, 11} }, "indicators[1].range"},
		{"drafted language not among languages", func(d *survey.Definition) { d.Drafted = []string{"ps"} }, "drafted[0]"},
		{"drafted English", func(d *survey.Definition) { d.Drafted = []string{"en"} }, "drafted[0]"},
		{"drafted twice", func(d *survey.Definition) { d.Drafted = []string{"ar", "ar"} }, "drafted[1]"},
		{"base_version without extends", func(d *survey.Definition) { d.BaseVersion = 2 }, "base_version"},
		{"a national survey extending another", func(d *survey.Definition) { d.Extends = "life-beyond-care" }, "extends"},
	}
	a := newAuthoring(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := ownSurvey("rules")
			tt.change(def)
			rec := a.do(request{method: "POST", path: "/api/v1/surveys", token: a.platform, body: def})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			e := decodeErr(t, rec)
			if e.Error.Code != "validation" || e.Error.Field != tt.field {
				t.Errorf("error %q at %q, want validation at %q: %s", e.Error.Code, e.Error.Field, tt.field, e.Error.Message)
			}
			if !strings.Contains(e.Error.Message, tt.field) {
				t.Errorf("message %q does not say where", e.Error.Message)
			}
			if _, err := a.store.Survey(ctx, def.ID, 0); !isStoreNotFound(err) {
				t.Errorf("a refused survey was stored: %v", err)
			}
		})
	}
	// The same rules hold for a council's survey, in any language.
	def := ownSurvey("leeds-rules")
	def.Sections[1].Questions[0].Options = nil
	rec := a.do(request{method: "POST", path: "/api/v1/councils/leeds/surveys?lang=ar", token: a.leedsAdmin, body: def})
	if e := decodeErr(t, rec); rec.Code != 422 || e.Error.Field != "sections[1].questions[0].options" || !strings.Contains(e.Error.Message, "لا يمكن") {
		t.Errorf("council survey: %d %+v", rec.Code, e)
	}
}

func isStoreNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), store.ErrNotFound.Error())
}

// TestExtensionRulesThroughTheAPI: an extension keeps every national
// question unchanged, gives its own ids, and adds at most ten questions.
func TestExtensionRulesThroughTheAPI(t *testing.T) {
	a := newAuthoring(t)
	ctx := context.Background()
	a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, localBody("leeds-ext"))
	original := a.get("leeds-ext", "", a.leedsAdmin)

	eleven := []survey.Question{busPass("Bus pass?")}
	for i := 2; i <= 11; i++ {
		eleven = append(eleven, choiceQuestion(fmt.Sprintf("local_%d", i)))
	}
	posts := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"more than ten local questions", localBody("york-ext", eleven...), "sections[0].questions[10]"},
		{"a local question with a national id", localBody("york-ext", busPass("Bus pass?"), choiceQuestion("home_safe")), "sections[0].questions[1].id"},
		{"a local section with a national id", func() map[string]any {
			b := localBody("york-ext")
			b["sections"].([]survey.Section)[0].ID = "home"
			return b
		}(), "sections[0].id"},
		{"no local question", func() map[string]any {
			b := localBody("york-ext")
			b["sections"], b["indicators"] = []survey.Section{}, nil
			return b
		}(), "sections"},
	}
	for _, tt := range posts {
		t.Run("POST "+tt.name, func(t *testing.T) {
			rec := a.do(request{method: "POST", path: "/api/v1/councils/york/surveys", token: a.yorkAdmin, body: tt.body})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			if e := decodeErr(t, rec); e.Error.Code != "validation" || e.Error.Field != tt.field {
				t.Errorf("error %q at %q, want validation at %q: %s", e.Error.Code, e.Error.Field, tt.field, e.Error.Message)
			}
		})
	}
	if own, _ := a.store.CouncilSurveys(ctx, "york"); len(own) != 0 {
		t.Errorf("refused extensions were stored: %d", len(own))
	}

	puts := []struct {
		name   string
		change func(d *survey.Definition)
		field  string
	}{
		{"a national question removed", func(d *survey.Definition) {
			qs := d.Sections[1].Questions
			d.Sections[1].Questions = append(qs[:1:1], qs[2:]...)
		}, "sections[1].questions[1]"},
		{"a national question changed", func(d *survey.Definition) {
			d.Sections[1].Questions[0].Options = d.Sections[1].Questions[0].Options[:2]
		}, "sections[1].questions[0].options"},
		{"a national question's text changed", func(d *survey.Definition) {
			d.Sections[1].Questions[0].Text["en"] = "Do you feel safe?"
		}, "sections[1].questions[0].text"},
		{"a national indicator changed", func(d *survey.Definition) { d.Indicators[0].Counts = []string{"never"} }, "indicators[0].counts"},
		{"an id clash", func(d *survey.Definition) {
			d.Sections[2].Questions = append(d.Sections[2].Questions, choiceQuestion("anxiety"))
		}, "sections[2].questions[1].id"},
		{"more than ten local questions", func(d *survey.Definition) {
			for i := 2; i <= 11; i++ {
				d.Sections[2].Questions = append(d.Sections[2].Questions, choiceQuestion(fmt.Sprintf("local_%d", i)))
			}
		}, "sections[2].questions[10]"},
		{"another council", func(d *survey.Definition) { d.Council = "york" }, "council"},
		{"another base", func(d *survey.Definition) { d.Extends = "life-beyond-care" }, "extends"},
		{"an unknown base version", func(d *survey.Definition) { d.BaseVersion = 7 }, "base_version"},
		{"the id changed", func(d *survey.Definition) { d.ID = "leeds-other" }, "id"},
	}
	for _, tt := range puts {
		t.Run("PUT "+tt.name, func(t *testing.T) {
			def := a.get("leeds-ext", "", a.leedsAdmin)
			tt.change(def)
			rec := a.do(request{method: "PUT", path: "/api/v1/surveys/leeds-ext", token: a.leedsAdmin, body: def})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			if e := decodeErr(t, rec); e.Error.Code != "validation" || e.Error.Field != tt.field {
				t.Errorf("error %q at %q, want validation at %q: %s", e.Error.Code, e.Error.Field, tt.field, e.Error.Message)
			}
		})
	}
	if diff := cmp.Diff(original, a.get("leeds-ext", "", a.leedsAdmin)); diff != "" {
		t.Errorf("refused edits changed the survey (-want +got):\n%s", diff)
	}

	// An edit may send the whole definition, as GET gives it, or the local
	// part only, as POST takes it.
	whole := a.get("leeds-ext", "", a.leedsAdmin)
	whole.Sections[2].Questions[0].Text["en"] = "Have you got a bus pass?"
	if v := a.put("leeds-ext", a.leedsAdmin, whole); v != 1 {
		t.Errorf("saved as version %d, want 1 (no wave uses it)", v)
	}
	if got := a.get("leeds-ext", "", a.leedsFac).Sections[2].Questions[0].Text["en"]; got != "Have you got a bus pass?" {
		t.Errorf("after a whole PUT the question says %q", got)
	}
	if v := a.put("leeds-ext", a.leedsAdmin, localBody("leeds-ext", busPass("Do you use a bus pass?"))); v != 1 {
		t.Errorf("saved as version %d, want 1", v)
	}
	got := a.get("leeds-ext", "", a.leedsFac)
	if len(got.Sections) != 3 || got.Sections[2].Questions[0].Text["en"] != "Do you use a bus pass?" {
		t.Errorf("after a local PUT: %d sections, question %q", len(got.Sections), got.Sections[2].Questions[0].Text["en"])
	}
}

// TestAWaveKeepsItsVersion: once a wave opens on a version, an edit
// becomes the next version, and the wave's survey page, results and export
// still show the questions it opened with.
func TestAWaveKeepsItsVersion(t *testing.T) {
	a := newAuthoring(t)
	ctx := context.Background()
	a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, localBody("leeds-ext"))
	if v := a.put("leeds-ext", a.leedsAdmin, localBody("leeds-ext", busPass("Do you have a bus pass?"))); v != 1 {
		t.Errorf("an edit before any wave: version %d, want 1", v)
	}

	rec := a.do(request{method: "POST", path: "/api/v1/councils/leeds/waves", token: a.leedsAdmin, body: map[string]any{"survey": "leeds-ext", "name": "2027 local"}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("wave: %d %s", rec.Code, rec.Body)
	}
	var w struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil || w.Version != 1 {
		t.Fatalf("wave %s on version %d: %v", w.ID, w.Version, err)
	}
	if diff := cmp.Diff([]string{"1:true"}, a.versions("leeds-ext", a.leedsFac)); diff != "" {
		t.Errorf("versions after the wave opened (-want +got):\n%s", diff)
	}
	// The same definition sent again changes nothing: no identical version 2.
	if v := a.put("leeds-ext", a.leedsAdmin, localBody("leeds-ext", busPass("Do you have a bus pass?"))); v != 1 {
		t.Errorf("an unchanged save of a version in use: version %d, want 1", v)
	}
	a.submitN(w.ID, 6, func(i int) string {
		return fmt.Sprintf(`{"age_band":"18-20","home_safe":"always","bus_pass":%q}`, []string{"yes", "no"}[i%2])
	})

	draft := localBody("leeds-ext", busPass("Is your bus pass free to use?"), choiceQuestion("college"))
	if v := a.put("leeds-ext", a.leedsAdmin, draft); v != 2 {
		t.Errorf("an edit of a version in use: version %d, want 2", v)
	}
	edited := localBody("leeds-ext", busPass("Is your bus pass free?"), choiceQuestion("college"))
	if v := a.put("leeds-ext", a.leedsAdmin, edited); v != 2 {
		t.Errorf("an edit of the unused version 2: version %d, want 2 (in place)", v)
	}

	if diff := cmp.Diff([]string{"1:true", "2:false"}, a.versions("leeds-ext", a.leedsAdmin)); diff != "" {
		t.Errorf("versions after the edit (-want +got):\n%s", diff)
	}
	if q, ok := a.get("leeds-ext", "?version=1", a.leedsFac).Question("bus_pass"); !ok || q.Text["en"] != "Do you have a bus pass?" {
		t.Errorf("version 1 changed: %+v", q)
	}
	if _, ok := a.get("leeds-ext", "", a.leedsFac).Question("college"); !ok {
		t.Error("the newest version lacks the added question")
	}
	if rec := a.do(request{method: "GET", path: "/api/v1/surveys/leeds-ext?version=9", token: a.leedsFac}); rec.Code != 404 {
		t.Errorf("an unknown version: %d, want 404", rec.Code)
	}
	if rec := a.do(request{method: "GET", path: "/api/v1/surveys/leeds-ext?version=first", token: a.leedsFac}); rec.Code != 400 || decodeErr(t, rec).Error.Field != "version" {
		t.Errorf("a bad version: %d", rec.Code)
	}

	// The survey page still asks version 1.
	doc := htmltest.Parse(t, a.page("/w/"+w.ID, "").Body.String())
	if len(htmltest.All(doc, "input[name=bus_pass]")) == 0 || len(htmltest.All(doc, "input[name=college]")) != 0 {
		t.Error("the wave's survey page does not show the questions it opened with")
	}
	if !strings.Contains(htmltest.Text(doc), "Do you have a bus pass?") || strings.Contains(htmltest.Text(doc), "Is your bus pass free?") {
		t.Error("the wave's survey page shows the edited text")
	}
	// An answer to the new question is refused: the wave asks version 1.
	rec = a.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses", body: `{"language":"en","answers":{"age_band":"18-20","college":"yes"}}`})
	if rec.Code != 400 || decodeErr(t, rec).Error.Field != "college" {
		t.Errorf("an answer to a question of version 2: %d %s", rec.Code, rec.Body)
	}

	res := a.results(a.leedsAdmin, w.ID, "", 6)
	var ids []string
	for _, q := range res.Questions {
		ids = append(ids, q.ID)
	}
	if res.Version != 1 || !slices.Contains(ids, "bus_pass") || slices.Contains(ids, "college") {
		t.Errorf("results of version %d with questions %v", res.Version, ids)
	}
	rec = a.do(request{method: "GET", path: "/api/v1/waves/" + w.ID + "/export.csv", token: a.leedsAdmin})
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil || len(rows) != 7 {
		t.Fatalf("export: %v, %d rows", err, len(rows))
	}
	if !slices.Contains(rows[0], "bus_pass") || slices.Contains(rows[0], "college") {
		t.Errorf("export header %v", rows[0])
	}

	// A new wave takes the newest version, which then holds.
	rec = a.do(request{method: "POST", path: "/api/v1/councils/leeds/waves", token: a.platform, body: map[string]any{"survey": "leeds-ext", "name": "Second"}})
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"version":2`) {
		t.Errorf("second wave: %d %s", rec.Code, rec.Body)
	}
	if v := a.put("leeds-ext", a.leedsAdmin, localBody("leeds-ext")); v != 3 {
		t.Errorf("an edit after the second wave: version %d, want 3", v)
	}
	entries, err := a.store.AuditLog(ctx, "leeds", 20)
	if err != nil {
		t.Fatal(err)
	}
	saved := 0
	for _, e := range entries {
		if e.Action == "survey.saved" && e.Target == "leeds-ext" && e.Detail["version"] != "" {
			saved++
		}
	}
	// The first PUT sent the created definition again, and the one after
	// the first wave too: neither changed anything, so neither is a save.
	if saved != 3 {
		for _, e := range entries {
			t.Logf("%s %s %v", e.Action, e.Target, e.Detail)
		}
		t.Errorf("%d saves audited, want 3", saved)
	}
}

// TestStaffWaveFormOffersCouncilSurveys: the council home offers the
// council's own surveys beside the national ones, and opens a wave on one.
func TestStaffWaveFormOffersCouncilSurveys(t *testing.T) {
	a := newAuthoring(t)
	ctx := context.Background()
	a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, localBody("leeds-ext"))
	leeds := a.signIn("admin@leeds.example")
	york := a.signIn("admin@york.example")

	doc := htmltest.Parse(t, a.page("/staff/councils/leeds", leeds).Body.String())
	htmltest.One(t, doc, `option[value="leeds-ext"]`)
	htmltest.One(t, doc, `option[value="test-survey"]`)
	doc = htmltest.Parse(t, a.page("/staff/councils/york", york).Body.String())
	if len(htmltest.All(doc, `option[value="leeds-ext"]`)) != 0 {
		t.Error("York's wave form offers Leeds's survey")
	}

	rec := a.form("/staff/councils/york/waves", url.Values{"survey": {"leeds-ext"}, "name": {"Stolen"}, "access": {"open"}}, york, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("York's form wave on Leeds's survey: %d", rec.Code)
	}
	rec = a.form("/staff/councils/leeds/waves", url.Values{"survey": {"leeds-ext"}, "name": {"Local offer 2027"}, "access": {"open"}}, leeds, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("Leeds's form wave: %d %s", rec.Code, rec.Body)
	}
	waves, err := a.store.CouncilWaves(ctx, "leeds")
	if err != nil || len(waves) != 1 || waves[0].Survey != "leeds-ext" || waves[0].Version != 1 {
		t.Fatalf("Leeds's waves: %+v %v", waves, err)
	}
	if _, inUse, err := a.store.SurveyInUse(ctx, "leeds-ext", 1); err != nil || !inUse {
		t.Errorf("the form's wave did not mark its version in use: %v %v", inUse, err)
	}
	if york, _ := a.store.CouncilWaves(ctx, "york"); len(york) != 0 {
		t.Errorf("York has %d waves", len(york))
	}
}

// TestExtensionFeedsTheNationalPool: a council's wave of an extension
// counts towards the pooled national figure of the national indicators,
// and its local indicators get none.
func TestExtensionFeedsTheNationalPool(t *testing.T) {
	a := newAuthoring(t)
	ctx := context.Background()
	a.council("bradford")
	a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, localBody("leeds-ext"))
	rec := a.do(request{method: "POST", path: "/api/v1/councils/leeds/waves", token: a.leedsAdmin, body: map[string]any{"survey": "leeds-ext", "name": "Local"}})
	var ext struct {
		ID string `json:"id"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &ext) != nil {
		t.Fatalf("extension wave: %d %s", rec.Code, rec.Body)
	}
	york := a.surveyWave("york", "test-survey", store.AccessOpen)
	bradford := a.surveyWave("bradford", "test-survey", store.AccessOpen)
	// Twenty each: 6, 8 and 10 of them do not always feel safe.
	for i, w := range []string{ext.ID, york.ID, bradford.ID} {
		a.submitN(w, 20, func(j int) string {
			safe := "always"
			if j < 6+2*i {
				safe = "never"
			}
			return fmt.Sprintf(`{"age_band":"18-20","home_safe":%q,"anxiety":%d}`, safe, j%10)
		})
	}
	if err := a.tally.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	type comparison struct {
		ID       string `json:"id"`
		National *struct {
			Value    float64 `json:"value"`
			Councils int     `json:"councils"`
		} `json:"national"`
	}
	national := func(wave string) map[string]*comparison {
		t.Helper()
		rec := a.do(request{method: "GET", path: "/api/v1/waves/" + wave + "/results", token: a.platform})
		if rec.Code != 200 {
			t.Fatalf("results: %d %s", rec.Code, rec.Body)
		}
		var doc struct {
			Responses   int          `json:"responses"`
			Comparisons []comparison `json:"comparisons"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Responses != 20 {
			t.Fatalf("results: %v, %d responses", err, doc.Responses)
		}
		out := map[string]*comparison{}
		for i := range doc.Comparisons {
			out[doc.Comparisons[i].ID] = &doc.Comparisons[i]
		}
		return out
	}
	for _, wave := range []string{york.ID, ext.ID} {
		got := national(wave)
		n := got["not_safe_home"]
		if n == nil || n.National == nil || n.National.Councils != 3 || n.National.Value != 0.4 {
			t.Errorf("wave %s: national not_safe_home = %+v, want 24/60 = 0.4 over 3 councils", wave, n.National)
		}
	}
	if local := national(ext.ID)["no_bus_pass"]; local == nil || local.National != nil {
		t.Errorf("the local indicator: %+v, want no national figure", local)
	}
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// TestSurveyBodiesMayBeLarge: a whole extension of the national survey in
// thirteen languages (about 400 KB) can be sent back as GET gives it, past
// the 64 KiB limit of other requests; a body over 1 MiB is still refused.
func TestSurveyBodiesMayBeLarge(t *testing.T) {
	a := newAuthoring(t)
	body := localBody("leeds-lbc")
	body["extends"] = "life-beyond-care"
	body["indicators"] = nil
	a.create("/api/v1/councils/leeds/surveys", a.leedsAdmin, body)
	rec := a.do(request{method: "GET", path: "/api/v1/surveys/leeds-lbc", token: a.leedsAdmin})
	if rec.Code != http.StatusOK || rec.Body.Len() < 200<<10 {
		t.Fatalf("GET: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	whole := rec.Body.String()
	if v := a.put("leeds-lbc", a.leedsAdmin, strings.Replace(whole, "Do you have a bus pass?", "Do you use a bus pass?", 1)); v != 1 {
		t.Errorf("whole PUT saved as %d", v)
	}
	huge := strings.Replace(whole, `"title":{`, `"title":{"cy":"`+strings.Repeat("x", 1<<20)+`",`, 1)
	rec = a.do(request{method: "PUT", path: "/api/v1/surveys/leeds-lbc", token: a.leedsAdmin, body: huge})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 1 MiB: %d, want 413", rec.Code)
	}
	// Other requests keep the contract's limit.
	rec = a.do(request{method: "POST", path: "/api/v1/councils/leeds/waves", token: a.leedsAdmin, body: `{"name":"` + strings.Repeat("x", 70<<10) + `"}`})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KiB wave: %d, want 413", rec.Code)
	}
}

// TestSaveNationalSurvey: a platform admin edits a national survey; a
// council admin may see it but not change it.
func TestSaveNationalSurvey(t *testing.T) {
	a := newAuthoring(t)
	a.create("/api/v1/surveys", a.platform, ownSurvey("national-two"))
	def := a.get("national-two", "", "")
	def.Title["en"] = "National survey, second draft"
	rec := a.do(request{method: "PUT", path: "/api/v1/surveys/national-two", token: a.leedsAdmin, body: def})
	if rec.Code != http.StatusForbidden {
		t.Errorf("a council admin's PUT of a national survey: %d, want 403", rec.Code)
	}
	if v := a.put("national-two", a.platform, def); v != 1 {
		t.Errorf("saved as %d, want 1", v)
	}
	if got := a.get("national-two", "", "").Title["en"]; got != "National survey, second draft" {
		t.Errorf("title %q after the save", got)
	}
	entries, err := a.store.AuditLog(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Target+" "+e.Detail["version"]+" by "+e.ActorEmail)
	}
	slices.Sort(got) // the test clock stands still: order by action
	want := []string{"survey.created national-two 1 by root@yousaid.example", "survey.saved national-two 1 by root@yousaid.example"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("platform audit mismatch (-want +got):\n%s", diff)
	}
}
