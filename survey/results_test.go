package survey_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

// answersN returns n copies of a response.
func answersN(n int, lang string, a survey.Answers) []testResponse {
	out := make([]testResponse, n)
	for i := range out {
		out[i] = testResponse{lang: lang, answers: a}
	}
	return out
}

func compute(t *testing.T, d *survey.Definition, rs []testResponse, m int) *survey.Results {
	t.Helper()
	all, _ := tallies(d, rs)
	return survey.Compute(d, all, m)
}

func question(t *testing.T, qs []survey.QuestionResult, id string) survey.QuestionResult {
	t.Helper()
	i := slices.IndexFunc(qs, func(q survey.QuestionResult) bool { return q.ID == id })
	if i < 0 {
		t.Fatalf("no question %q", id)
	}
	return qs[i]
}

func indicator(t *testing.T, inds []survey.IndicatorResult, id string) survey.IndicatorResult {
	t.Helper()
	i := slices.IndexFunc(inds, func(x survey.IndicatorResult) bool { return x.ID == id })
	if i < 0 {
		t.Fatalf("no indicator %q", id)
	}
	return inds[i]
}

func ptr[T any](v T) *T { return &v }

// homeSafe is 20 "always", 3 "sometimes" and 7 "never", with anxiety
// scores spread over the scale.
func homeSafe() []testResponse {
	var rs []testResponse
	rs = append(rs, answersN(20, "en", survey.Answers{"home_safe": "always", "anxiety": 2})...)
	rs = append(rs, answersN(3, "en", survey.Answers{"home_safe": "sometimes", "anxiety": 7})...)
	rs = append(rs, answersN(7, "ar", survey.Answers{"home_safe": "never", "anxiety": 9})...)
	return rs
}

