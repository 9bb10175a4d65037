package seed

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"yousaid/survey"
)

var (
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	optionPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
)

// loadSurveys loads every seed survey through survey.Load, failing the test
// on the first that does not load.
func loadSurveys(t *testing.T) []*survey.Definition {
	t.Helper()
	files, err := Surveys()
	if err != nil {
		t.Fatalf("Surveys: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("Surveys: no survey files embedded")
	}
	defs := make([]*survey.Definition, 0, len(files))
	for i, data := range files {
		def, err := survey.Load(data)
		if err != nil {
			t.Fatalf("survey.Load(file %d): %v", i, err)
		}
		defs = append(defs, def)
	}
	return defs
}

func questions(def *survey.Definition) []survey.Question {
	var qs []survey.Question
	for _, s := range def.Sections {
		qs = append(qs, s.Questions...)
	}
	return qs
}

func questionByID(def *survey.Definition, id string) (survey.Question, bool) {
	for _, q := range questions(def) {
		if q.ID == id {
			return q, true
		}
	}
	return survey.Question{}, false
}

func indicatorByID(def *survey.Definition, id string) (survey.Indicator, bool) {
	for _, ind := range def.Indicators {
		if ind.ID == id {
			return ind, true
		}
	}
	return survey.Indicator{}, false
}

func optionValues(q survey.Question) []string {
	vals := make([]string, 0, len(q.Options))
	for _, o := range q.Options {
		vals = append(vals, o.Value)
	}
	return vals
}

// TestSurveyFilesAreStrictJSON catches misspelt keys, which a lenient
// decoder would silently drop.
func TestSurveyFilesAreStrictJSON(t *testing.T) {
	files, err := Surveys()
	if err != nil {
		t.Fatalf("Surveys: %v", err)
	}
	for i, data := range files {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var def survey.Definition
		if err := dec.Decode(&def); err != nil {
			t.Errorf("file %d: %v", i, err)
		}
	}
}

func TestSurveysLoad(t *testing.T) {
	for _, def := range loadSurveys(t) {
		t.Run(def.ID, func(t *testing.T) {
			if def.Version < 1 {
				t.Errorf("version = %d, want >= 1", def.Version)
			}
			if !slices.Contains(def.Languages, "en") {
				t.Errorf("languages = %v, want to include en", def.Languages)
			}
			if def.Title["en"] == "" || def.Intro["en"] == "" {
				t.Errorf("title and intro need English text")
			}
		})
	}
}

func TestLifeBeyondCare(t *testing.T) {
	var def *survey.Definition
	for _, d := range loadSurveys(t) {
		if d.ID == "life-beyond-care" {
			def = d
		}
	}
	if def == nil {
		t.Fatal("no survey with id life-beyond-care")
	}
	qs := questions(def)

	t.Run("question count", func(t *testing.T) {
		if got := len(qs); got < 30 || got > 45 {
			t.Errorf("questions = %d, want 30 to 45", got)
		}
	})

	t.Run("not called Your Life Beyond Care", func(t *testing.T) {
		for lang, s := range def.Title {
			if strings.Contains(strings.ToLower(s), "your life beyond care") {
				t.Errorf("title[%s] = %q: our survey is only modelled on it", lang, s)
			}
		}
	})

	t.Run("ids and option values", func(t *testing.T) {
		seen := map[string]bool{}
		for _, s := range def.Sections {
			if !idPattern.MatchString(s.ID) {
				t.Errorf("section id %q does not match %s", s.ID, idPattern)
			}
		}
		for _, q := range qs {
			if !idPattern.MatchString(q.ID) {
				t.Errorf("question id %q does not match %s", q.ID, idPattern)
			}
			if seen[q.ID] {
				t.Errorf("question id %q used twice", q.ID)
			}
			seen[q.ID] = true
			vals := map[string]bool{}
			for _, o := range q.Options {
				if !optionPattern.MatchString(o.Value) {
					t.Errorf("%s: option %q does not match %s", q.ID, o.Value, optionPattern)
				}
				if vals[o.Value] {
					t.Errorf("%s: option %q used twice", q.ID, o.Value)
				}
				vals[o.Value] = true
				if o.Label["en"] == "" {
					t.Errorf("%s: option %q has no English label", q.ID, o.Value)
				}
			}
			if q.Text["en"] == "" {
				t.Errorf("%s: no English text", q.ID)
			}
		}
	})

	t.Run("every question optional", func(t *testing.T) {
		for _, q := range qs {
			if q.Required {
				t.Errorf("%s is required; young people may skip any question", q.ID)
			}
		}
	})

	t.Run("banded questions offer prefer_not_to_say", func(t *testing.T) {
		n := 0
		for _, q := range qs {
			if !q.Banded {
				continue
			}
			n++
			if !slices.Contains(optionValues(q), "prefer_not_to_say") {
				t.Errorf("banded question %s has no prefer_not_to_say option", q.ID)
			}
		}
		if n == 0 {
			t.Error("no banded questions")
		}
		for _, id := range []string{"age_band", "came_alone"} {
			if q, ok := questionByID(def, id); !ok || !q.Banded {
				t.Errorf("%s missing or not banded", id)
			}
		}
	})

	t.Run("show_if refers to an earlier answer", func(t *testing.T) {
		earlier := map[string]survey.Question{}
		n := 0
		for _, q := range qs {
			if q.ShowIf != nil {
				n++
				src, ok := earlier[q.ShowIf.Question]
				if !ok {
					t.Errorf("%s: show_if refers to %q, which is not an earlier question", q.ID, q.ShowIf.Question)
				} else {
					for _, v := range q.ShowIf.In {
						if !slices.Contains(optionValues(src), v) {
							t.Errorf("%s: show_if value %q is not an option of %s", q.ID, v, src.ID)
						}
					}
				}
			}
			earlier[q.ID] = q
		}
		if n == 0 {
			t.Error("no question has show_if")
		}
	})

	t.Run("priorities", func(t *testing.T) {
		if def.Priorities != "areas" {
			t.Fatalf("priorities = %q, want areas", def.Priorities)
		}
		q, ok := questionByID(def, def.Priorities)
		if !ok {
			t.Fatal("priorities question areas not found")
		}
		if q.Type != survey.TypeMulti || q.MaxChoices != 3 {
			t.Errorf("areas: type %q, max_choices %d; want multi, 3", q.Type, q.MaxChoices)
		}
		if len(q.Options) < 8 {
			t.Errorf("areas has %d options, want at least 8", len(q.Options))
		}
	})

	t.Run("free text", func(t *testing.T) {
		q, ok := questionByID(def, "anything_else")
		if !ok {
			t.Fatal("anything_else not found")
		}
		if q.Type != survey.TypeText || q.Required {
			t.Errorf("anything_else: type %q required %v; want optional text", q.Type, q.Required)
		}
	})

	t.Run("ONS questions verbatim", func(t *testing.T) {
		tests := []struct {
			id, text, minLabel, maxLabel string
		}{
			{"life_satisfaction", "Overall, how satisfied are you with your life nowadays?", "Not at all", "Completely"},
			{"worthwhile", "Overall, to what extent do you feel that the things you do in your life are worthwhile?", "Not at all", "Completely"},
			{"happy_yesterday", "Overall, how happy did you feel yesterday?", "Not at all", "Completely"},
			{"anxious_yesterday", "On a scale where 0 is 'not at all anxious' and 10 is 'completely anxious', overall, how anxious did you feel yesterday?", "Not at all anxious", "Completely anxious"},
		}
		for _, tt := range tests {
			q, ok := questionByID(def, tt.id)
			if !ok {
				t.Errorf("%s not found", tt.id)
				continue
			}
			if q.Type != survey.TypeScale || q.Min == nil || q.Max == nil || *q.Min != 0 || *q.Max != 10 {
				t.Errorf("%s: want a 0-10 scale", tt.id)
			}
			if got := q.Text["en"]; got != tt.text {
				t.Errorf("%s text = %q, want %q", tt.id, got, tt.text)
			}
			if q.MinLabel["en"] != tt.minLabel || q.MaxLabel["en"] != tt.maxLabel {
				t.Errorf("%s labels = %q/%q, want %q/%q", tt.id, q.MinLabel["en"], q.MaxLabel["en"], tt.minLabel, tt.maxLabel)
			}
		}
		lonely, ok := questionByID(def, "lonely")
		if !ok {
			t.Fatal("lonely not found")
		}
		if got, want := lonely.Text["en"], "How often do you feel lonely?"; got != want {
			t.Errorf("lonely text = %q, want %q", got, want)
		}
		if got := len(lonely.Options); got != 5 {
			t.Errorf("lonely has %d options, want the 5 ONS options", got)
		}
		if a := def.Attribution["en"]; !strings.Contains(a, "Office for National Statistics") || !strings.Contains(a, "Open Government Licence v3.0") {
			t.Errorf("attribution = %q, want the ONS and OGL v3.0 notice", a)
		}
	})

	t.Run("required indicators", func(t *testing.T) {
		tests := []struct {
			name     string
			id       string
			question string
			counts   []string // each must be counted
			notCount []string // each must not be counted
			rng      []int
			better   string
		}{
			{name: "not feeling safe where you live", id: "not_safe_home", question: "home_safe",
				counts: []string{"sometimes", "never"}, notCount: []string{"always"}, better: "lower"},
			{name: "high anxiety 6-10", id: "high_anxiety", question: "anxious_yesterday", rng: []int{6, 10}, better: "lower"},
			{name: "low life satisfaction 0-4", id: "low_life_satisfaction", question: "life_satisfaction", rng: []int{0, 4}, better: "lower"},
			{name: "low worthwhile 0-4", id: "low_worthwhile", question: "worthwhile", rng: []int{0, 4}, better: "lower"},
			{name: "low happiness 0-4", id: "low_happiness", question: "happy_yesterday", rng: []int{0, 4}, better: "lower"},
			{name: "struggling financially", id: "struggling_financially", question: "money_coping",
				counts: []string{"quite_hard", "very_hard"}, notCount: []string{"doing_well", "alright"}, better: "lower"},
			{name: "trusted adult", id: "trusted_adult", question: "trusted_adult", counts: []string{"yes"}, better: "higher"},
			{name: "good friend", id: "good_friend", question: "good_friend", counts: []string{"yes"}, better: "higher"},
			{name: "lonely often or always", id: "lonely_often", question: "lonely",
				counts: []string{"often_always"}, notCount: []string{"some_of_the_time"}, better: "lower"},
			{name: "knows personal adviser", id: "knows_pa", question: "knows_pa", counts: []string{"yes"}, better: "higher"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ind, ok := indicatorByID(def, tt.id)
				if !ok {
					t.Fatalf("indicator %s not found", tt.id)
				}
				if ind.Question != tt.question {
					t.Errorf("question = %q, want %q", ind.Question, tt.question)
				}
				for _, v := range tt.counts {
					if !slices.Contains(ind.Counts, v) {
						t.Errorf("counts %v, want it to include %q", ind.Counts, v)
					}
				}
				for _, v := range tt.notCount {
					if slices.Contains(ind.Counts, v) {
						t.Errorf("counts %v, want it not to include %q", ind.Counts, v)
					}
				}
				if tt.rng != nil && !slices.Equal(ind.Range, tt.rng) {
					t.Errorf("range = %v, want %v", ind.Range, tt.rng)
				}
				if ind.Better != tt.better {
					t.Errorf("better = %q, want %q", ind.Better, tt.better)
				}
			})
		}
	})

	t.Run("indicators are well formed", func(t *testing.T) {
		if len(def.Indicators) < 10 {
			t.Errorf("%d indicators, want at least 10", len(def.Indicators))
		}
		seen := map[string]bool{}
		for _, ind := range def.Indicators {
			if !idPattern.MatchString(ind.ID) || seen[ind.ID] {
				t.Errorf("indicator id %q invalid or used twice", ind.ID)
			}
			seen[ind.ID] = true
			if ind.Label["en"] == "" || ind.Definition["en"] == "" {
				t.Errorf("%s: needs an English label and definition", ind.ID)
			}
			if ind.Better != "lower" && ind.Better != "higher" {
				t.Errorf("%s: better = %q", ind.ID, ind.Better)
			}
			q, ok := questionByID(def, ind.Question)
			if !ok {
				t.Errorf("%s: question %q not found", ind.ID, ind.Question)
				continue
			}
			switch q.Type {
			case survey.TypeChoice, survey.TypeMulti:
				if len(ind.Counts) == 0 || ind.Range != nil {
					t.Errorf("%s: a choice indicator needs counts and no range", ind.ID)
				}
				for _, v := range ind.Counts {
					if !slices.Contains(optionValues(q), v) {
						t.Errorf("%s: counts %q, not an option of %s", ind.ID, v, q.ID)
					}
				}
			case survey.TypeScale:
				if len(ind.Range) != 2 || ind.Range[0] > ind.Range[1] || ind.Range[0] < *q.Min || ind.Range[1] > *q.Max {
					t.Errorf("%s: range %v not within %d-%d", ind.ID, ind.Range, *q.Min, *q.Max)
				}
			default:
				t.Errorf("%s: question %s of type %q cannot have an indicator", ind.ID, q.ID, q.Type)
			}
		}
	})
}

