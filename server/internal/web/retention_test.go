package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/retention"
	"yousaid/server/internal/store"
)

func init() {
	routeRules["PATCH /api/v1/councils/:council"] = routeRule{access: tokenCouncil, body: func(*secFixture) any {
		return map[string]any{"retention_months": 36}
	}}
	routeRules["GET /staff/councils/:council/retention"] = routeRule{access: sessionCouncil}
	routeRules["POST /staff/councils/:council/retention"] = routeRule{access: sessionCouncil, body: func(*secFixture) any {
		return url.Values{"retention_months": {"36"}}
	}}
}

// closeAt closes a wave through the API with the clock at at.
func (p *plan) closeAt(t *testing.T, w *store.Wave, at time.Time) {
	t.Helper()
	saved := p.h.now
	p.h.now = at
	defer func() { p.h.now = saved }()
	token := p.admin
	if w.Council == "york" {
		token = p.h.user("admin-"+w.ID+"@york.example", store.RoleCouncilAdmin, "york")
	}
	rec := p.h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/close", token: token})
	if rec.Code != http.StatusOK {
		t.Fatalf("close %s: %d %s", w.Name, rec.Code, rec.Body)
	}
}

// get returns a body the test compares byte for byte.
func (p *plan) get(t *testing.T, path, token string) string {
	t.Helper()
	rec := p.h.do(request{method: "GET", path: path, token: token})
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func textIDs(t *testing.T, s *store.Store, wave string) []string {
	t.Helper()
	texts, err := s.Texts(context.Background(), wave, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, tx := range texts {
		ids = append(ids, tx.ID)
	}
	return ids
}

func TestRetentionSettingValidation(t *testing.T) {
	p := newPlan(t)
	bad := []struct {
		name  string
		body  any
		token string
		code  int
		field string
	}{
		{"below the minimum", map[string]any{"retention_months": 2}, p.admin, 400, "retention_months"},
		{"zero", map[string]any{"retention_months": 0}, p.admin, 400, "retention_months"},
		{"above the maximum", map[string]any{"retention_months": 121}, p.admin, 400, "retention_months"},
		{"not a number", map[string]any{"retention_months": "24"}, p.admin, 400, "retention_months"},
		{"missing", map[string]any{}, p.admin, 400, "retention_months"},
		{"unknown field", map[string]any{"retention_months": 24, "name": "x"}, p.admin, 400, ""},
		{"a facilitator", map[string]any{"retention_months": 12}, p.fac, 403, ""},
		{"another council", map[string]any{"retention_months": 12}, p.yorkFac, 404, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.h.do(request{method: "PATCH", path: "/api/v1/councils/leeds", token: tt.token, body: tt.body})
			if rec.Code != tt.code {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tt.code)
			}
			if got := decodeErr(t, rec).Error.Field; got != tt.field {
				t.Errorf("field %q, want %q", got, tt.field)
			}
			c, err := p.h.store.Council(context.Background(), "leeds")
			if err != nil {
				t.Fatal(err)
			}
			if c.RetentionPeriod() != store.DefaultRetentionMonths || c.RetentionMonths != 0 {
				t.Errorf("a refused change was stored: %d months", c.RetentionMonths)
			}
		})
	}
	rec := p.h.do(request{method: "PATCH", path: "/api/v1/councils/leeds", token: p.admin, body: map[string]any{"retention_months": 3}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"retention_months":3`) {
		t.Fatalf("set 3 months: %d %s", rec.Code, rec.Body)
	}
	log, err := p.h.store.AuditLog(context.Background(), "leeds", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != "council.retention_changed" || log[0].ActorEmail != p.adminEmail ||
		log[0].Detail["from_months"] != "24" || log[0].Detail["to_months"] != "3" {
		t.Errorf("audit log %+v", log)
	}
}

// TestRetentionDeletesOnlyExpiredRawData: Leeds keeps raw answers 3
// months. Its baseline closed 10 months ago: its responses and texts go,
// except the approved quote a published action cites; its results, the
// follow-up's comparison with it and the public page do not change by a
// byte. Open waves, a recently closed one and York's (which keeps 10
// years) are untouched.
func TestRetentionDeletesOnlyExpiredRawData(t *testing.T) {
	p := newPlan(t)
	p.waves(t)
	ctx := context.Background()
	cited := p.quote(t, p.baseline, "I sleep with a chair against the door.", store.TextApproved)
	uncited := p.quote(t, p.baseline, "Approved but cited by nothing.", store.TextApproved)
	p.quote(t, p.baseline, "Still pending.", store.TextPending)
	p.quote(t, p.baseline, "Rejected.", store.TextRejected)
	yorkQuote := p.quote(t, p.yorkWv, "York's words.", store.TextPending)
	body := simpleAction()
	body["evidence"] = []map[string]any{{"wave": p.baseline.ID, "indicator": "not_safe_home"}, {"quote": cited}}
	a := p.create(t, body)
	if code, _, raw := p.patch(a.ID, p.admin, map[string]any{"published": true}); code != http.StatusOK {
		t.Fatal(raw)
	}
	recent := p.waveAt(t, "leeds", "Recent", p.h.now.AddDate(0, -3, 0), 3, 4)
	p.closeAt(t, p.baseline, p.h.now.AddDate(0, -10, 0))
	p.closeAt(t, recent, p.h.now.AddDate(0, -2, 0))
	p.closeAt(t, p.yorkWv, p.h.now.AddDate(0, -10, 0))
	if rec := p.h.do(request{method: "PATCH", path: "/api/v1/councils/leeds", token: p.admin, body: map[string]any{"retention_months": 3}}); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	if err := p.h.store.SetCouncilRetention(ctx, "york", 120); err != nil {
		t.Fatal(err)
	}

	pages := []string{
		"/api/v1/waves/" + p.baseline.ID + "/results",
		"/api/v1/waves/" + p.baseline.ID + "/results?by=age_band",
		"/api/v1/waves/" + p.baseline.ID + "/results.csv",
		"/api/v1/waves/" + p.followUp.ID + "/results",
		"/api/v1/councils/leeds/actions",
		"/c/leeds",
		"/c/leeds/feed.atom",
	}
	before := map[string]string{}
	for _, path := range pages {
		before[path] = p.get(t, path, p.fac)
	}
	if !strings.Contains(before["/c/leeds"], "chair against the door") {
		t.Fatal("the public page does not show the cited quote to begin with")
	}
	type counts struct{ Responses, Texts int }
	waves := []*store.Wave{p.baseline, p.followUp, p.small, recent, p.yorkWv}
	countsOf := func() map[string]counts {
		out := map[string]counts{}
		for _, w := range waves {
			out[w.Name] = counts{int(p.h.countResponses(w.ID)), len(textIDs(t, p.h.store, w.ID))}
		}
		return out
	}
	want := countsOf()
	if want["Baseline"] != (counts{24, 4}) {
		t.Fatalf("baseline holds %+v before retention", want["Baseline"])
	}

	deleted, err := retention.Run(ctx, p.h.store, p.h.tally, p.h.now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]retention.Deleted{{Wave: p.baseline.ID, Council: "leeds", Responses: 24, Texts: 3}}, deleted); diff != "" {
		t.Fatalf("deleted mismatch (-want +got):\n%s", diff)
	}
	want["Baseline"] = counts{0, 1}
	if diff := cmp.Diff(want, countsOf()); diff != "" {
		t.Errorf("stored counts mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{cited}, textIDs(t, p.h.store, p.baseline.ID)); diff != "" {
		t.Errorf("kept texts mismatch (-want +got):\n%s", diff)
	}
	if _, err := p.h.store.TextByID(ctx, uncited); err == nil {
		t.Error("an approved quote no action cites was kept")
	}
	if _, err := p.h.store.TextByID(ctx, yorkQuote); err != nil {
		t.Errorf("York's text: %v", err)
	}

	// A recount, a repair or the next run must leave the frozen tallies
	// alone (the results cache lives a second: read after it).
	rep, err := p.h.tally.Recount(ctx, p.baseline.ID, p.h.srv.Definition)
	if err != nil || !rep.Frozen || rep.After != 24 || rep.Corrected {
		t.Errorf("recount of a frozen wave: %+v %v", rep, err)
	}
	if _, err := p.h.tally.RepairStale(ctx, p.h.srv.Definition); err != nil {
		t.Fatal(err)
	}
	again, err := retention.Run(ctx, p.h.store, p.h.tally, p.h.now.Add(time.Hour))
	if err != nil || len(again) != 0 {
		t.Errorf("a second run deleted %+v (%v)", again, err)
	}
	time.Sleep(1100 * time.Millisecond)
	for _, path := range pages {
		if diff := cmp.Diff(before[path], p.get(t, path, p.fac)); diff != "" {
			t.Errorf("%s changed (-before +after):\n%s", path, diff)
		}
	}

	log, err := p.h.store.AuditLog(ctx, "leeds", 20)
	if err != nil {
		t.Fatal(err)
	}
	var entries []store.AuditEntry
	for _, e := range log {
		if e.Action == "responses.deleted" {
			e.At = time.Time{}
			entries = append(entries, e)
		}
	}
	wantEntry := []store.AuditEntry{{
		ID: store.RetentionAuditID(p.baseline.ID), Council: "leeds", ActorID: store.SystemActor,
		Action: "responses.deleted", Target: p.baseline.ID,
		Detail: map[string]string{"responses": "24", "texts": "3", "kept_quotes": "1", "retention_months": "3",
			"closed_at": p.h.now.AddDate(0, -10, 0).Format("2006-01-02")},
	}}
	if diff := cmp.Diff(wantEntry, entries); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}

	rec := p.h.do(request{method: "GET", path: "/api/v1/waves/" + p.baseline.ID + "/export.csv", token: p.admin})
	if rec.Code != http.StatusGone {
		t.Fatalf("export of a deleted wave: %d %s", rec.Code, rec.Body)
	}
	e := decodeErr(t, rec)
	if e.Error.Code != "responses_deleted" || !strings.Contains(e.Error.Message, p.h.now.Format("2006-01-02")) ||
		!strings.Contains(e.Error.Message, "retention period") {
		t.Errorf("export refusal %+v", e.Error)
	}
	if rec := p.h.do(request{method: "GET", path: "/api/v1/waves/" + recent.ID + "/export.csv", token: p.admin}); rec.Code != 200 {
		t.Errorf("export of a kept wave: %d", rec.Code)
	}
}

// TestRetentionFinishesAnInterruptedDeletion: a run that stopped after
// the freeze, or half-way through deleting, is finished by the next one;
// nothing recounts the wave from what is left meanwhile, and the audit
// log counts what was there at the freeze, once.
func TestRetentionFinishesAnInterruptedDeletion(t *testing.T) {
	p := newPlan(t)
	p.waves(t)
	ctx := context.Background()
	p.closeAt(t, p.baseline, p.h.now.AddDate(-1, 0, 0).AddDate(0, 1, 0))
	path := "/api/v1/waves/" + p.baseline.ID + "/results?by=age_band"
	before := p.get(t, path, p.fac)

	// The crash: frozen, then half the responses deleted, then nothing.
	closed, err := p.h.store.Wave(ctx, p.baseline.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.h.tally.Freeze(ctx, closed, 24); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	if err := p.h.store.EachResponse(ctx, p.baseline.ID, func(r *store.Response) error {
		ids = append(ids, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	raw, _ := p.h.store.ResponsesCollection(p.baseline.ID)
	if _, err := raw.DeleteMany(ctx, bson.M{"_id": bson.M{"$in": ids[:10]}}); err != nil {
		t.Fatal(err)
	}
	// The restart's repair: the wave's tallies must not follow the 10 left.
	if rep, err := p.h.tally.Recount(ctx, p.baseline.ID, p.h.srv.Definition); err != nil || !rep.Frozen || rep.After != 20 {
		t.Fatalf("recount mid-deletion: %+v %v", rep, err)
	}
	// The next run is not due for this wave by its dates (24 months), yet
	// it finishes what was started.
	deleted, err := retention.Run(ctx, p.h.store, p.h.tally, p.h.now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]retention.Deleted{{Wave: p.baseline.ID, Council: "leeds", Responses: 20}}, deleted); diff != "" {
		t.Errorf("deleted mismatch (-want +got):\n%s", diff)
	}
	if n := p.h.countResponses(p.baseline.ID); n != 0 {
		t.Errorf("%d responses left", n)
	}
	// A crash after the audit entry and before the record's end: finishing
	// again writes no second entry.
	if _, err := p.h.store.Database().Collection("wave_retention").UpdateOne(ctx, bson.M{"_id": p.baseline.ID},
		bson.M{"$unset": bson.M{"deleted_at": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, err := retention.Run(ctx, p.h.store, p.h.tally, p.h.now); err != nil {
		t.Fatal(err)
	}
	log, err := p.h.store.AuditLog(ctx, "leeds", 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Detail["responses"] != "20" {
		t.Errorf("audit log %+v, want one entry counting 20", log)
	}
	time.Sleep(1100 * time.Millisecond)
	if diff := cmp.Diff(before, p.get(t, path, p.fac)); diff != "" {
		t.Errorf("results changed (-before +after):\n%s", diff)
	}
}

func TestRetentionPage(t *testing.T) {
	p := newPlan(t)
	cookie := p.h.signIn(p.adminEmail)
	rec := p.h.page("/staff/councils/leeds/retention", cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("page: %d", rec.Code)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, "input#retention-months"), "value"); got != "24" {
		t.Errorf("the form shows %q months, want the default 24", got)
	}
	htmltest.One(t, doc, `label[for="retention-months"]`)

	rec = p.h.form("/staff/councils/leeds/retention", url.Values{"retention_months": {"2"}}, cookie, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("2 months: %d, want 422", rec.Code)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#retention-months" {
		t.Errorf("error summary links to %q", got)
	}
	input := htmltest.One(t, doc, "input#retention-months")
	if htmltest.Attr(input, "value") != "2" || !strings.Contains(htmltest.Attr(input, "aria-describedby"), "retention-months-error") {
		t.Errorf("the field lost its value or its error: %v", input.Attr)
	}
	if c, _ := p.h.store.Council(context.Background(), "leeds"); c.RetentionMonths != 0 {
		t.Errorf("a refused value was stored: %d", c.RetentionMonths)
	}

	rec = p.h.form("/staff/councils/leeds/retention", url.Values{"retention_months": {"36"}}, cookie, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/councils/leeds/retention?saved=1" {
		t.Fatalf("save: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if c, _ := p.h.store.Council(context.Background(), "leeds"); c.RetentionMonths != 36 {
		t.Errorf("stored %d months, want 36", c.RetentionMonths)
	}
	doc = htmltest.Parse(t, p.h.page("/staff/councils/leeds/retention?saved=1&lang=ar", cookie).Body.String())
	htmltest.One(t, doc, "html[dir=rtl]")
	htmltest.One(t, doc, `p[role="status"]`)
	if got := htmltest.Attr(htmltest.One(t, doc, "input#retention-months"), "value"); got != "36" {
		t.Errorf("the form shows %q after saving 36", got)
	}
	// A body that is not a form is 415, as on every other staff form, and
	// changes nothing (it used to read as a blank field: 422).
	rec = p.h.form("/staff/councils/leeds/retention", url.Values{"retention_months": {"48"}}, cookie,
		map[string]string{"Content-Type": "application/json"})
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a JSON body: %d, want 415", rec.Code)
	}
	if c, _ := p.h.store.Council(context.Background(), "leeds"); c.RetentionMonths != 36 {
		t.Errorf("a refused body changed the period to %d months", c.RetentionMonths)
	}
	// A facilitator may not change it.
	fac := p.h.signIn(p.facEmail)
	if rec := p.h.form("/staff/councils/leeds/retention", url.Values{"retention_months": {"3"}}, fac, nil); rec.Code != http.StatusForbidden {
		t.Errorf("facilitator: %d, want 403", rec.Code)
	}
}
