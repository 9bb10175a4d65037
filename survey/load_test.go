package survey_test

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"yousaid/survey"
)

const testSurveyPath = "testdata/test-survey.json"

// testDefinition loads a fresh copy of the test survey, which every case
// may change freely.
func testDefinition(tb testing.TB) *survey.Definition {
	tb.Helper()
	data, err := os.ReadFile(testSurveyPath)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := survey.Load(data)
	if err != nil {
		tb.Fatalf("Load(%s): %v", testSurveyPath, err)
	}
	return d
}

func intPtr(n int) *int { return &n }

func TestLoad(t *testing.T) {
	valid, err := os.ReadFile(testSurveyPath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    string
		wantErr bool
		// wantProblems is set when the error must be a *DefinitionError.
		wantProblems bool
	}{
		{name: "valid", data: string(valid)},
		{name: "valid with trailing white space", data: string(valid) + "\n\t "},
		{name: "unknown field", data: strings.Replace(string(valid), `"priorities"`, `"priority_question": "areas", "priorities"`, 1), wantErr: true},
		{name: "unknown field in a question", data: strings.Replace(string(valid), `"max_choices": 2`, `"max_choices": 2, "maxChoices": 2`, 1), wantErr: true},
		{name: "trailing data", data: string(valid) + "{}", wantErr: true},
		{name: "trailing garbage", data: string(valid) + "x", wantErr: true},
		{name: "malformed", data: `{"id": "x"`, wantErr: true},
		{name: "empty", data: ``, wantErr: true},
		{name: "not an object", data: `[]`, wantErr: true},
		{name: "wrong field type", data: `{"id": "x", "version": "1"}`, wantErr: true},
		{name: "fractional version", data: `{"id": "x", "version": 1.5}`, wantErr: true},
		{name: "invalid definition", data: strings.Replace(string(valid), `"version": 2`, `"version": 0`, 1), wantErr: true, wantProblems: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := survey.Load([]byte(tt.data))
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Load: error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && d != nil {
				t.Errorf("Load returned a definition with error %v", err)
			}
			var de *survey.DefinitionError
			if got := errors.As(err, &de); got != tt.wantProblems {
				t.Errorf("errors.As(%v, *DefinitionError) = %v, want %v", err, got, tt.wantProblems)
			}
		})
	}
}

