package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
)

// plan is a council with staff of every role, and York next door.
type plan struct {
	h                                 *harness
	fac, admin, forumMember, yorkFac  string // API tokens
	facEmail, adminEmail, forumEmail  string
	baseline, followUp, small, yorkWv *store.Wave
}

func newPlan(t *testing.T) *plan {
	t.Helper()
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	p := &plan{h: h, facEmail: "fac@leeds.example", adminEmail: "admin@leeds.example", forumEmail: "forum@leeds.example"}
	p.fac = h.user(p.facEmail, store.RoleFacilitator, "leeds")
	p.admin = h.user(p.adminEmail, store.RoleCouncilAdmin, "leeds")
	p.forumMember = h.user(p.forumEmail, store.RoleCoProducer, "leeds")
	p.yorkFac = h.user("fac@york.example", store.RoleFacilitator, "york")
	return p
}

// waves adds a baseline (8 of 20 do not always feel safe: 40%), a
// follow-up a year later (5 of 20: 25%) and a wave too small to show.
func (p *plan) waves(t *testing.T) {
	t.Helper()
	p.baseline = p.waveAt(t, "leeds", "Baseline", p.h.now.AddDate(-1, 0, 0), 8, 12)
	p.followUp = p.waveAt(t, "leeds", "Follow-up", p.h.now, 5, 15)
	p.small = p.waveAt(t, "leeds", "Tiny", p.h.now.AddDate(0, -1, 0), 1, 2)
	p.yorkWv = p.waveAt(t, "york", "York wave", p.h.now, 0, 0)
}

