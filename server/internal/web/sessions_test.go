package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
)

// forum is a council with a facilitator, for the session tests.
type forum struct {
	h   *harness
	fac string // API token
}

func newForum(t *testing.T) *forum {
	t.Helper()
	h := newHarness(t)
	h.council("leeds")
	return &forum{h: h, fac: h.user("fac@leeds.example", store.RoleFacilitator, "leeds")}
}

type createdSession struct {
	ID       string `json:"id"`
	JoinCode string `json:"join_code"`
	URL      string `json:"url"`
}

func threeOptions(maxChoices int) map[string]any {
	return map[string]any{"title": "What first?", "max_choices": maxChoices, "options": []map[string]any{
		{"value": "housing", "label": map[string]string{"en": "Somewhere good to live", "ar": "مكان جيد للعيش"}},
		{"value": "money", "label": map[string]string{"en": "Money"}},
		{"value": "feeling_safe", "label": map[string]string{"en": "Feeling safe"}},
	}}
}

func (f *forum) session(t *testing.T, body map[string]any) createdSession {
	t.Helper()
	rec := f.h.do(request{method: "POST", path: "/api/v1/councils/leeds/sessions", token: f.fac, body: body})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create session: %d %s", rec.Code, rec.Body)
	}
	var s createdSession
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *forum) vote(code string, choices ...string) *httptest.ResponseRecorder {
	return f.h.do(request{method: "POST", path: "/api/v1/sessions/" + code + "/votes", body: map[string]any{"choices": choices}})
}

type tallyBody struct {
	Votes   int64 `json:"votes"`
	MinCell int   `json:"min_cell"`
	Closed  bool  `json:"closed"`
	Options []struct {
		Value      string `json:"value"`
		Count      *int64 `json:"count"`
		Suppressed bool   `json:"suppressed"`
	} `json:"options"`
}

func (f *forum) tally(t *testing.T, id string) tallyBody {
	t.Helper()
	if err := f.h.tally.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := f.h.do(request{method: "GET", path: "/api/v1/sessions/" + id + "/tally", token: f.fac})
	if rec.Code != http.StatusOK {
		t.Fatalf("tally: %d %s", rec.Code, rec.Body)
	}
	var tb tallyBody
	if err := json.Unmarshal(rec.Body.Bytes(), &tb); err != nil {
		t.Fatal(err)
	}
	return tb
}

// counts shows a tally's options as value=count, "c" when suppressed.
func (tb tallyBody) counts() map[string]string {
	out := map[string]string{}
	for _, o := range tb.Options {
		switch {
		case o.Suppressed && o.Count == nil:
			out[o.Value] = "c"
		case !o.Suppressed && o.Count != nil:
			out[o.Value] = fmt.Sprint(*o.Count)
		default:
			out[o.Value] = "inconsistent"
		}
	}
	return out
}

