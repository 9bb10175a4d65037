package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

type resultsDoc struct {
	survey.Results
	Comparisons []struct {
		ID       string             `json:"id"`
		Previous *survey.Comparison `json:"previous"`
	} `json:"comparisons"`
}

// submitN posts n responses built by answers(i) and fails on any refusal.
func (h *harness) submitN(wave string, n int, answers func(i int) string) {
	h.t.Helper()
	for i := range n {
		rec := h.do(request{method: "POST", path: "/api/v1/waves/" + wave + "/responses", body: `{"language":"en","answers":` + answers(i) + `}`})
		if rec.Code != 201 {
			h.t.Fatalf("response %d: %d %s", i, rec.Code, rec.Body)
		}
	}
}

// results polls the results until they count want responses (tallies are
// written within a flush interval), then returns them.
func (h *harness) results(token, wave, query string, want int64) resultsDoc {
	h.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		rec := h.do(request{method: "GET", path: "/api/v1/waves/" + wave + "/results" + query, token: token})
		if rec.Code != 200 {
			h.t.Fatalf("results: %d %s", rec.Code, rec.Body)
		}
		var doc resultsDoc
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			h.t.Fatal(err)
		}
		if doc.Responses == want {
			return doc
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("results count %d responses 2 s after the last 201, want %d", doc.Responses, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestResultsOfAKnownWave(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	fac := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	w := h.wave("leeds", store.AccessOpen)
	// 40 responses: home_safe always ×20, sometimes ×12, never ×8;
	// anxiety 0..9 four times each; areas: housing by all, money by 30,
	// friends by 3; age bands 16-17 ×22 and 18-20 ×18.
	h.submitN(w.ID, 40, func(i int) string {
		safe := "always"
		switch {
		case i >= 32:
			safe = "never"
		case i >= 20:
			safe = "sometimes"
		}
		areas := `["housing"]`
		if i < 30 {
			areas = `["housing","money"]`
		}
		if i >= 37 {
			areas = `["housing","friends"]`
		}
		age := "16-17"
		if i%20 >= 11 {
			age = "18-20"
		}
		return fmt.Sprintf(`{"age_band":%q,"home_safe":%q,"anxiety":%d,"areas":%s}`, age, safe, i%10, areas)
	})
	doc := h.results(fac, w.ID, "", 40)
	if doc.MinCell != 5 {
		t.Fatalf("min_cell %d", doc.MinCell)
	}
	q := findQuestion(t, doc.Results, "home_safe")
	if q.Answered != 40 {
		t.Errorf("home_safe answered %d", q.Answered)
	}
	wantCounts := map[string]int64{"always": 20, "sometimes": 12, "never": 8}
	for _, o := range q.Options {
		if o.Suppressed || o.Count == nil || *o.Count != wantCounts[o.Value] {
			t.Errorf("home_safe %s = %v (suppressed %v), want %d", o.Value, o.Count, o.Suppressed, wantCounts[o.Value])
		}
	}
	ind := findIndicator(t, doc.Results, "not_safe_home")
	if ind.Suppressed || *ind.Numerator != 20 || *ind.Denominator != 40 || *ind.Value != 0.5 {
		t.Errorf("not_safe_home = %+v", ind)
	}
	lo, hi := survey.Wilson(20, 40)
	if ind.CI95 == nil || ind.CI95[0] != round3(lo) || ind.CI95[1] != round3(hi) || ind.CI95[0] != 0.352 || ind.CI95[1] != 0.648 {
		t.Errorf("not_safe_home ci95 = %v, want [0.352 0.648]", ind.CI95)
	}
	anx := findIndicator(t, doc.Results, "high_anxiety") // 6..9: 4 values × 4
	if anx.Suppressed || *anx.Numerator != 16 || *anx.Denominator != 40 || *anx.Value != 0.4 {
		t.Errorf("high_anxiety = %+v", anx)
	}
	if mean := findQuestion(t, doc.Results, "anxiety").Mean; mean == nil || *mean != 4.5 {
		t.Errorf("anxiety mean = %v, want 4.5", mean)
	}
	// friends (3) is below 5: suppressed, and not worked out from shares.
	for _, p := range doc.Priorities {
		switch p.Value {
		case "housing":
			if p.Rank == nil || *p.Rank != 1 || *p.Count != 40 || *p.Share != 1 {
				t.Errorf("housing = %+v", p)
			}
		case "money":
			if p.Rank == nil || *p.Rank != 2 || *p.Count != 30 || *p.Share != 0.75 {
				t.Errorf("money = %+v", p)
			}
		case "friends":
			if !p.Suppressed || p.Count != nil || p.Share != nil {
				t.Errorf("friends not suppressed: %+v", p)
			}
		}
	}

	by := h.results(fac, w.ID, "?by=age_band", 40)
	if by.By == nil || by.By.Question != "age_band" {
		t.Fatalf("no breakdown: %+v", by.By)
	}
	for _, g := range by.By.Groups {
		switch g.Value {
		case "16-17":
			if g.Suppressed || *g.Responses != 22 {
				t.Errorf("16-17 = %+v", g)
			}
		case "18-20":
			if g.Suppressed || *g.Responses != 18 {
				t.Errorf("18-20 = %+v", g)
			}
		}
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/waves/" + w.ID + "/results?by=home_safe", token: fac}); rec.Code != 400 {
		t.Errorf("?by= a question that is not banded: %d", rec.Code)
	}

	rec := h.do(request{method: "GET", path: "/api/v1/waves/" + w.ID + "/results.csv", token: fac})
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil || rec.Code != 200 {
		t.Fatalf("results.csv: %d %v", rec.Code, err)
	}
	if strings.Join(rows[0], ",") != "kind,id,option,count,value,ci95_low,ci95_high" {
		t.Errorf("header %v", rows[0])
	}
	var sawSuppressed bool
	for _, r := range rows {
		if r[0] == "priority" && r[1] == "friends" {
			sawSuppressed = r[3] == "c"
		}
		if r[0] == "priority" && r[1] == "friends" && strings.Contains(strings.Join(r, ","), "3") {
			t.Errorf("a suppressed priority leaks its count: %v", r)
		}
	}
	if !sawSuppressed {
		t.Error("the suppressed priority is not written c")
	}
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func findQuestion(t *testing.T, r survey.Results, id string) survey.QuestionResult {
	t.Helper()
	for _, q := range r.Questions {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no question %s", id)
	return survey.QuestionResult{}
}

func findIndicator(t *testing.T, r survey.Results, id string) survey.IndicatorResult {
	t.Helper()
	for _, ind := range r.Indicators {
		if ind.ID == id {
			return ind
		}
	}
	t.Fatalf("no indicator %s", id)
	return survey.IndicatorResult{}
}

func TestResultsSuppressSmallWaves(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	fac := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	w := h.wave("leeds", store.AccessOpen)
	h.submitN(w.ID, 4, func(i int) string { return `{"age_band":"16-17","home_safe":"never","anxiety":9}` })
	doc := h.results(fac, w.ID, "", 4)
	for _, ind := range doc.Indicators {
		if !ind.Suppressed || ind.Value != nil || ind.Numerator != nil || ind.Denominator != nil || ind.CI95 != nil {
			t.Errorf("indicator %s shown for 4 responses: %+v", ind.ID, ind)
		}
	}
	if m := findQuestion(t, doc.Results, "anxiety").Mean; m != nil {
		t.Errorf("mean shown for 4 answers: %v", *m)
	}
	for _, o := range findQuestion(t, doc.Results, "home_safe").Options {
		if o.Value == "never" && (!o.Suppressed || o.Count != nil) {
			t.Errorf("a count of 4 is shown: %+v", o)
		}
	}
}

func TestResultsTenancyAndRoles(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	w := h.wave("leeds", store.AccessOpen)
	york := h.user("fac@york.example", store.RoleFacilitator, "york")
	forum := h.user("forum@leeds.example", store.RoleCoProducer, "leeds")
	fac := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	for _, path := range []string{"/results", "/results.csv", "/export.csv"} {
		if rec := h.do(request{method: "GET", path: "/api/v1/waves/" + w.ID + path, token: york}); rec.Code != 404 {
			t.Errorf("another council's %s: %d, want 404", path, rec.Code)
		}
		if rec := h.do(request{method: "GET", path: "/api/v1/waves/" + w.ID + path, token: forum}); rec.Code != 403 {
			t.Errorf("co-producer's %s: %d, want 403", path, rec.Code)
		}
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/waves/" + w.ID + "/export.csv", token: fac}); rec.Code != 403 {
		t.Errorf("facilitator's export: %d, want 403 (council_admin only)", rec.Code)
	}
}

func TestExportHoldsOnlyApprovedText(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	admin := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	w := h.wave("leeds", store.AccessOpen)
	h.submitN(w.ID, 6, func(i int) string {
		return fmt.Sprintf(`{"age_band":"16-17","areas":["money","housing"],"anything_else":"answer %d, email me at kid%d@example.org"}`, i, i)
	})
	ctx := context.Background()
	var texts []store.Text
	deadline := time.Now().Add(2 * time.Second)
	for len(texts) < 6 && time.Now().Before(deadline) {
		var err error
		texts, err = h.store.Texts(ctx, w.ID, store.TextPending, 100)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(texts) != 6 {
		t.Fatalf("%d texts queued, want 6", len(texts))
	}
	for _, tx := range texts {
		if strings.Contains(tx.Text, "@example.org") {
			t.Fatalf("an email reached the moderation queue: %q", tx.Text)
		}
	}
	rec := h.do(request{method: "POST", path: "/api/v1/texts/" + texts[0].ID, token: admin, body: map[string]string{"status": "approved"}})
	if rec.Code != 200 {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	rec = h.do(request{method: "GET", path: "/api/v1/waves/" + w.ID + "/export.csv", token: admin})
	if rec.Code != 200 {
		t.Fatalf("export: %d", rec.Code)
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || rows[0][0] != "week" || rows[0][1] != "language" {
		t.Fatalf("export has %d rows, header %v", len(rows), rows[0])
	}
	col := -1
	for i, h := range rows[0] {
		if h == "anything_else" {
			col = i
		}
	}
	shown := 0
	for _, r := range rows[1:] {
		if r[col] != "" {
			shown++
			if r[col] != texts[0].Text {
				t.Errorf("exported text %q is not the approved, masked text %q", r[col], texts[0].Text)
			}
		}
		if r[0] != "2027-W05" {
			t.Errorf("week %q", r[0])
		}
		for _, cell := range r {
			if len(cell) == 32 || strings.Contains(cell, "@example.org") {
				t.Errorf("export cell %q looks like an id or an email", cell)
			}
		}
	}
	if shown != 1 {
		t.Fatalf("%d texts exported, want only the 1 approved", shown)
	}
}

// TestAcknowledgedResponsesAppearInResultsOnce: 40 concurrent submitters;
// every acknowledged response is in the results exactly once, within 2 s.
func TestAcknowledgedResponsesAppearInResultsOnce(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	fac := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	w := h.wave("leeds", store.AccessOpen)
	const workers, each = 40, 10
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := uuid.NewString()
				body := fmt.Sprintf(`{"language":"en","answers":{"age_band":"16-17","anxiety":%d}}`, (g+i)%11)
				for range 1 + i%2 { // every other one retried with the same key
					if rec := h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses", body: body, header: map[string]string{"Idempotency-Key": key}}); rec.Code != 201 {
						t.Errorf("status %d", rec.Code)
					}
				}
			}
		}()
	}
	wg.Wait()
	doc := h.results(fac, w.ID, "", workers*each)
	if q := findQuestion(t, doc.Results, "anxiety"); q.Answered != workers*each {
		t.Fatalf("anxiety answered %d, want %d", q.Answered, workers*each)
	}
}

func TestComparisonWithPreviousWave(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	fac := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	ctx := context.Background()
	prev := &store.Wave{Council: "leeds", Survey: "test-survey", Version: 1, Name: "2026", Access: store.AccessOpen, CreatedAt: h.now.AddDate(-1, 0, 0)}
	if err := h.store.CreateWave(ctx, prev); err != nil {
		t.Fatal(err)
	}
	cur := h.wave("leeds", store.AccessOpen)
	h.submitN(prev.ID, 40, func(i int) string {
		if i < 30 {
			return `{"age_band":"16-17","home_safe":"never"}`
		}
		return `{"age_band":"16-17","home_safe":"always"}`
	})
	h.submitN(cur.ID, 40, func(i int) string {
		if i < 10 {
			return `{"age_band":"16-17","home_safe":"never"}`
		}
		return `{"age_band":"16-17","home_safe":"always"}`
	})
	h.results(fac, prev.ID, "", 40)
	doc := h.results(fac, cur.ID, "", 40)
	for _, c := range doc.Comparisons {
		if c.ID != "not_safe_home" {
			continue
		}
		if c.Previous == nil || c.Previous.Diff == nil || *c.Previous.Diff != -0.5 || !c.Previous.Significant {
			t.Fatalf("comparison = %+v", c.Previous)
		}
		return
	}
	t.Fatal("no comparison for not_safe_home")
}