func (p *plan) waveAt(t *testing.T, council, name string, created time.Time, notSafe, safe int) *store.Wave {
	t.Helper()
	w := &store.Wave{Council: council, Survey: "test-survey", Version: 1, Name: name, Access: store.AccessOpen, CreatedAt: created}
	if err := p.h.store.CreateWave(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	for i := range notSafe + safe {
		home := "always"
		if i < notSafe {
			home = "never"
		}
		rec := p.h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses",
			body: map[string]any{"language": "en", "answers": map[string]any{"age_band": "18-20", "home_safe": home}}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("response: %d %s", rec.Code, rec.Body)
		}
	}
	if err := p.h.tally.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

// quote stores a free-text answer of wave and moderates it.
func (p *plan) quote(t *testing.T, w *store.Wave, text, status string) string {
	t.Helper()
	rec := p.h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses",
		body: map[string]any{"language": "en", "answers": map[string]any{"age_band": "18-20", "anything_else": text}}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("response: %d %s", rec.Code, rec.Body)
	}
	if err := p.h.tally.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	texts, err := p.h.store.Texts(context.Background(), w.ID, store.TextPending, 100)
	if err != nil || len(texts) == 0 {
		t.Fatalf("texts: %v %d", err, len(texts))
	}
	id := texts[len(texts)-1].ID
	if status != store.TextPending {
		if err := p.h.store.DecideText(context.Background(), id, status, "moderator"); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func simpleAction() map[string]any {
	return map[string]any{
		"you_said": map[string]string{"en": "We don't feel safe at home."},
		"we_will":  map[string]string{"en": "Offer video doorbells to every care leaver who wants one."},
		"owner":    "Housing", "due": "2027-03-31",
	}
}

type actionResp struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Published bool   `json:"published"`
	Version   int    `json:"version"`
	Owner     string `json:"owner"`
	Reason    map[string]string
	Timeline  []struct {
		At   string            `json:"at"`
		Text map[string]string `json:"text"`
	} `json:"timeline"`
	Evidence []map[string]any `json:"evidence"`
	Verdict  *struct {
		Verdict string            `json:"verdict"`
		Comment map[string]string `json:"comment"`
	} `json:"verdict"`
}

func (p *plan) create(t *testing.T, body map[string]any) actionResp {
	t.Helper()
	rec := p.h.do(request{method: "POST", path: "/api/v1/councils/leeds/actions", token: p.fac, body: body})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create action: %d %s", rec.Code, rec.Body)
	}
	var a actionResp
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func (p *plan) patch(id, token string, body any) (int, actionResp, string) {
	rec := p.h.do(request{method: "PATCH", path: "/api/v1/actions/" + id, token: token, body: body})
	var a actionResp
	_ = json.Unmarshal(rec.Body.Bytes(), &a)
	return rec.Code, a, rec.Body.String()
}

// moveTo takes a fresh item through the rules to status.
func (p *plan) moveTo(t *testing.T, status string) string {
	t.Helper()
	a := p.create(t, simpleAction())
	path := map[string][]string{
		store.StatusProposed:    {},
		store.StatusAgreed:      {"agreed"},
		store.StatusInProgress:  {"agreed", "in_progress"},
		store.StatusDone:        {"agreed", "in_progress", "done"},
		store.StatusNotPossible: {"not_possible"},
	}[status]
	for _, st := range path {
		body := map[string]any{"status": st}
		if st == store.StatusNotPossible {
			body["reason"] = map[string]string{"en": "The landlord will not allow it."}
		}
		if code, _, b := p.patch(a.ID, p.fac, body); code != http.StatusOK {
			t.Fatalf("to %s: %d %s", st, code, b)
		}
	}
	return a.ID
}

func TestCreateActionAnswer(t *testing.T) {
	p := newPlan(t)
	rec := p.h.do(request{method: "POST", path: "/api/v1/councils/leeds/actions", token: p.fac, body: simpleAction()})
	if rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["status"] != "proposed" || got["published"] != false || got["id"] == "" || got["reason"] != nil || got["verdict"] != nil {
		t.Errorf("created: %v", got)
	}
}

// TestStatusTransitions: every move from every status, with the rule's
// answer.
func TestStatusTransitions(t *testing.T) {
	p := newPlan(t)
	reason := map[string]string{"en": "No budget this year."}
	statuses := []string{store.StatusProposed, store.StatusAgreed, store.StatusInProgress, store.StatusDone, store.StatusNotPossible}
	allowed := map[[2]string]bool{
		{"proposed", "agreed"}: true, {"agreed", "in_progress"}: true, {"in_progress", "done"}: true,
		{"proposed", "not_possible"}: true, {"agreed", "not_possible"}: true, {"in_progress", "not_possible"}: true,
		// Naming not_possible again with a reason rewords the reason.
		{"not_possible", "not_possible"}: true,
	}
	for _, from := range statuses {
		for _, to := range statuses {
			name := from + " to " + to
			t.Run(name, func(t *testing.T) {
				id := p.moveTo(t, from)
				body := map[string]any{"status": to}
				if to == store.StatusNotPossible {
					body["reason"] = reason
				}
				code, a, raw := p.patch(id, p.fac, body)
				if allowed[[2]string{from, to}] {
					if code != http.StatusOK || a.Status != to {
						t.Fatalf("%d %s, want 200 with status %s", code, raw, to)
					}
					return
				}
				if code != http.StatusConflict {
					t.Fatalf("%d %s, want 409", code, raw)
				}
				var e apiErr
				_ = json.Unmarshal([]byte(raw), &e)
				if e.Error.Code != "invalid_transition" || e.Error.Field != "status" ||
					!strings.Contains(e.Error.Message, from) || !strings.Contains(e.Error.Message, to) {
					t.Errorf("error %+v does not say which move is not allowed", e.Error)
				}
			})
		}
	}
	t.Run("not_possible needs a reason", func(t *testing.T) {
		id := p.moveTo(t, store.StatusAgreed)
		for _, body := range []map[string]any{
			{"status": "not_possible"},
			{"status": "not_possible", "reason": map[string]string{"en": "  "}},
			{"status": "not_possible", "reason": map[string]string{"ar": "سبب"}},
		} {
			if code, _, raw := p.patch(id, p.fac, body); code != http.StatusBadRequest || !strings.Contains(raw, `"field":"reason"`) {
				t.Errorf("%v: %d %s, want 400 on reason", body, code, raw)
			}
		}
		if code, _, raw := p.patch(id, p.fac, map[string]any{"reason": reason}); code != http.StatusBadRequest {
			t.Errorf("a reason without not_possible: %d %s, want 400", code, raw)
		}
		code, a, _ := p.patch(id, p.fac, map[string]any{"status": "not_possible", "reason": reason})
		if code != http.StatusOK || a.Reason["en"] != reason["en"] {
			t.Errorf("with a reason: %d %+v", code, a)
		}
		// Its reason can be reworded later.
		code, a, _ = p.patch(id, p.fac, map[string]any{"status": "not_possible", "reason": map[string]string{"en": "Better words."}})
		if code != http.StatusOK || a.Reason["en"] != "Better words." {
			t.Errorf("reworded reason: %d %+v", code, a)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		id := p.moveTo(t, store.StatusProposed)
		for _, tt := range []struct {
			body  any
			field string
		}{
			{map[string]any{"status": "finished"}, "status"},
			{map[string]any{"colour": "red"}, ""},
			{map[string]any{}, ""},
			{map[string]any{"due": "31/03/2027"}, "due"},
			{map[string]any{"owner": ""}, "owner"},
			{map[string]any{"you_said": map[string]string{"ar": "فقط"}}, "you_said"},
			{map[string]any{"we_will": map[string]string{"en": strings.Repeat("x", 1001)}}, "we_will"},
		} {
			code, _, raw := p.patch(id, p.fac, tt.body)
			if code != http.StatusBadRequest {
				t.Errorf("%v: %d, want 400", tt.body, code)
				continue
			}
			var e apiErr
			_ = json.Unmarshal([]byte(raw), &e)
			if e.Error.Field != tt.field {
				t.Errorf("%v: field %q, want %q", tt.body, e.Error.Field, tt.field)
			}
		}
		// A stale version is a conflict, not an overwrite.
		if code, _, _ := p.patch(id, p.fac, map[string]any{"owner": "Housing team", "version": 99}); code != http.StatusConflict {
			t.Errorf("stale version: %d, want 409", code)
		}
	})
}

// TestActionRoles: who may do what to an item (403 for a role too low, 404
// for another council).
func TestActionRoles(t *testing.T) {
	p := newPlan(t)
	id := p.create(t, simpleAction()).ID
	done := p.moveTo(t, store.StatusDone)
	publishedAgreed := p.moveTo(t, store.StatusAgreed)
	if code, _, raw := p.patch(publishedAgreed, p.admin, map[string]any{"published": true}); code != 200 {
		t.Fatalf("publish: %d %s", code, raw)
	}
	verdict := map[string]any{"verdict": "not_yet", "comment": map[string]string{"en": "Ask us first."}}
	update := map[string]any{"text": map[string]string{"en": "Ordered 50 doorbells."}}
	tests := []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"facilitator creates", "POST", "/api/v1/councils/leeds/actions", p.fac, simpleAction(), 201},
		{"council admin creates", "POST", "/api/v1/councils/leeds/actions", p.admin, simpleAction(), 201},
		{"co-producer may not create", "POST", "/api/v1/councils/leeds/actions", p.forumMember, simpleAction(), 403},
		{"other council may not create", "POST", "/api/v1/councils/leeds/actions", p.yorkFac, simpleAction(), 404},
		{"no token", "POST", "/api/v1/councils/leeds/actions", "", simpleAction(), 401},
		{"facilitator edits", "PATCH", "/api/v1/actions/" + id, p.fac, map[string]any{"owner": "Housing team"}, 200},
		{"facilitator may not publish", "PATCH", "/api/v1/actions/" + id, p.fac, map[string]any{"published": true}, 403},
		{"facilitator may not publish with other fields", "PATCH", "/api/v1/actions/" + id, p.fac, map[string]any{"owner": "X", "published": false}, 403},
		{"council admin publishes", "PATCH", "/api/v1/actions/" + id, p.admin, map[string]any{"published": true}, 200},
		{"co-producer may not edit", "PATCH", "/api/v1/actions/" + id, p.forumMember, map[string]any{"owner": "Us"}, 403},
		{"other council may not edit", "PATCH", "/api/v1/actions/" + id, p.yorkFac, map[string]any{"owner": "York"}, 404},
		{"facilitator adds an update", "POST", "/api/v1/actions/" + id + "/updates", p.fac, update, 201},
		{"co-producer may not add updates", "POST", "/api/v1/actions/" + id + "/updates", p.forumMember, update, 403},
		{"other council may not add updates", "POST", "/api/v1/actions/" + id + "/updates", p.yorkFac, update, 404},
		{"co-producer gives a verdict before publication", "POST", "/api/v1/actions/" + done + "/verdicts", p.forumMember, verdict, 201},
		{"co-producer may not give one while a published item is under way", "POST", "/api/v1/actions/" + publishedAgreed + "/verdicts", p.forumMember, verdict, 409},
		{"facilitator may not give a verdict", "POST", "/api/v1/actions/" + done + "/verdicts", p.fac, verdict, 403},
		{"council admin may not give a verdict", "POST", "/api/v1/actions/" + done + "/verdicts", p.admin, verdict, 403},
		{"other council may not give a verdict", "POST", "/api/v1/actions/" + done + "/verdicts", p.yorkFac, verdict, 404},
		{"bad verdict", "POST", "/api/v1/actions/" + done + "/verdicts", p.forumMember, map[string]any{"verdict": "meh"}, 400},
		{"co-producer reads an unpublished item", "GET", "/api/v1/actions/" + done, p.forumMember, nil, 200},
		{"other council may not read", "GET", "/api/v1/actions/" + done, p.yorkFac, nil, 404},
		{"facilitator reads the audit log", "GET", "/api/v1/actions/" + id + "/audit", p.fac, nil, 200},
		{"co-producer may not read the audit log", "GET", "/api/v1/actions/" + id + "/audit", p.forumMember, nil, 403},
		{"unknown item", "PATCH", "/api/v1/actions/nope", p.fac, map[string]any{"owner": "X"}, 404},
		{"public list", "GET", "/api/v1/councils/leeds/actions", "", nil, 200},
		{"public list of no council", "GET", "/api/v1/councils/nowhere/actions", "", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.h.do(request{method: tt.method, path: tt.path, token: tt.token, body: tt.body})
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if rec.Code >= 400 {
				decodeErr(t, rec)
			}
		})
	}
	// Once done, a published item takes a verdict again.
	if code, _, raw := p.patch(done, p.admin, map[string]any{"published": true}); code != 200 {
		t.Fatalf("publish done: %d %s", code, raw)
	}
	rec := p.h.do(request{method: "POST", path: "/api/v1/actions/" + done + "/verdicts", token: p.forumMember,
		body: map[string]any{"verdict": "agreed", "comment": map[string]string{"en": "Yes, this is it."}}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("verdict on a published done item: %d %s", rec.Code, rec.Body)
	}
	// The newest verdict is the one shown.
	var a actionResp
	rec = p.h.do(request{method: "GET", path: "/api/v1/actions/" + done, token: p.forumMember})
	_ = json.Unmarshal(rec.Body.Bytes(), &a)
	if a.Verdict == nil || a.Verdict.Verdict != "agreed" || a.Verdict.Comment["en"] != "Yes, this is it." {
		t.Errorf("verdict shown: %+v", a.Verdict)
	}
}