func TestCreateSession(t *testing.T) {
	f := newForum(t)
	s := f.session(t, threeOptions(2))
	if len(s.JoinCode) != 6 || strings.ContainsAny(s.JoinCode, "01OI") || s.URL != "/j/"+s.JoinCode || s.ID == "" {
		t.Fatalf("session = %+v", s)
	}
	seen := map[string]bool{s.JoinCode: true}
	for range 20 {
		c := f.session(t, threeOptions(1)).JoinCode
		if seen[c] {
			t.Fatalf("join code %s twice", c)
		}
		seen[c] = true
	}

	other := &store.Wave{Council: "york", Survey: "test-survey", Version: 1, Name: "York", Access: store.AccessOpen}
	if err := f.h.store.CreateWave(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	opts := func(values ...string) []map[string]any {
		var out []map[string]any
		for _, v := range values {
			out = append(out, map[string]any{"value": v, "label": map[string]string{"en": "Label " + v}})
		}
		return out
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("o%d", i)
	}
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no title", map[string]any{"title": " ", "options": opts("a"), "max_choices": 1}, "title"},
		{"no options", map[string]any{"title": "T", "options": opts(), "max_choices": 1}, "options"},
		{"21 options", map[string]any{"title": "T", "options": opts(many...), "max_choices": 1}, "options"},
		{"bad value", map[string]any{"title": "T", "options": opts("Housing"), "max_choices": 1}, "options[0].value"},
		{"value with a dot", map[string]any{"title": "T", "options": opts("a.b"), "max_choices": 1}, "options[0].value"},
		{"value too long", map[string]any{"title": "T", "options": opts(strings.Repeat("a", 65)), "max_choices": 1}, "options[0].value"},
		{"duplicate value", map[string]any{"title": "T", "options": opts("a", "a"), "max_choices": 1}, "options[1].value"},
		{"label without en", map[string]any{"title": "T", "options": []map[string]any{{"value": "a", "label": map[string]string{"ar": "x"}}}, "max_choices": 1}, "options[0].label"},
		{"label in an unknown language", map[string]any{"title": "T", "options": []map[string]any{{"value": "a", "label": map[string]string{"en": "x", "zz": "y"}}}, "max_choices": 1}, "options[0].label"},
		{"max_choices 0", map[string]any{"title": "T", "options": opts("a", "b"), "max_choices": 0}, "max_choices"},
		{"max_choices over the options", map[string]any{"title": "T", "options": opts("a", "b"), "max_choices": 3}, "max_choices"},
		{"another council's wave", map[string]any{"title": "T", "wave": other.ID, "options": opts("a"), "max_choices": 1}, "wave"},
		{"unknown wave", map[string]any{"title": "T", "wave": "nope", "options": opts("a"), "max_choices": 1}, "wave"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := f.h.store.CouncilSessions(context.Background(), "leeds", 1000)
			rec := f.h.do(request{method: "POST", path: "/api/v1/councils/leeds/sessions", token: f.fac, body: tt.body})
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400: %s", rec.Code, rec.Body)
			}
			if got := decodeErr(t, rec).Error.Field; got != tt.field {
				t.Errorf("field = %q, want %q", got, tt.field)
			}
			after, _ := f.h.store.CouncilSessions(context.Background(), "leeds", 1000)
			if len(after) != len(before) {
				t.Errorf("a session was stored on a 400")
			}
		})
	}
	rec := f.h.do(request{method: "POST", path: "/api/v1/councils/leeds/sessions", token: f.fac, body: map[string]any{"title": "T", "options": opts("a"), "colour": "red"}})
	if rec.Code != http.StatusBadRequest {
		t.Errorf("unknown field: %d, want 400", rec.Code)
	}
}

func TestVoteRules(t *testing.T) {
	f := newForum(t)
	s := f.session(t, threeOptions(2))
	tests := []struct {
		name   string
		code   string
		body   any
		status int
		field  string
	}{
		{"unknown join code", "ZZZZZZ", map[string]any{"choices": []string{"housing"}}, 404, ""},
		{"lower case code is the same code", strings.ToLower(s.JoinCode), map[string]any{"choices": []string{"money"}}, 201, ""},
		{"unknown option", s.JoinCode, map[string]any{"choices": []string{"pizza"}}, 400, "choices"},
		{"over max_choices", s.JoinCode, map[string]any{"choices": []string{"housing", "money", "feeling_safe"}}, 400, "choices"},
		{"empty", s.JoinCode, map[string]any{"choices": []string{}}, 400, "choices"},
		{"missing", s.JoinCode, map[string]any{}, 400, "choices"},
		{"duplicates", s.JoinCode, map[string]any{"choices": []string{"money", "money"}}, 400, "choices"},
		{"not a list", s.JoinCode, map[string]any{"choices": "money"}, 400, "choices"},
		{"unknown field", s.JoinCode, map[string]any{"choices": []string{"money"}, "name": "Sam"}, 400, ""},
		{"valid", s.JoinCode, map[string]any{"choices": []string{"money", "housing"}}, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.h.do(request{method: "POST", path: "/api/v1/sessions/" + tt.code + "/votes", body: tt.body})
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status >= 400 {
				if got := decodeErr(t, rec).Error.Field; got != tt.field {
					t.Errorf("field = %q, want %q", got, tt.field)
				}
			}
		})
	}
	if tb := f.tally(t, s.ID); tb.Votes != 2 {
		t.Errorf("votes = %d, want the 2 valid ones", tb.Votes)
	}

	// A retry with the same Idempotency-Key is counted once; the same key
	// with other choices is a conflict.
	key := uuid.NewString()
	for range 3 {
		rec := f.h.do(request{method: "POST", path: "/api/v1/sessions/" + s.JoinCode + "/votes", body: map[string]any{"choices": []string{"feeling_safe"}},
			header: map[string]string{"Idempotency-Key": key}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("replay: %d %s", rec.Code, rec.Body)
		}
	}
	rec := f.h.do(request{method: "POST", path: "/api/v1/sessions/" + s.JoinCode + "/votes", body: map[string]any{"choices": []string{"money"}},
		header: map[string]string{"Idempotency-Key": key}})
	if rec.Code != http.StatusConflict {
		t.Errorf("same key, other choices: %d, want 409", rec.Code)
	}
	if tb := f.tally(t, s.ID); tb.Votes != 3 {
		t.Errorf("votes = %d after three sendings of one vote, want 3", tb.Votes)
	}

	// Closing freezes the tally; a vote after it is 410, by API and form.
	rec = f.h.do(request{method: "POST", path: "/api/v1/sessions/" + s.ID + "/close", token: f.fac})
	if rec.Code != http.StatusOK {
		t.Fatalf("close: %d %s", rec.Code, rec.Body)
	}
	if rec := f.vote(s.JoinCode, "money"); rec.Code != http.StatusGone {
		t.Errorf("vote after closing: %d, want 410", rec.Code)
	}
	if rec := f.h.surveyPost("/j/"+s.JoinCode, url.Values{"choice": {"money"}}); rec.Code != http.StatusGone {
		t.Errorf("form vote after closing: %d, want 410", rec.Code)
	}
	if rec := f.h.surveyGet("/j/"+s.JoinCode, nil); rec.Code != http.StatusGone {
		t.Errorf("vote page after closing: %d, want 410", rec.Code)
	}
	tb := f.tally(t, s.ID)
	if tb.Votes != 3 || !tb.Closed {
		t.Errorf("after closing: %+v, want 3 votes, closed", tb)
	}
	if n, err := countVotes(f.h, s.ID); err != nil || n != 3 {
		t.Errorf("%d votes stored, want 3: %v", n, err)
	}
	// Closing again changes nothing.
	if rec := f.h.do(request{method: "POST", path: "/api/v1/sessions/" + s.ID + "/close", token: f.fac}); rec.Code != http.StatusOK {
		t.Errorf("second close: %d", rec.Code)
	}
}