func TestReferenceFigures(t *testing.T) {
	figs, err := ReferenceFigures()
	if err != nil {
		t.Fatalf("ReferenceFigures: %v", err)
	}
	if len(figs) == 0 {
		t.Fatal("no reference figures")
	}
	defs := map[string]*survey.Definition{}
	for _, d := range loadSurveys(t) {
		defs[d.ID] = d
	}
	populations := []string{"care leavers", "general population 16-24"}
	for _, f := range figs {
		name := f.Survey + "/" + f.Indicator + "/" + f.Population
		def, ok := defs[f.Survey]
		if !ok {
			t.Errorf("%s: no seed survey %q", name, f.Survey)
			continue
		}
		if _, ok := indicatorByID(def, f.Indicator); !ok {
			t.Errorf("%s: survey %s has no indicator %q", name, f.Survey, f.Indicator)
		}
		if f.Value <= 0 || f.Value >= 1 {
			t.Errorf("%s: value %v, want a share between 0 and 1", name, f.Value)
		}
		if f.Source == "" {
			t.Errorf("%s: no source", name)
		}
		if f.Year < 2000 || f.Year > 2100 {
			t.Errorf("%s: year %d", name, f.Year)
		}
		if !slices.Contains(populations, f.Population) {
			t.Errorf("%s: population %q, want one of %v", name, f.Population, populations)
		}
	}
}