func TestEvidence(t *testing.T) {
	p := newPlan(t)
	p.waves(t)
	approved := p.quote(t, p.baseline, "I sleep with a chair against the door.", store.TextApproved)
	pending := p.quote(t, p.baseline, "Not yet moderated.", store.TextPending)
	rejected := p.quote(t, p.baseline, "Rejected.", store.TextRejected)
	yorkQuote := p.quote(t, p.yorkWv, "York's words.", store.TextApproved)
	other := &forum{h: p.h, fac: p.fac}
	sess := other.session(t, threeOptions(1))
	for range 6 {
		if rec := other.vote(sess.JoinCode, "housing"); rec.Code != 201 {
			t.Fatal(rec.Body)
		}
	}
	yorkSess := (&forum{h: p.h, fac: p.yorkFac}).sessionIn(t, "york")

	bad := []struct {
		name     string
		evidence []map[string]any
		field    string
	}{
		{"another council's wave", []map[string]any{{"wave": p.yorkWv.ID, "indicator": "not_safe_home"}}, "evidence[0].wave"},
		{"unknown wave", []map[string]any{{"wave": "nope", "indicator": "not_safe_home"}}, "evidence[0].wave"},
		{"unknown indicator", []map[string]any{{"wave": p.baseline.ID, "indicator": "nope"}}, "evidence[0].indicator"},
		{"a wave without an indicator", []map[string]any{{"wave": p.baseline.ID}}, "evidence[0]"},
		{"two kinds at once", []map[string]any{{"wave": p.baseline.ID, "indicator": "not_safe_home", "session": sess.ID}}, "evidence[0]"},
		{"another council's session", []map[string]any{{"session": yorkSess}}, "evidence[0].session"},
		{"a pending quote", []map[string]any{{"quote": pending}}, "evidence[0].quote"},
		{"a rejected quote", []map[string]any{{"quote": rejected}}, "evidence[0].quote"},
		{"another council's quote", []map[string]any{{"quote": yorkQuote}}, "evidence[1].quote"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			body := simpleAction()
			ev := tt.evidence
			if tt.field == "evidence[1].quote" {
				ev = append([]map[string]any{{"session": sess.ID}}, ev...)
			}
			body["evidence"] = ev
			rec := p.h.do(request{method: "POST", path: "/api/v1/councils/leeds/actions", token: p.fac, body: body})
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", rec.Code, rec.Body)
			}
			if got := decodeErr(t, rec).Error.Field; got != tt.field {
				t.Errorf("field %q, want %q", got, tt.field)
			}
		})
	}

	body := simpleAction()
	body["evidence"] = []map[string]any{
		{"wave": p.baseline.ID, "indicator": "not_safe_home"},
		{"wave": p.small.ID, "indicator": "not_safe_home"},
		{"session": sess.ID},
		{"quote": approved},
	}
	a := p.create(t, body)
	if code, _, raw := p.patch(a.ID, p.admin, map[string]any{"published": true}); code != 200 {
		t.Fatal(raw)
	}
	var list struct {
		Actions []struct {
			Evidence []map[string]any `json:"evidence"`
		} `json:"actions"`
	}
	rec := p.h.do(request{method: "GET", path: "/api/v1/councils/leeds/actions"})
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Actions) != 1 {
		t.Fatalf("list: %v %s", err, rec.Body)
	}
	want := []map[string]any{
		{"kind": "indicator", "wave": p.baseline.ID, "indicator": "not_safe_home", "value": 0.4, "suppressed": false,
			"label": map[string]any{"en": "do not always feel safe where they live", "ar": "لا يشعرون دائمًا بالأمان", "ti": "ኩሉ ግዜ ውሑስ ዘይስምዖም"}},
		{"kind": "indicator", "wave": p.small.ID, "indicator": "not_safe_home", "value": nil, "suppressed": true,
			"label": map[string]any{"en": "do not always feel safe where they live", "ar": "لا يشعرون دائمًا بالأمان", "ti": "ኩሉ ግዜ ውሑስ ዘይስምዖም"}},
		{"kind": "session", "wave": nil, "indicator": nil, "value": 6.0, "suppressed": false, "label": map[string]any{"en": "What first?"}},
		{"kind": "quote", "wave": p.baseline.ID, "indicator": nil, "value": nil, "suppressed": false, "label": map[string]any{"en": "I sleep with a chair against the door."}},
	}
	if diff := cmp.Diff(want, list.Actions[0].Evidence); diff != "" {
		t.Errorf("evidence mismatch (-want +got):\n%s", diff)
	}
	// A quote withdrawn after publication is no longer shown.
	if err := p.h.store.DecideText(context.Background(), approved, store.TextRejected, "moderator"); err != nil {
		t.Fatal(err)
	}
	rec = p.h.do(request{method: "GET", path: "/api/v1/councils/leeds/actions"})
	if strings.Contains(rec.Body.String(), "chair against the door") {
		t.Error("a withdrawn quote is still shown")
	}
}