func countVotes(h *harness, session string) (int, error) {
	n := 0
	err := h.store.EachVote(context.Background(), session, func(*store.Vote) error { n++; return nil })
	return n, err
}

func TestTallyDisclosure(t *testing.T) {
	f := newForum(t)
	s := f.session(t, threeOptions(1))
	vote := func(choice string, n int) {
		for range n {
			if rec := f.vote(s.JoinCode, choice); rec.Code != http.StatusCreated {
				t.Fatalf("vote: %d %s", rec.Code, rec.Body)
			}
		}
	}
	// Below min_cell (5) people: every count suppressed, the total shown.
	vote("housing", 4)
	tb := f.tally(t, s.ID)
	want := map[string]string{"housing": "c", "money": "c", "feeling_safe": "c"}
	if diff := cmp.Diff(want, tb.counts()); diff != "" || tb.Votes != 4 || tb.MinCell != 5 {
		t.Errorf("4 votes: votes %d min_cell %d, mismatch (-want +got):\n%s", tb.Votes, tb.MinCell, diff)
	}
	// Enough people, every count exact.
	vote("housing", 2)
	vote("money", 5)
	tb = f.tally(t, s.ID)
	want = map[string]string{"housing": "6", "money": "5", "feeling_safe": "0"}
	if diff := cmp.Diff(want, tb.counts()); diff != "" || tb.Votes != 11 {
		t.Errorf("11 votes: votes %d, mismatch (-want +got):\n%s", tb.Votes, diff)
	}
	// A small count is suppressed, and so is enough else that it cannot be
	// worked out from the total.
	vote("feeling_safe", 2)
	tb = f.tally(t, s.ID)
	got := tb.counts()
	if got["feeling_safe"] != "c" {
		t.Errorf("a count of 2 is shown: %v", got)
	}
	hidden := 0
	for _, v := range got {
		if v == "c" {
			hidden++
		}
	}
	if hidden < 2 {
		t.Errorf("only one count hidden, so it is the total less the others: %v", got)
	}
}