func TestComputeHidesOptionsBeforeTheIndicator(t *testing.T) {
	d := testDefinition(t)
	r := compute(t, d, homeSafe(), 5)
	got := question(t, r.Questions, "home_safe")
	want := survey.QuestionResult{ID: "home_safe", Type: "choice", Answered: 30, Options: []survey.OptionResult{
		{Value: "always", Count: ptr[int64](20)},
		{Value: "sometimes", Suppressed: true},
		{Value: "never", Suppressed: true},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("home_safe mismatch (-want +got):\n%s", diff)
	}
	// Hiding "never" protects "sometimes" and keeps the indicator, which
	// hiding "always" would not have.
	ind := indicator(t, r.Indicators, "not_safe_home")
	wantInd := survey.IndicatorResult{ID: "not_safe_home", Numerator: ptr[int64](10), Denominator: ptr[int64](30),
		Value: ptr(0.333), CI95: &[2]float64{0.192, 0.512}}
	if diff := cmp.Diff(wantInd, ind); diff != "" {
		t.Errorf("not_safe_home mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeJSON(t *testing.T) {
	d := testDefinition(t)
	rs := homeSafe()
	rs = append(rs, answersN(2, "en", survey.Answers{"home_safe": "always", "anything_else": "hello"})...)
	r := compute(t, d, rs, 5)
	r.Wave = "w1"
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"wave", "survey", "version", "responses", "min_cell", "questions", "indicators", "priorities"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q in %s", k, data)
		}
	}
	if _, ok := doc["by"]; ok {
		t.Errorf("\"by\" without a breakdown: %s", data)
	}
	keys := func(id string) []string {
		for _, q := range doc["questions"].([]any) {
			q := q.(map[string]any)
			if q["id"] == id {
				var ks []string
				for k := range q {
					ks = append(ks, k)
				}
				slices.Sort(ks)
				return ks
			}
		}
		t.Fatalf("no question %q in %s", id, data)
		return nil
	}
	wantKeys := map[string][]string{
		"home_safe":     {"answered", "id", "options", "type"},
		"anxiety":       {"answered", "id", "mean", "type"},
		"anything_else": {"answered", "id", "type"},
	}
	for id, want := range wantKeys {
		if diff := cmp.Diff(want, keys(id)); diff != "" {
			t.Errorf("%s keys mismatch (-want +got):\n%s", id, diff)
		}
	}
	var back survey.Results
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, &back); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeSuppressedFiguresAreNull(t *testing.T) {
	d := testDefinition(t)
	// Four anxiety answers: the mean and the indicator are suppressed.
	rs := answersN(4, "en", survey.Answers{"home_safe": "always", "anxiety": 8})
	rs = append(rs, answersN(6, "en", survey.Answers{"home_safe": "always"})...)
	r := compute(t, d, rs, 5)
	data, err := json.Marshal(struct {
		Q survey.QuestionResult  `json:"q"`
		I survey.IndicatorResult `json:"i"`
	}{question(t, r.Questions, "anxiety"), indicator(t, r.Indicators, "high_anxiety")})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"q":{"id":"anxiety","type":"scale","answered":4,"mean":null},` +
		`"i":{"id":"high_anxiety","numerator":null,"denominator":null,"value":null,"ci95":null,"suppressed":true}}`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
}

func TestComputeMean(t *testing.T) {
	d := testDefinition(t)
	tests := []struct {
		name   string
		scores []int
		want   *float64
	}{
		{"spread", []int{0, 2, 4, 6, 8, 10, 3}, ptr(4.71)},
		{"too few", []int{1, 2, 3, 4}, nil},
		{"all at the top", []int{10, 10, 10, 10, 10}, ptr(10.0)},
		// 1 below the top gives away that exactly one person said 9.
		{"one below the top", []int{10, 10, 10, 10, 10, 9}, nil},
		{"four above the bottom", []int{0, 0, 0, 0, 0, 4}, nil},
		{"five above the bottom", []int{0, 0, 0, 0, 0, 5}, ptr(0.83)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rs []testResponse
			for _, s := range tc.scores {
				rs = append(rs, testResponse{lang: "en", answers: survey.Answers{"home_safe": "always", "anxiety": s}})
			}
			got := question(t, compute(t, d, rs, 5).Questions, "anxiety").Mean
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mean mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputePriorities(t *testing.T) {
	d := testDefinition(t)
	var rs []testResponse
	add := func(n int, areas ...string) {
		rs = append(rs, answersN(n, "en", survey.Answers{"home_safe": "always", "areas": areas})...)
	}
	add(10, "housing", "money")
	add(2, "housing", "health")
	add(2, "money", "health")
	add(3, "health")
	add(2, "16-17")
	r := compute(t, d, rs, 5)
	want := []survey.PriorityResult{
		{Value: "housing", Count: ptr[int64](12), Share: ptr(0.632), Rank: ptr(1)},
		{Value: "money", Count: ptr[int64](12), Share: ptr(0.632), Rank: ptr(1)},
		{Value: "health", Count: ptr[int64](7), Share: ptr(0.368), Rank: ptr(3)},
		{Value: "16-17", Suppressed: true},
	}
	if diff := cmp.Diff(want, r.Priorities); diff != "" {
		t.Errorf("priorities mismatch (-want +got):\n%s", diff)
	}
	// A suppressed priority's rank is null like its other figures: a 0
	// would read as a figure.
	hidden, err := json.Marshal(r.Priorities[3])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"value":"16-17","count":null,"share":null,"rank":null,"suppressed":true}`; string(hidden) != want {
		t.Errorf("suppressed priority = %s, want %s", hidden, want)
	}
	// The priorities are the areas question's own counts.
	areas := question(t, r.Questions, "areas")
	if !areas.Options[3].Suppressed || *areas.Options[0].Count != 12 {
		t.Errorf("areas = %+v, disagrees with the priorities", areas)
	}
}

func TestComputeEmpty(t *testing.T) {
	d := testDefinition(t)
	r := survey.Compute(d, survey.Counts{}, 0)
	if r.MinCell != survey.DefaultMinCell || r.Responses != 0 || r.Survey != d.ID || r.Version != d.Version {
		t.Errorf("Compute(empty) = %+v", r)
	}
	for _, ind := range r.Indicators {
		if !ind.Suppressed {
			t.Errorf("indicator %s with no answers is not suppressed", ind.ID)
		}
	}
	for _, p := range r.Priorities {
		if p.Suppressed || *p.Count != 0 || p.Share != nil || p.Rank == nil || *p.Rank != 1 {
			t.Errorf("priority with no answers = %+v", p)
		}
	}
}