// sessionIn makes a session in council with f's token and returns its id.
func (f *forum) sessionIn(t *testing.T, council string) string {
	t.Helper()
	rec := f.h.do(request{method: "POST", path: "/api/v1/councils/" + council + "/sessions", token: f.fac, body: threeOptions(1)})
	if rec.Code != http.StatusCreated {
		t.Fatalf("session: %d %s", rec.Code, rec.Body)
	}
	var s createdSession
	_ = json.Unmarshal(rec.Body.Bytes(), &s)
	return s.ID
}

// TestPublicListShape: published items only, newest publication first,
// each with exactly the contract's fields.
func TestPublicListShape(t *testing.T) {
	p := newPlan(t)
	first := p.create(t, simpleAction())
	p.create(t, simpleAction()) // never published
	second := p.create(t, simpleAction())
	for _, id := range []string{first.ID, second.ID} {
		if code, _, raw := p.patch(id, p.admin, map[string]any{"published": true}); code != 200 {
			t.Fatal(raw)
		}
		p.h.now = p.h.now.Add(time.Minute)
	}
	rec := p.h.do(request{method: "POST", path: "/api/v1/actions/" + first.ID + "/updates", token: p.fac,
		body: map[string]any{"text": map[string]string{"en": "We ordered <b>50</b> doorbells."}}})
	if rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	rec = p.h.do(request{method: "GET", path: "/api/v1/councils/leeds/actions"})
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var list struct {
		Actions []map[string]json.RawMessage `json:"actions"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Actions) != 2 {
		t.Fatalf("%d actions, want the 2 published", len(list.Actions))
	}
	var ids []string
	for _, a := range list.Actions {
		var keys []string
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []string{"due", "evidence", "id", "owner", "published_at", "reason", "status", "timeline", "updated_at", "verdict", "we_will", "you_said"}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("fields mismatch (-want +got):\n%s", diff)
		}
		var id string
		_ = json.Unmarshal(a["id"], &id)
		ids = append(ids, id)
		for _, k := range []string{"published_at", "updated_at"} {
			var s string
			if err := json.Unmarshal(a[k], &s); err != nil {
				t.Errorf("%s: %v", k, err)
			} else if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("%s %q is not RFC 3339", k, s)
			}
		}
	}
	if diff := cmp.Diff([]string{second.ID, first.ID}, ids); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
	var timeline []struct {
		At   string            `json:"at"`
		Text map[string]string `json:"text"`
	}
	_ = json.Unmarshal(list.Actions[1]["timeline"], &timeline)
	if len(timeline) != 1 || timeline[0].Text["en"] != "We ordered <b>50</b> doorbells." {
		t.Errorf("timeline %+v", timeline)
	}
}

// payloads are script and event-handler attacks staff text could carry.
var payloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(2)>`,
	`<a href="javascript:alert(3)">click</a>`,
	`<a href="https://example.org/" onclick="alert(4)">link</a>`,
	`<svg onload=alert(5)>`,
	`<iframe src="javascript:alert(6)"></iframe>`,
	`"><script>alert(7)</script>`,
	`<p style="background:url(javascript:alert(8))">x</p>`,
	`<a href="JaVaScRiPt:alert(9)">x</a>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(10)>`,
}

// assertNoScript fails on any element or attribute in doc that could run
// script: a script, iframe, object or embed element, an on* attribute, a
// style attribute, or a URL attribute with a javascript: (or data:)
// scheme.
func assertNoScript(t *testing.T, where string, doc *html.Node) {
	t.Helper()
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				if src := htmltest.Attr(n, "src"); !strings.HasPrefix(src, "/static/") {
					t.Errorf("%s: a script element %q", where, src)
				}
			case "iframe", "object", "embed":
				t.Errorf("%s: a %s element", where, n.Data)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				val := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(key, "on") {
					t.Errorf("%s: <%s %s=%q>", where, n.Data, a.Key, a.Val)
				}
				if key == "style" {
					t.Errorf("%s: <%s style=%q>", where, n.Data, a.Val)
				}
				if (key == "href" || key == "src" || key == "action" || key == "formaction" || key == "xlink:href") &&
					(strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "vbscript:")) {
					t.Errorf("%s: <%s %s=%q>", where, n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func parseFragment(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// atomFeed is what a feed reader sees of our feed.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func (p *plan) feed(t *testing.T, query string) atomFeed {
	t.Helper()
	rec := p.h.surveyGet("/c/leeds/feed.atom"+query, nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var f atomFeed
	dec := xml.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.Strict = true
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("the feed is not Atom: %v\n%s", err, rec.Body)
	}
	return f
}

// TestScriptNeverReachesThePublic: script and event-handler payloads in
// every piece of staff and forum text never reach the public page, the
// feed or the API as markup.
func TestScriptNeverReachesThePublic(t *testing.T) {
	p := newPlan(t)
	for i, payload := range payloads {
		body := map[string]any{
			"you_said": map[string]string{"en": "You said " + payload, "ar": payload},
			"we_will":  map[string]string{"en": "We will " + payload},
			"owner":    "Housing " + payload[:min(len(payload), 100)],
		}
		a := p.create(t, body)
		rec := p.h.do(request{method: "POST", path: "/api/v1/actions/" + a.ID + "/updates", token: p.fac,
			body: map[string]any{"text": map[string]string{"en": fmt.Sprintf("<p>Update %d: <b>safe</b> <a href=\"https://example.org/x\">ok</a> %s</p>", i, payload), "ar": payload + " نص"}}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("update: %d %s", rec.Code, rec.Body)
		}
		rec = p.h.do(request{method: "POST", path: "/api/v1/actions/" + a.ID + "/verdicts", token: p.forumMember,
			body: map[string]any{"verdict": "not_yet", "comment": map[string]string{"en": "Comment " + payload}}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("verdict: %d %s", rec.Code, rec.Body)
		}
		if code, _, raw := p.patch(a.ID, p.fac, map[string]any{"status": "not_possible", "reason": map[string]string{"en": "Reason " + payload}}); code != 200 {
			t.Fatalf("reason: %d %s", code, raw)
		}
		if code, _, raw := p.patch(a.ID, p.admin, map[string]any{"published": true}); code != 200 {
			t.Fatalf("publish: %d %s", code, raw)
		}
	}

	// The page, in English and in Arabic.
	for _, lang := range []string{"en", "ar"} {
		rec := p.h.surveyGet("/c/leeds?lang="+lang, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("page: %d", rec.Code)
		}
		doc := parsePage(t, rec)
		assertNoScript(t, "public page ("+lang+")", doc)
		// The formatting staff may use survives, made safe.
		links := htmltest.All(doc, ".rich a")
		if lang == "en" && len(links) < len(payloads) {
			t.Errorf("%s: %d links in updates, want at least %d", lang, len(links), len(payloads))
		}
		for _, a := range links {
			href := htmltest.Attr(a, "href")
			if !strings.HasPrefix(href, "https://") || !strings.Contains(htmltest.Attr(a, "rel"), "nofollow") || !strings.Contains(htmltest.Attr(a, "rel"), "noopener") {
				t.Errorf("%s: link %q rel %q", lang, href, htmltest.Attr(a, "rel"))
			}
		}
		if lang == "en" && len(htmltest.All(doc, ".rich b")) < len(payloads) {
			t.Errorf("bold was lost from updates")
		}
	}

	// The feed: its entries' html content, parsed as a reader would.
	f := p.feed(t, "")
	if len(f.Entries) != 2*len(payloads) {
		t.Errorf("%d entries, want %d", len(f.Entries), 2*len(payloads))
	}
	for _, e := range f.Entries {
		switch e.Content.Type {
		case "html":
			assertNoScript(t, "feed entry "+e.ID, parseFragment(t, e.Content.Body))
		case "text":
			// Shown as text by any reader; nothing to run.
		default:
			t.Errorf("entry %s: content type %q", e.ID, e.Content.Type)
		}
		if strings.Contains(e.Title, "<") && e.Title == "" {
			t.Errorf("entry %s: empty title", e.ID)
		}
	}

	// The API: timeline text is sanitised HTML; parsed, it holds no script.
	var list struct {
		Actions []struct {
			Timeline []struct {
				Text map[string]string `json:"text"`
			} `json:"timeline"`
		} `json:"actions"`
	}
	rec := p.h.do(request{method: "GET", path: "/api/v1/councils/leeds/actions"})
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Actions {
		for _, u := range a.Timeline {
			for lang, text := range u.Text {
				assertNoScript(t, "API timeline "+lang, parseFragment(t, text))
				if strings.Contains(strings.ToLower(text), "javascript:") && strings.Contains(text, "href") {
					t.Errorf("API timeline keeps a javascript: link: %s", text)
				}
			}
		}
	}
}

func TestFeedIsAtom(t *testing.T) {
	p := newPlan(t)
	a := p.create(t, simpleAction())
	b := p.create(t, simpleAction())
	p.create(t, simpleAction()) // not published: not in the feed
	for _, id := range []string{a.ID, b.ID} {
		if code, _, raw := p.patch(id, p.admin, map[string]any{"published": true}); code != 200 {
			t.Fatal(raw)
		}
	}
	for i := range 2 {
		p.h.now = p.h.now.Add(time.Minute)
		rec := p.h.do(request{method: "POST", path: "/api/v1/actions/" + a.ID + "/updates", token: p.fac,
			body: map[string]any{"text": map[string]string{"en": fmt.Sprintf("Update %d & more", i)}}})
		if rec.Code != http.StatusCreated {
			t.Fatal(rec.Body)
		}
	}
	f := p.feed(t, "?lang=en")
	if f.Lang != "en" || !strings.HasPrefix(f.ID, "tag:") || f.Author.Name == "" || f.Title == "" {
		t.Errorf("feed head: %+v", f)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("updated %q: %v", f.Updated, err)
	}
	var self bool
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && strings.HasSuffix(strings.Split(l.Href, "?")[0], "/c/leeds/feed.atom"))
	}
	if !self {
		t.Errorf("no self link: %+v", f.Links)
	}
	if len(f.Entries) != 4 {
		t.Fatalf("%d entries, want 2 items and 2 updates", len(f.Entries))
	}
	ids := map[string]bool{}
	var prev string
	for i, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:") || ids[e.ID] {
			t.Errorf("entry id %q", e.ID)
		}
		ids[e.ID] = true
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q", e.Updated)
		}
		if i > 0 && e.Updated > prev {
			t.Errorf("entries not newest first: %s after %s", e.Updated, prev)
		}
		prev = e.Updated
		if !strings.Contains(e.Link.Href, "/c/leeds") {
			t.Errorf("entry link %q", e.Link.Href)
		}
	}
	var updates []string
	for _, e := range f.Entries {
		if e.Content.Type == "html" {
			updates = append(updates, e.Content.Body)
		}
	}
	// Sanitised HTML, escaped once more by the XML: a reader gets "&amp;".
	if diff := cmp.Diff([]string{"Update 1 &amp; more", "Update 0 &amp; more"}, updates); diff != "" {
		t.Errorf("update entries mismatch (-want +got):\n%s", diff)
	}
	// Ids are stable: the same feed read again has the same ids.
	again := p.feed(t, "?lang=en")
	for i := range again.Entries {
		if again.Entries[i].ID != f.Entries[i].ID {
			t.Errorf("entry id changed: %s → %s", f.Entries[i].ID, again.Entries[i].ID)
		}
	}
	if rec := p.h.surveyGet("/c/nowhere/feed.atom", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown council's feed: %d", rec.Code)
	}
}