// TestConcurrentVotes: 100 young people vote at the same moment, some
// sending twice with the same key; every vote is stored and counted once.
func TestConcurrentVotes(t *testing.T) {
	f := newForum(t)
	s := f.session(t, threeOptions(2))
	const voters = 100
	var wg sync.WaitGroup
	errs := make(chan string, voters*2)
	for i := range voters {
		key := uuid.NewString()
		choice := []string{"housing", "money", "feeling_safe"}[i%3]
		sends := 1
		if i%10 == 0 {
			sends = 2 // a double tap, at the same moment
		}
		for range sends {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := f.h.do(request{method: "POST", path: "/api/v1/sessions/" + s.JoinCode + "/votes",
					body: map[string]any{"choices": []string{choice}}, header: map[string]string{"Idempotency-Key": key}})
				if rec.Code != http.StatusCreated {
					errs <- fmt.Sprintf("%d %s", rec.Code, rec.Body)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("vote failed: %s", e)
	}
	tb := f.tally(t, s.ID)
	want := map[string]string{"housing": "34", "money": "33", "feeling_safe": "33"}
	if diff := cmp.Diff(want, tb.counts()); diff != "" || tb.Votes != voters {
		t.Errorf("votes %d, want %d; mismatch (-want +got):\n%s", tb.Votes, voters, diff)
	}
	if n, err := countVotes(f.h, s.ID); err != nil || n != voters {
		t.Errorf("%d votes stored, want %d: %v", n, voters, err)
	}
	// A recount from the stored votes agrees with the running tally.
	rep, err := f.h.tally.RecountSession(context.Background(), s.ID)
	if err != nil || rep.Corrected || rep.After != voters {
		t.Errorf("recount: %+v %v", rep, err)
	}
}

func TestSessionRoles(t *testing.T) {
	f := newForum(t)
	h := f.h
	h.council("york")
	admin := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	forumMember := h.user("forum@leeds.example", store.RoleCoProducer, "leeds")
	york := h.user("fac@york.example", store.RoleFacilitator, "york")
	s := f.session(t, threeOptions(1))
	tests := []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"facilitator creates", "POST", "/api/v1/councils/leeds/sessions", f.fac, threeOptions(1), 201},
		{"council admin creates", "POST", "/api/v1/councils/leeds/sessions", admin, threeOptions(1), 201},
		{"co-producer may not create", "POST", "/api/v1/councils/leeds/sessions", forumMember, threeOptions(1), 403},
		{"other council may not create", "POST", "/api/v1/councils/leeds/sessions", york, threeOptions(1), 404},
		{"facilitator reads the tally", "GET", "/api/v1/sessions/" + s.ID + "/tally", f.fac, nil, 200},
		{"co-producer may not read the tally", "GET", "/api/v1/sessions/" + s.ID + "/tally", forumMember, nil, 403},
		{"other council's tally is not found", "GET", "/api/v1/sessions/" + s.ID + "/tally", york, nil, 404},
		{"no token", "GET", "/api/v1/sessions/" + s.ID + "/tally", "", nil, 401},
		{"co-producer may not close", "POST", "/api/v1/sessions/" + s.ID + "/close", forumMember, nil, 403},
		{"other council may not close", "POST", "/api/v1/sessions/" + s.ID + "/close", york, nil, 404},
		{"facilitator lists", "GET", "/api/v1/councils/leeds/sessions", f.fac, nil, 200},
		{"unknown session", "GET", "/api/v1/sessions/nope/tally", f.fac, nil, 404},
		{"anonymous vote", "POST", "/api/v1/sessions/" + s.JoinCode + "/votes", "", map[string]any{"choices": []string{"money"}}, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.do(request{method: tt.method, path: tt.path, token: tt.token, body: tt.body})
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if rec.Code >= 400 {
				decodeErr(t, rec)
			}
		})
	}
	if tb := f.tally(t, s.ID); tb.Closed {
		t.Error("the session was closed by someone who may not")
	}
}