func TestContacts(t *testing.T) {
	contacts, err := Contacts()
	if err != nil {
		t.Fatalf("Contacts: %v", err)
	}
	if len(contacts) == 0 {
		t.Fatal("no contacts")
	}
	seen := map[string]bool{}
	for _, c := range contacts {
		if !idPattern.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("contact id %q invalid or used twice", c.ID)
		}
		seen[c.ID] = true
		if c.Name["en"] == "" || c.Help["en"] == "" {
			t.Errorf("%s: needs an English name and help text", c.ID)
		}
		if c.Phone == "" && c.SMS == "" && c.URL == "" {
			t.Errorf("%s: no phone, text number or url", c.ID)
		}
		if _, err := time.Parse(time.DateOnly, c.Checked); err != nil {
			t.Errorf("%s: checked %q is not a date: %v", c.ID, c.Checked, err)
		}
		for field, raw := range map[string]string{"checked_source": c.CheckedSource, "url": c.URL} {
			if raw == "" && field == "url" {
				continue
			}
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				t.Errorf("%s: %s %q is not a web address", c.ID, field, raw)
			}
		}
	}
}

// TestSeedSurveysAreFullyTranslated fails when a seed survey claims a
// language and lacks any of its text in it.
func TestSeedSurveysAreFullyTranslated(t *testing.T) {
	files, err := Surveys()
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range files {
		def, err := survey.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, cov := range def.Coverage() {
			if len(cov.Missing) > 0 {
				t.Errorf("%s lacks %d texts in %s, e.g. %s", def.ID, len(cov.Missing), cov.Language, cov.Missing[0])
			}
		}
		if len(def.Languages) < 13 {
			t.Errorf("%s has %d languages, want the platform's 13", def.ID, len(def.Languages))
		}
	}
}