// TestConcurrentChanges: many facilitators change one item at once. Every
// update lands on the timeline and in the audit log with its own seq, and
// of many identical status moves exactly one succeeds: nothing is lost or
// applied twice.
func TestConcurrentChanges(t *testing.T) {
	p := newPlan(t)
	id := p.create(t, simpleAction()).ID
	const writers = 12
	var wg sync.WaitGroup
	codes := make(chan int, writers*3)
	for i := range writers {
		wg.Add(3)
		go func() {
			defer wg.Done()
			rec := p.h.do(request{method: "POST", path: "/api/v1/actions/" + id + "/updates", token: p.fac,
				body: map[string]any{"text": map[string]string{"en": fmt.Sprintf("update %d", i)}}})
			codes <- rec.Code
		}()
		go func() {
			defer wg.Done()
			code, _, _ := p.patch(id, p.fac, map[string]any{"owner": fmt.Sprintf("Team %d", i)})
			codes <- code
		}()
		go func() {
			defer wg.Done()
			code, _, _ := p.patch(id, p.fac, map[string]any{"status": "agreed"})
			codes <- code + 1000 // told apart from the others
		}()
	}
	wg.Wait()
	close(codes)
	var agreedOK, agreedConflict int
	for c := range codes {
		switch c {
		case 1200:
			agreedOK++
		case 1409:
			agreedConflict++
		case 200, 201:
		default:
			t.Errorf("status %d", c)
		}
	}
	if agreedOK != 1 || agreedConflict != writers-1 {
		t.Errorf("status moves: %d succeeded and %d refused, want 1 and %d", agreedOK, agreedConflict, writers-1)
	}
	rec := p.h.do(request{method: "GET", path: "/api/v1/actions/" + id + "/audit", token: p.fac})
	var audit struct {
		Events []struct {
			Seq     int    `json:"seq"`
			Kind    string `json:"kind"`
			Email   string `json:"email"`
			Changes []struct {
				Field, Before, After string
			} `json:"changes"`
		} `json:"events"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &audit); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for i, e := range audit.Events {
		if e.Seq != i+1 {
			t.Errorf("event %d has seq %d", i, e.Seq)
		}
		if e.Email != p.facEmail {
			t.Errorf("event by %q", e.Email)
		}
		kinds[e.Kind]++
	}
	// Owner changes that set the owner it already had record nothing.
	if kinds["create"] != 1 || kinds["update"] != writers || kinds["patch"] < 2 {
		t.Errorf("audit kinds %v", kinds)
	}
	var a actionResp
	rec = p.h.do(request{method: "GET", path: "/api/v1/actions/" + id, token: p.fac})
	_ = json.Unmarshal(rec.Body.Bytes(), &a)
	if len(a.Timeline) != writers || a.Status != "agreed" || a.Version != len(audit.Events) {
		t.Errorf("item: %d updates, status %s, version %d (audit has %d)", len(a.Timeline), a.Status, a.Version, len(audit.Events))
	}
	var texts []string
	for _, u := range a.Timeline {
		texts = append(texts, u.Text["en"])
	}
	slices.Sort(texts)
	if len(slices.Compact(texts)) != writers {
		t.Errorf("timeline %v", texts)
	}
	// The owner is the last one the audit log says it was set to.
	var last string
	for _, e := range audit.Events {
		for _, ch := range e.Changes {
			if ch.Field == "owner" {
				last = ch.After
			}
		}
	}
	if a.Owner != last {
		t.Errorf("owner %q, but the audit log's last owner is %q", a.Owner, last)
	}
}

func TestPublicPage(t *testing.T) {
	p := newPlan(t)
	p.waves(t)
	if _, err := p.h.store.CloseWave(context.Background(), p.baseline.ID); err != nil {
		t.Fatal(err)
	}
	cookie := p.h.signIn(p.adminEmail)
	other := &forum{h: p.h, fac: p.fac}
	sess := other.session(t, threeOptions(1))
	for range 7 {
		other.vote(sess.JoinCode, "housing")
	}
	body := simpleAction()
	body["you_said"] = map[string]string{"en": "We don't feel safe at home.", "ar": "لا نشعر بالأمان في البيت."}
	body["evidence"] = []map[string]any{{"wave": p.baseline.ID, "indicator": "not_safe_home"}, {"session": sess.ID}}
	doing := p.create(t, body)
	p.patch(doing.ID, p.fac, map[string]any{"status": "agreed"})
	p.patch(doing.ID, p.fac, map[string]any{"status": "in_progress"})
	p.h.do(request{method: "POST", path: "/api/v1/actions/" + doing.ID + "/updates", token: p.fac,
		body: map[string]any{"text": map[string]string{"en": "<p>120 doorbells fitted.</p>"}}})
	p.h.do(request{method: "POST", path: "/api/v1/actions/" + doing.ID + "/verdicts", token: p.forumMember,
		body: map[string]any{"verdict": "agreed", "comment": map[string]string{"en": "This is what we asked for."}}})
	cannot := p.moveTo(t, store.StatusNotPossible)
	hidden := p.create(t, simpleAction()).ID
	for _, id := range []string{doing.ID, cannot} {
		rec := p.h.form("/staff/actions/"+id+"/publish", url.Values{"published": {"true"}}, cookie, nil)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("publish form: %d %s", rec.Code, rec.Body)
		}
	}

	rec := p.h.surveyGet("/c/leeds", map[string]string{"Accept-Language": "en-GB,en;q=0.9"})
	if rec.Code != http.StatusOK {
		t.Fatalf("page: %d", rec.Code)
	}
	doc := parsePage(t, rec)
	if len(htmltest.All(doc, "script")) != 0 {
		t.Error("the public page has a script")
	}
	groups := htmltest.All(doc, "section.action-group")
	if len(groups) != 2 || htmltest.Attr(groups[0], "aria-labelledby") != "group-in_progress" || htmltest.Attr(groups[1], "aria-labelledby") != "group-not_possible" {
		t.Fatalf("groups: %d", len(groups))
	}
	if len(htmltest.All(doc, "#action-"+hidden)) != 0 {
		t.Error("an unpublished item is on the public page")
	}
	item := htmltest.One(t, doc, "#action-"+doing.ID)
	text := htmltest.Text(item)
	for _, want := range []string{
		"Baseline", "40%", "Follow-up", "25%", // before and after
		"7 young people voted", "120 doorbells fitted.", "This is what we asked for.", "2027-03-31", "Agreed", "In progress",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("item lacks %q: %s", want, text)
		}
	}
	if got := htmltest.Text(htmltest.One(t, doc, "#action-"+cannot)); !strings.Contains(got, "The landlord will not allow it.") {
		t.Errorf("not-possible item lacks its reason: %s", got)
	}
	asked := htmltest.Text(htmltest.One(t, doc, "section[aria-labelledby=asked]"))
	if !strings.Contains(asked, "20 young people answered the survey “Baseline” between 2026-02-03 and 2027-02-03.") ||
		!strings.Contains(asked, "7 young people voted at the forum session “What first?” on 2027-02-03.") {
		t.Errorf("who was asked: %s", asked)
	}
	htmltest.One(t, doc, "section[aria-labelledby=involved]")
	htmltest.One(t, doc, "link[rel=alternate][type=application/atom+xml]")

	// In Arabic: right to left, the Arabic text where written, English
	// marked where not.
	doc = parsePage(t, p.h.surveyGet("/c/leeds?lang=ar", nil))
	root := htmltest.One(t, doc, "html")
	if htmltest.Attr(root, "lang") != "ar" || htmltest.Attr(root, "dir") != "rtl" {
		t.Errorf("html lang %q dir %q", htmltest.Attr(root, "lang"), htmltest.Attr(root, "dir"))
	}
	item = htmltest.One(t, doc, "#action-"+doing.ID)
	if h3 := htmltest.One(t, item, "h3"); htmltest.Attr(h3, "lang") != "en" {
		t.Errorf("English we_will on an Arabic page not marked lang=en")
	}
	if got := htmltest.Text(item); !strings.Contains(got, "لا نشعر بالأمان في البيت.") {
		t.Errorf("the Arabic you_said is not shown: %s", got)
	}
	if rec := p.h.surveyGet("/c/nowhere", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown council page: %d", rec.Code)
	}
}

// TestActionForms: the staff pages work without JavaScript: 303 after a
// change, 422 with an error summary and the values kept.
func TestActionForms(t *testing.T) {
	p := newPlan(t)
	fac := p.h.signIn(p.facEmail)
	admin := p.h.signIn(p.adminEmail)
	forumCookie := p.h.signIn(p.forumEmail)

	rec := p.h.form("/staff/councils/leeds/actions", url.Values{"you_said": {"We want more say."}, "we_will": {""}, "owner": {"Participation team"}}, fac, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("missing we_will: %d", rec.Code)
	}
	doc := parsePage(t, rec)
	htmltest.One(t, doc, `.error-summary a[href="#action-we-will"]`)
	if got := htmltest.Text(htmltest.One(t, doc, "#action-you-said")); got != "We want more say." {
		t.Errorf("you_said kept as %q", got)
	}
	rec = p.h.form("/staff/councils/leeds/actions", url.Values{"you_said": {"We want more say."}, "we_will": {"Put two care leavers on the corporate parenting board."}, "owner": {"Participation team"}, "due": {"2027-06-30"}}, fac, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	item := rec.Header().Get("Location")
	id := strings.TrimPrefix(item, "/staff/actions/")

	// Not possible without a reason: 422.
	rec = p.h.form(item+"/status", url.Values{"status": {"not_possible"}}, fac, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("no reason: %d", rec.Code)
	}
	htmltest.One(t, parsePage(t, rec), `.error-summary a[href="#reason-en"]`)
	// Agreed: 303.
	if rec = p.h.form(item+"/status", url.Values{"status": {"agreed"}}, fac, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("agree: %d", rec.Code)
	}
	// A move the rules forbid: 422 saying so.
	rec = p.h.form(item+"/status", url.Values{"status": {"done"}}, fac, nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(htmltest.Text(htmltest.One(t, parsePage(t, rec), ".error-summary")), "agreed") {
		t.Errorf("agreed to done: %d", rec.Code)
	}
	// An update with formatting.
	if rec = p.h.form(item+"/updates", url.Values{"text:en": {"Met the board <script>x</script><b>today</b>."}}, fac, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	// A facilitator cannot publish; an admin can.
	if rec = p.h.form(item+"/publish", url.Values{"published": {"true"}}, fac, nil); rec.Code != http.StatusForbidden {
		t.Errorf("facilitator publishes: %d, want 403", rec.Code)
	}
	if rec = p.h.form(item+"/publish", url.Values{"published": {"true"}}, admin, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("admin publishes: %d", rec.Code)
	}
	// Edit with a stale version: 422 saying someone else changed it.
	rec = p.h.form(item, url.Values{"you_said:en": {"We want more say."}, "we_will:en": {"Two seats."}, "owner": {"X"}, "due": {""}, "version": {"1"}}, fac, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("stale edit: %d", rec.Code)
	}
	// The co-producer sees the item but cannot give a verdict on a
	// published item under way.
	rec = p.h.page(item, forumCookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("co-producer's view: %d", rec.Code)
	}
	if len(htmltest.All(parsePage(t, rec), "form")) != 1 { // sign out only
		t.Errorf("co-producer is offered forms on a published item under way")
	}
	if rec = p.h.form(item+"/verdicts", url.Values{"verdict": {"agreed"}}, forumCookie, nil); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("verdict while under way: %d, want 422", rec.Code)
	}

	// The item page shows the sanitised update and the audit log.
	doc = parsePage(t, p.h.page(item, fac))
	assertNoScript(t, "item page", doc)
	if len(htmltest.All(doc, ".rich b")) != 1 {
		t.Error("the update's bold is gone")
	}
	rows := htmltest.All(doc, "table.audit tbody tr")
	if len(rows) != 4 { // create, agreed, update, publish
		t.Errorf("%d audit rows, want 4", len(rows))
	}
	doc = parsePage(t, p.h.page("/staff/councils/leeds/audit", fac))
	if got := htmltest.Text(htmltest.One(t, doc, "table.audit")); !strings.Contains(got, p.adminEmail) || !strings.Contains(got, "published") || !strings.Contains(got, id) {
		t.Errorf("audit page: %s", got)
	}
	doc = parsePage(t, p.h.page("/staff/councils/leeds/actions", forumCookie))
	if len(htmltest.All(doc, "a[href=\"/staff/actions/"+id+"\"]")) != 1 {
		t.Errorf("co-producer's board lacks the item")
	}
	if rec := p.h.page("/staff/councils/leeds/audit", forumCookie); rec.Code != http.StatusForbidden {
		t.Errorf("co-producer's audit page: %d, want 403", rec.Code)
	}
}