func TestVotePageWithoutJavaScript(t *testing.T) {
	f := newForum(t)
	s := f.session(t, threeOptions(2))
	one := f.session(t, threeOptions(1))

	rec := f.h.surveyGet("/j/"+s.JoinCode+"?lang=ar", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("vote page: %d", rec.Code)
	}
	assertPrivateHeaders(t, rec)
	doc := parsePage(t, rec)
	root := htmltest.One(t, doc, "html")
	if htmltest.Attr(root, "lang") != "ar" || htmltest.Attr(root, "dir") != "rtl" {
		t.Errorf("html lang=%q dir=%q, want ar rtl", htmltest.Attr(root, "lang"), htmltest.Attr(root, "dir"))
	}
	boxes := htmltest.All(doc, "form input[type=checkbox][name=choice]")
	if len(boxes) != 3 {
		t.Fatalf("%d checkboxes, want 3", len(boxes))
	}
	if got := htmltest.Text(htmltest.One(t, doc, "label[for=choice-1]")); !strings.Contains(got, "مكان جيد للعيش") {
		t.Errorf("first option %q, want its Arabic label", got)
	}
	if got := htmltest.All(doc, "label[for=choice-2] span[lang=en]"); len(got) != 1 {
		t.Errorf("an option without Arabic is not marked lang=en")
	}
	if len(htmltest.All(doc, "script")) != 0 {
		t.Error("the vote page loads a script")
	}
	if radios := htmltest.All(parsePage(t, f.h.surveyGet("/j/"+one.JoinCode, nil)), "input[type=radio][name=choice]"); len(radios) != 3 {
		t.Errorf("max_choices 1: %d radio buttons, want 3", len(radios))
	}
	key := htmltest.Attr(htmltest.One(t, doc, "input[name=idempotency_key]"), "value")

	// Nothing chosen: 422 with an error summary linking to the first option.
	rec = f.h.surveyPost("/j/"+s.JoinCode, url.Values{"lang": {"ar"}, "idempotency_key": {key}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("empty vote: %d", rec.Code)
	}
	doc = parsePage(t, rec)
	htmltest.One(t, doc, `.error-summary a[href="#choice-1"]`)
	// Too many: 422, the choices kept.
	rec = f.h.surveyPost("/j/"+s.JoinCode, url.Values{"lang": {"ar"}, "choice": {"housing", "money", "feeling_safe"}, "idempotency_key": {key}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("too many: %d", rec.Code)
	}
	if got := checked(parsePage(t, rec), "choice"); len(got) != 3 {
		t.Errorf("choices kept: %v", got)
	}
	// A good vote: 303 to the thank-you page in the same language; sent
	// twice (a double tap), counted once.
	for range 2 {
		rec = f.h.surveyPost("/j/"+s.JoinCode, url.Values{"lang": {"ar"}, "choice": {"housing", "money"}, "idempotency_key": {key}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/j/"+s.JoinCode+"/thanks?lang=ar" {
			t.Fatalf("vote: %d to %q", rec.Code, rec.Header().Get("Location"))
		}
	}
	if tb := f.tally(t, s.ID); tb.Votes != 1 {
		t.Errorf("votes = %d, want 1", tb.Votes)
	}
	rec = f.h.surveyGet("/j/"+s.JoinCode+"/thanks?lang=ar", nil)
	if rec.Code != http.StatusOK || htmltest.Attr(htmltest.One(t, parsePage(t, rec), "html"), "dir") != "rtl" {
		t.Errorf("thanks: %d", rec.Code)
	}
	if rec := f.h.surveyGet("/j/NOPE22", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown code page: %d, want 404", rec.Code)
	}
}

// TestPresentScreenAndEvents: the present screen shows the join code, a QR
// code made here and nothing per option below min_cell; its event stream
// sends each new tally and ends when the session closes.
func TestPresentScreenAndEvents(t *testing.T) {
	f := newForum(t)
	f.h.user("fac2@leeds.example", store.RoleFacilitator, "leeds")
	cookie := f.h.signIn("fac2@leeds.example")
	s := f.session(t, threeOptions(1))

	rec := f.h.page("/staff/sessions/"+s.ID+"/present", cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("present: %d", rec.Code)
	}
	doc := parsePage(t, rec)
	if got := htmltest.Text(htmltest.One(t, doc, ".join-code")); got != s.JoinCode {
		t.Errorf("join code %q, want %q", got, s.JoinCode)
	}
	path := htmltest.One(t, doc, "svg.qr path")
	if d := htmltest.Attr(path, "d"); len(d) < 100 || strings.ContainsAny(d, "<>\"") {
		t.Errorf("QR path %q", d)
	}
	if src := htmltest.Attr(htmltest.One(t, doc, "script[src]"), "src"); !strings.HasPrefix(src, "/static/present.js") {
		t.Errorf("script %q, want present.js", src)
	}
	htmltest.One(t, doc, "noscript")
	if len(htmltest.All(doc, "meter")) != 0 || len(htmltest.All(doc, ".tally-count")) != 0 {
		t.Error("figures shown before anyone voted")
	}
	if got := htmltest.Text(htmltest.One(t, doc, "#present-status")); !strings.Contains(got, "5") {
		t.Errorf("status %q does not say how many votes it waits for", got)
	}

	srv := httptest.NewServer(f.h.srv)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/staff/sessions/"+s.ID+"/events", nil)
	req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
	req.Header.Set("Accept", "text/event-stream") // as EventSource asks
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type %q", ct)
	}
	events := make(chan [2]string, 100)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				events <- [2]string{name, strings.TrimPrefix(line, "data: ")}
			}
		}
	}()
	next := func(want string) map[string]any {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case e, ok := <-events:
				if !ok {
					t.Fatalf("stream ended waiting for %q", want)
				}
				if e[0] != want {
					continue
				}
				var m map[string]any
				if err := json.Unmarshal([]byte(e[1]), &m); err != nil {
					t.Fatalf("event data %q: %v", e[1], err)
				}
				return m
			case <-timeout:
				t.Fatalf("no %q event", want)
			}
		}
	}
	if m := next("tally"); m["votes"].(float64) != 0 || m["shown"].(bool) {
		t.Errorf("first event %v", m)
	}
	for range 5 {
		if rec := f.vote(s.JoinCode, "money"); rec.Code != http.StatusCreated {
			t.Fatal(rec.Body)
		}
	}
	for {
		m := next("tally")
		if m["votes"].(float64) == 5 {
			if !m["shown"].(bool) || !strings.Contains(m["status"].(string), "5") {
				t.Errorf("at 5 votes: %v", m)
			}
			break
		}
	}
	rec = f.h.form("/staff/sessions/"+s.ID+"/close", url.Values{}, cookie, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("close form: %d", rec.Code)
	}
	next("closed")
	doc = parsePage(t, f.h.page("/staff/sessions/"+s.ID+"/present", cookie))
	if len(htmltest.All(doc, "noscript")) != 0 || len(htmltest.All(doc, "#present form")) != 0 {
		t.Error("a closed session's screen still refreshes or offers to close")
	}
	if got := htmltest.Text(htmltest.One(t, doc, `li[data-value=money] .tally-count`)); got != "5" {
		t.Errorf("final count %q, want 5", got)
	}
}