func TestDefinitionErrorMessage(t *testing.T) {
	d := testDefinition(t)
	d.Version = 0
	d.Sections[1].Questions[0].Options[0].Value = "Housing"
	err := d.Validate()
	var de *survey.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("Validate() = %v, want a *DefinitionError", err)
	}
	for _, want := range []string{`"test-survey"`, "version: ", "sections[1].questions[0].options[0].value: ", `"Housing"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Error() = %q, want it to contain %q", err.Error(), want)
		}
	}
	for _, p := range de.Problems {
		if p.Path == "" || p.Message == "" {
			t.Errorf("problem %+v lacks a path or a message", p)
		}
	}
}

// TestValidate has one case per rule; each names the paths at fault.
func TestValidate(t *testing.T) {
	const (
		homeSafe     = "sections[0].questions[0]"
		hasPA        = "sections[0].questions[1]"
		paContact    = "sections[0].questions[2]"
		areas        = "sections[1].questions[0]"
		anxiety      = "sections[1].questions[2]"
		anythingElse = "sections[1].questions[3]"
	)
	tests := []struct {
		name   string
		change func(d *survey.Definition)
		want   []string // problem paths, in order
	}{
		{name: "valid", change: func(*survey.Definition) {}},
		{name: "a required question with show_if is valid", change: func(d *survey.Definition) {
			d.Sections[1].Questions[1].Required = true
		}},
		{name: "show_if on a multi question is valid", change: func(d *survey.Definition) {
			d.Sections[1].Questions[1].ShowIf = &survey.Condition{Question: "areas", In: []string{"housing", "16-17"}}
		}},

		// The survey.
		{name: "id with capitals", change: func(d *survey.Definition) { d.ID = "Test-Survey" }, want: []string{"id"}},
		{name: "id with spaces", change: func(d *survey.Definition) { d.ID = "test survey" }, want: []string{"id"}},
		{name: "id with a trailing hyphen", change: func(d *survey.Definition) { d.ID = "test-" }, want: []string{"id"}},
		{name: "id with a double hyphen", change: func(d *survey.Definition) { d.ID = "test--survey" }, want: []string{"id"}},
		{name: "empty id", change: func(d *survey.Definition) { d.ID = "" }, want: []string{"id"}},
		{name: "id too long", change: func(d *survey.Definition) { d.ID = strings.Repeat("a", 65) }, want: []string{"id"}},
		{name: "version 0", change: func(d *survey.Definition) { d.Version = 0 }, want: []string{"version"}},
		{name: "negative version", change: func(d *survey.Definition) { d.Version = -1 }, want: []string{"version"}},

		// Languages.
		{name: "languages without en", change: func(d *survey.Definition) { d.Languages = []string{"ar", "fa-AF"} }, want: []string{"languages"}},
		{name: "duplicate language", change: func(d *survey.Definition) { d.Languages = append(d.Languages, "ar") }, want: []string{"languages[3]"}},
		{name: "unparsable language", change: func(d *survey.Definition) { d.Languages = append(d.Languages, "not a tag") }, want: []string{"languages[3]"}},
		{name: "empty language", change: func(d *survey.Definition) { d.Languages = append(d.Languages, "") }, want: []string{"languages[3]"}},
		{name: "language not in canonical form", change: func(d *survey.Definition) { d.Languages = append(d.Languages, "fa-af") }, want: []string{"languages[3]"}},
		{name: "Dari as prs", change: func(d *survey.Definition) { d.Languages = append(d.Languages, "prs") }, want: []string{"languages[3]"}},
		{name: "undetermined language", change: func(d *survey.Definition) { d.Languages = append(d.Languages, "und") }, want: []string{"languages[3]"}},

		// Texts lacking English, one per kind of text.
		{name: "title without en", change: func(d *survey.Definition) { delete(d.Title, "en") }, want: []string{"title"}},
		{name: "missing title", change: func(d *survey.Definition) { d.Title = nil }, want: []string{"title"}},
		{name: "blank English title", change: func(d *survey.Definition) { d.Title["en"] = "  " }, want: []string{"title"}},
		{name: "intro without en", change: func(d *survey.Definition) { d.Intro = survey.Text{"ar": "x"} }, want: []string{"intro"}},
		{name: "empty intro", change: func(d *survey.Definition) { d.Intro = survey.Text{} }, want: []string{"intro"}},
		{name: "attribution without en", change: func(d *survey.Definition) { delete(d.Attribution, "en") }, want: []string{"attribution"}},
		{name: "section title without en", change: func(d *survey.Definition) { delete(d.Sections[1].Title, "en") }, want: []string{"sections[1].title"}},
		{name: "question text without en", change: func(d *survey.Definition) { delete(d.Sections[0].Questions[1].Text, "en") }, want: []string{hasPA + ".text"}},
		{name: "hint without en", change: func(d *survey.Definition) { delete(d.Sections[1].Questions[0].Hint, "en") }, want: []string{areas + ".hint"}},
		{name: "option label without en", change: func(d *survey.Definition) { delete(d.Sections[1].Questions[0].Options[2].Label, "en") }, want: []string{areas + ".options[2].label"}},
		{name: "min label without en", change: func(d *survey.Definition) { delete(d.Sections[1].Questions[2].MinLabel, "en") }, want: []string{anxiety + ".min_label"}},
		{name: "max label without en", change: func(d *survey.Definition) { delete(d.Sections[1].Questions[2].MaxLabel, "en") }, want: []string{anxiety + ".max_label"}},
		{name: "indicator label without en", change: func(d *survey.Definition) { delete(d.Indicators[1].Label, "en") }, want: []string{"indicators[1].label"}},
		{name: "indicator definition without en", change: func(d *survey.Definition) { delete(d.Indicators[0].Definition, "en") }, want: []string{"indicators[0].definition"}},
		{name: "text in a language the survey lacks", change: func(d *survey.Definition) { d.Title["fa-af"] = "x" }, want: []string{"title"}},

		// Sections and ids.
		{name: "no sections", change: func(d *survey.Definition) {
			d.Sections = nil
			d.Priorities = ""
			d.Indicators = nil
		}, want: []string{"sections"}},
		{name: "section without questions", change: func(d *survey.Definition) {
			d.Sections = append(d.Sections, survey.Section{ID: "empty", Title: survey.Text{"en": "Empty"}})
		}, want: []string{"sections[2].questions"}},
		{name: "duplicate section id", change: func(d *survey.Definition) { d.Sections[1].ID = "home" }, want: []string{"sections[1].id"}},
		{name: "bad section id", change: func(d *survey.Definition) { d.Sections[1].ID = "Well-being" }, want: []string{"sections[1].id"}},
		{name: "duplicate question id across sections", change: func(d *survey.Definition) { d.Sections[1].Questions[3].ID = "home_safe" }, want: []string{anythingElse + ".id"}},
		{name: "duplicate question id within a section", change: func(d *survey.Definition) { d.Sections[1].Questions[3].ID = "anxiety" }, want: []string{anythingElse + ".id"}},
		{name: "question id starting with a digit", change: func(d *survey.Definition) { d.Sections[1].Questions[3].ID = "1st" }, want: []string{anythingElse + ".id"}},
		{name: "question id with a hyphen", change: func(d *survey.Definition) { d.Sections[1].Questions[3].ID = "anything-else" }, want: []string{anythingElse + ".id"}},
		{name: "question id with a dollar", change: func(d *survey.Definition) { d.Sections[1].Questions[3].ID = "$where" }, want: []string{anythingElse + ".id"}},
		{name: "question id too long", change: func(d *survey.Definition) { d.Sections[1].Questions[3].ID = "a" + strings.Repeat("b", 64) }, want: []string{anythingElse + ".id"}},
		{name: "question id of a form field", change: func(d *survey.Definition) { d.Sections[1].Questions[3].ID = "lang" }, want: []string{anythingElse + ".id"}},

		// Question types.
		{name: "unknown type", change: func(d *survey.Definition) { d.Sections[1].Questions[3].Type = "essay" }, want: []string{anythingElse + ".type"}},
		{name: "missing type", change: func(d *survey.Definition) { d.Sections[1].Questions[3].Type = "" }, want: []string{anythingElse + ".type"}},
		{name: "choice without options", change: func(d *survey.Definition) { d.Sections[0].Questions[2].Options = nil }, want: []string{paContact + ".options"}},
		{name: "multi without options", change: func(d *survey.Definition) {
			q := &d.Sections[1].Questions[0]
			q.Options, q.MaxChoices = nil, 0
			d.Sections[1].Questions[1].ShowIf.In = nil
		}, want: []string{areas + ".options", "sections[1].questions[1].show_if.in"}},
		{name: "duplicate option value", change: func(d *survey.Definition) { d.Sections[1].Questions[0].Options[1].Value = "housing" }, want: []string{areas + ".options[1].value"}},
		{name: "option value with capitals", change: func(d *survey.Definition) { d.Sections[1].Questions[0].Options[1].Value = "Money" }, want: []string{areas + ".options[1].value"}},
		{name: "empty option value", change: func(d *survey.Definition) { d.Sections[1].Questions[0].Options[1].Value = "" }, want: []string{areas + ".options[1].value"}},
		{name: "option value starting with a hyphen", change: func(d *survey.Definition) { d.Sections[1].Questions[0].Options[1].Value = "-money" }, want: []string{areas + ".options[1].value"}},
		{name: "options on a text question", change: func(d *survey.Definition) {
			d.Sections[1].Questions[3].Options = []survey.Option{{Value: "a", Label: survey.Text{"en": "A"}}}
		}, want: []string{anythingElse + ".options"}},

		// Scales.
		{name: "scale without min", change: func(d *survey.Definition) { d.Sections[1].Questions[2].Min = nil }, want: []string{anxiety + ".min"}},
		{name: "scale without max", change: func(d *survey.Definition) { d.Sections[1].Questions[2].Max = nil }, want: []string{anxiety + ".max"}},
		{name: "scale min equal to max", change: func(d *survey.Definition) {
			d.Sections[1].Questions[2].Min = intPtr(10)
		}, want: []string{anxiety + ".max", "indicators[1].range"}},
		{name: "scale min above max", change: func(d *survey.Definition) {
			q := &d.Sections[1].Questions[2]
			q.Min, q.Max = intPtr(10), intPtr(0)
		}, want: []string{anxiety + ".max", "indicators[1].range"}},
		{name: "scale below 0", change: func(d *survey.Definition) { d.Sections[1].Questions[2].Min = intPtr(-1) }, want: []string{anxiety + ".min"}},
		{name: "scale above 100", change: func(d *survey.Definition) { d.Sections[1].Questions[2].Max = intPtr(101) }, want: []string{anxiety + ".max"}},
		{name: "scale 0 to 100", change: func(d *survey.Definition) { d.Sections[1].Questions[2].Max = intPtr(100) }},
		{name: "min on a choice question", change: func(d *survey.Definition) { d.Sections[0].Questions[0].Min = intPtr(0) }, want: []string{homeSafe + ".min"}},
		{name: "max on a text question", change: func(d *survey.Definition) { d.Sections[1].Questions[3].Max = intPtr(3) }, want: []string{anythingElse + ".max"}},
		{name: "scale labels on a choice question", change: func(d *survey.Definition) {
			d.Sections[0].Questions[0].MinLabel = survey.Text{"en": "low"}
			d.Sections[0].Questions[0].MaxLabel = survey.Text{"en": "high"}
		}, want: []string{homeSafe + ".min_label", homeSafe + ".max_label"}},

		// max_choices, max_length, banded.
		{name: "max_choices on a choice question", change: func(d *survey.Definition) { d.Sections[0].Questions[0].MaxChoices = 1 }, want: []string{homeSafe + ".max_choices"}},
		{name: "max_choices on a text question", change: func(d *survey.Definition) { d.Sections[1].Questions[3].MaxChoices = 1 }, want: []string{anythingElse + ".max_choices"}},
		{name: "negative max_choices", change: func(d *survey.Definition) { d.Sections[1].Questions[0].MaxChoices = -1 }, want: []string{areas + ".max_choices"}},
		{name: "max_choices above the options", change: func(d *survey.Definition) { d.Sections[1].Questions[0].MaxChoices = 5 }, want: []string{areas + ".max_choices"}},
		{name: "max_choices equal to the options", change: func(d *survey.Definition) { d.Sections[1].Questions[0].MaxChoices = 4 }},
		{name: "max_length on a choice question", change: func(d *survey.Definition) { d.Sections[0].Questions[0].MaxLength = 10 }, want: []string{homeSafe + ".max_length"}},
		{name: "negative max_length", change: func(d *survey.Definition) { d.Sections[1].Questions[3].MaxLength = -1 }, want: []string{anythingElse + ".max_length"}},
		{name: "banded multi question", change: func(d *survey.Definition) { d.Sections[1].Questions[0].Banded = true }, want: []string{areas + ".banded"}},
		{name: "banded choice question", change: func(d *survey.Definition) { d.Sections[0].Questions[0].Banded = true }},

		// show_if.
		{name: "show_if on a later question", change: func(d *survey.Definition) {
			d.Sections[0].Questions[1].ShowIf = &survey.Condition{Question: "areas", In: []string{"housing"}}
		}, want: []string{hasPA + ".show_if.question"}},
		{name: "show_if on the question itself", change: func(d *survey.Definition) {
			d.Sections[0].Questions[1].ShowIf = &survey.Condition{Question: "has_pa", In: []string{"yes"}}
		}, want: []string{hasPA + ".show_if.question"}},
		{name: "show_if on an unknown question", change: func(d *survey.Definition) { d.Sections[0].Questions[2].ShowIf.Question = "nope" }, want: []string{paContact + ".show_if.question"}},
		{name: "show_if on a scale question", change: func(d *survey.Definition) {
			d.Sections[1].Questions[3].ShowIf = &survey.Condition{Question: "anxiety", In: []string{"7"}}
		}, want: []string{anythingElse + ".show_if.question"}},
		{name: "show_if on a text question", change: func(d *survey.Definition) {
			d.Sections[1].Questions[3].ShowIf = &survey.Condition{Question: "housing_detail", In: []string{"x"}}
		}, want: []string{anythingElse + ".show_if.question"}},
		{name: "show_if value not an option", change: func(d *survey.Definition) { d.Sections[0].Questions[2].ShowIf.In = []string{"yes", "maybe"} }, want: []string{paContact + ".show_if.in[1]"}},
		{name: "show_if value twice", change: func(d *survey.Definition) { d.Sections[0].Questions[2].ShowIf.In = []string{"yes", "yes"} }, want: []string{paContact + ".show_if.in[1]"}},
		{name: "show_if without values", change: func(d *survey.Definition) { d.Sections[0].Questions[2].ShowIf.In = nil }, want: []string{paContact + ".show_if.in"}},

		// Priorities.
		{name: "priorities naming a choice question", change: func(d *survey.Definition) { d.Priorities = "home_safe" }, want: []string{"priorities"}},
		{name: "priorities naming no question", change: func(d *survey.Definition) { d.Priorities = "nope" }, want: []string{"priorities"}},
		{name: "no priorities", change: func(d *survey.Definition) { d.Priorities = "" }},

		// Indicators.
		{name: "duplicate indicator id", change: func(d *survey.Definition) { d.Indicators[1].ID = "not_safe_home" }, want: []string{"indicators[1].id"}},
		{name: "bad indicator id", change: func(d *survey.Definition) { d.Indicators[1].ID = "High anxiety" }, want: []string{"indicators[1].id"}},
		{name: "indicator on an unknown question", change: func(d *survey.Definition) { d.Indicators[0].Question = "nope" }, want: []string{"indicators[0].question"}},
		{name: "indicator on a text question", change: func(d *survey.Definition) { d.Indicators[0].Question = "anything_else" }, want: []string{"indicators[0].question"}},
		{name: "counts value not an option", change: func(d *survey.Definition) { d.Indicators[0].Counts = []string{"never", "rarely"} }, want: []string{"indicators[0].counts[1]"}},
		{name: "counts value twice", change: func(d *survey.Definition) { d.Indicators[0].Counts = []string{"never", "never"} }, want: []string{"indicators[0].counts[1]"}},
		{name: "counts on a multi question", change: func(d *survey.Definition) {
			d.Indicators[0].Question, d.Indicators[0].Counts = "areas", []string{"housing"}
		}},
		{name: "counts on a scale question", change: func(d *survey.Definition) {
			d.Indicators[1].Range, d.Indicators[1].Counts = nil, []string{"6"}
		}, want: []string{"indicators[1].counts"}},
		{name: "range on a choice question", change: func(d *survey.Definition) {
			d.Indicators[0].Counts, d.Indicators[0].Range = nil, []int{0, 1}
		}, want: []string{"indicators[0].range"}},
		{name: "range of one number", change: func(d *survey.Definition) { d.Indicators[1].Range = []int{6} }, want: []string{"indicators[1].range"}},
		{name: "range of three numbers", change: func(d *survey.Definition) { d.Indicators[1].Range = []int{6, 8, 10} }, want: []string{"indicators[1].range"}},
		{name: "range above the scale", change: func(d *survey.Definition) { d.Indicators[1].Range = []int{6, 11} }, want: []string{"indicators[1].range"}},
		{name: "range below the scale", change: func(d *survey.Definition) { d.Indicators[1].Range = []int{-1, 4} }, want: []string{"indicators[1].range"}},
		{name: "reversed range", change: func(d *survey.Definition) { d.Indicators[1].Range = []int{10, 6} }, want: []string{"indicators[1].range"}},
		{name: "range of one value", change: func(d *survey.Definition) { d.Indicators[1].Range = []int{10, 10} }},
		{name: "both counts and range", change: func(d *survey.Definition) { d.Indicators[1].Counts = []string{"6"} }, want: []string{"indicators[1]", "indicators[1].counts"}},
		{name: "neither counts nor range", change: func(d *survey.Definition) { d.Indicators[0].Counts = nil }, want: []string{"indicators[0]"}},
		{name: "better missing", change: func(d *survey.Definition) { d.Indicators[0].Better = "" }, want: []string{"indicators[0].better"}},
		{name: "better misspelt", change: func(d *survey.Definition) { d.Indicators[0].Better = "Lower" }, want: []string{"indicators[0].better"}},

		// Drafted.
		{name: "drafted language not among languages", change: func(d *survey.Definition) { d.Drafted = []string{"ps"} }, want: []string{"drafted[0]"}},
		{name: "drafted English", change: func(d *survey.Definition) { d.Drafted = []string{"en"} }, want: []string{"drafted[0]"}},
		{name: "drafted twice", change: func(d *survey.Definition) { d.Drafted = []string{"fa-AF", "fa-AF"} }, want: []string{"drafted[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDefinition(t)
			tt.change(d)
			err := d.Validate()
			var got []string
			if err != nil {
				var de *survey.DefinitionError
				if !errors.As(err, &de) {
					t.Fatalf("Validate() = %v, want a *DefinitionError", err)
				}
				for _, p := range de.Problems {
					got = append(got, p.Path)
					checkRule(t, p)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problem paths mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestValidateReturnsUntypedNil(t *testing.T) {
	// A nil *DefinitionError inside an error interface would not be nil.
	if err := testDefinition(t).Validate(); err != nil {
		t.Fatalf("Validate() = %#v, want nil", err)
	}
}

func TestCoverage(t *testing.T) {
	d := testDefinition(t)
	got := d.Coverage()
	want := []survey.LanguageCoverage{
		{Language: "en", Texts: 29, Translated: 29},
		{Language: "ar", Texts: 29, Translated: 28, Missing: []string{"attribution"}},
		{Language: "fa-AF", Texts: 29, Translated: 26, Missing: []string{"intro", "sections[1].questions[0].hint", "attribution"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Coverage() mismatch (-want +got):\n%s", diff)
	}
}

func TestCoverageCountsBlankTranslationAsMissing(t *testing.T) {
	d := testDefinition(t)
	d.Title["ar"] = " "
	got := d.Coverage()[1]
	want := survey.LanguageCoverage{Language: "ar", Texts: 29, Translated: 27, Missing: []string{"title", "attribution"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Coverage()[1] mismatch (-want +got):\n%s", diff)
	}
}

func TestLookups(t *testing.T) {
	d := testDefinition(t)

	var ids []string
	for _, q := range d.Questions() {
		ids = append(ids, q.ID)
	}
	wantIDs := []string{"home_safe", "has_pa", "pa_contact", "areas", "housing_detail", "anxiety", "anything_else"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("Questions() ids mismatch (-want +got):\n%s", diff)
	}

	q, ok := d.Question("anxiety")
	if !ok || q.Type != survey.TypeScale || q != d.Questions()[5] {
		t.Errorf("Question(anxiety) = %+v, %v; want the scale question of the definition", q, ok)
	}
	if q, ok := d.Question("nope"); ok || q != nil {
		t.Errorf("Question(nope) = %+v, %v; want nil, false", q, ok)
	}

	areas, _ := d.Question("areas")
	if o, ok := areas.Option("16-17"); !ok || o.Label["en"] != "Support at 16-17" {
		t.Errorf("Option(16-17) = %+v, %v", o, ok)
	}
	if o, ok := areas.Option("Housing"); ok || o != nil {
		t.Errorf("Option(Housing) = %+v, %v; want nil, false", o, ok)
	}

	for tag, want := range map[string]bool{"en": true, "ar": true, "fa-AF": true, "ps": false, "fa-af": false, "": false} {
		if got := d.HasLanguage(tag); got != want {
			t.Errorf("HasLanguage(%q) = %v, want %v", tag, got, want)
		}
	}
}

// FuzzLoad checks that Load never panics and that whatever it accepts
// survives a round trip through JSON unchanged.
func FuzzLoad(f *testing.F) {
	valid, err := os.ReadFile(testSurveyPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{"id":"a","version":1,"languages":["en"],"title":{"en":"A"},"sections":[{"id":"s","title":{"en":"S"},"questions":[{"id":"q","type":"text","text":{"en":"Q"},"required":false}]}]}`))
	f.Add([]byte(`{"id":"a","version":1,"languages":["en","fa-AF"],"title":{"en":"A","fa-AF":"ا"},"sections":[{"id":"s","title":{"en":"S"},"questions":[{"id":"q","type":"scale","min":0,"max":10,"text":{"en":"Q"}},{"id":"r","type":"choice","options":[{"value":"1","label":{"en":"1"}}],"text":{"en":"R"},"show_if":{"question":"q","in":["1"]}}]}],"indicators":[{"id":"i","label":{"en":"I"},"question":"q","range":[6,10],"better":"lower"}]}`))
	f.Add([]byte(`{"id":"a","version":1,"languages":["en"],"title":{"en":"A"},"sections":[{"id":"s","title":{"en":"S"},"questions":[{"id":"q","type":"multi","max_choices":1,"options":[{"value":"x","label":{"en":"X"}}],"text":{"en":"Q"},"hint":{}}]}],"priorities":"q"}`))
	f.Add([]byte(`{"id":"a","version":1,"languages":["en"],"title":{"en":"A"},"sections":[{"id":"s","title":{"en":"S"},"questions":[{"id":"q","type":"text","text":{"en":"Q"},"options":[]}]}],"drafted":[]}`))
	f.Add([]byte(`{"ID":"a","id":"b"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"sections":[{"questions":[{"show_if":{}}]}],"indicators":[{"range":[1]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := survey.Load(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		d2, err := survey.Load(again)
		if err != nil {
			t.Fatalf("Load(Marshal(Load(data))): %v\n%s", err, again)
		}
		// omitempty drops empty lists and maps, which mean the same as absent.
		if diff := cmp.Diff(d, d2, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
	})
}

// checkRule fails unless p names a known rule with its params, so that a
// caller can translate it.
func checkRule(t *testing.T, p survey.Problem) {
	t.Helper()
	if !slices.Contains(survey.Rules(), p.Rule) || p.Message == "" {
		t.Errorf("problem at %s: rule %q, message %q", p.Path, p.Rule, p.Message)
	}
	var names []string
	for name := range p.Params {
		names = append(names, name)
	}
	if diff := cmp.Diff(p.Rule.Params(), names, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("problem at %s: params mismatch (-want +got):\n%s", p.Path, diff)
	}
}