func TestSessionForms(t *testing.T) {
	f := newForum(t)
	h := f.h
	h.user("fac2@leeds.example", store.RoleFacilitator, "leeds")
	cookie := h.signIn("fac2@leeds.example")
	w := h.surveyWave("leeds", "life-beyond-care", store.AccessOpen)
	// Results: money is chosen most (12), then housing (6).
	var responses [][]string
	for i := range 12 {
		if i < 6 {
			responses = append(responses, []string{"money", "housing"})
		} else {
			responses = append(responses, []string{"money"})
		}
	}
	for i, areas := range responses {
		rec := h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses",
			body: map[string]any{"language": "en", "answers": map[string]any{"areas": areas}}})
		if rec.Code != http.StatusCreated {
			t.Fatalf("response %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if err := h.tally.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := h.page("/staff/councils/leeds/sessions?wave="+w.ID, cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("sessions page: %d", rec.Code)
	}
	doc := parsePage(t, rec)
	var values []string
	for _, n := range htmltest.All(doc, "input[name=option_value]") {
		values = append(values, htmltest.Attr(n, "value"))
	}
	if len(values) < 3 || values[0] != "money" || values[1] != "housing" {
		t.Errorf("prefilled options %v, want money then housing first", values)
	}

	// Invalid: 422, error summary, values kept.
	form := url.Values{"title": {""}, "wave": {w.ID}, "max_choices": {"2"},
		"option_label": {"Money and help with bills", "Somewhere good to live", "Pizza nights", ""}, "option_value": {"money", "housing", "", ""}}
	rec = h.form("/staff/councils/leeds/sessions", form, cookie, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("no title: %d", rec.Code)
	}
	doc = parsePage(t, rec)
	htmltest.One(t, doc, `.error-summary a[href="#session-title"]`)
	if got := htmltest.Attr(htmltest.One(t, doc, "#option-label-3"), "value"); got != "Pizza nights" {
		t.Errorf("option 3 kept as %q", got)
	}
	form.Set("title", "What first?")
	rec = h.form("/staff/councils/leeds/sessions", form, cookie, nil)
	if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "/present") {
		t.Fatalf("create: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	all, err := h.store.CouncilSessions(context.Background(), "leeds", 10)
	if err != nil || len(all) != 1 {
		t.Fatalf("sessions: %v %d", err, len(all))
	}
	got := all[0]
	var gotValues []string
	for _, o := range got.Options {
		gotValues = append(gotValues, o.Value)
	}
	if diff := cmp.Diff([]string{"money", "housing", "pizza-nights"}, gotValues); diff != "" || got.MaxChoices != 2 || got.Wave != w.ID {
		t.Errorf("session %+v; values mismatch (-want +got):\n%s", got, diff)
	}
}
