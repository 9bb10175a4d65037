package survey_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"yousaid/survey"
)

func TestStringsHaveStableKeys(t *testing.T) {
	d := testDefinition(t)
	keys := func(d *survey.Definition) []string {
		var out []string
		for _, s := range d.Strings("ar") {
			out = append(out, s.Key)
		}
		return out
	}
	before := keys(d)
	for _, want := range []string{"title", "intro", "section.home.title", "question.home_safe.text", "question.home_safe.option.never.label"} {
		if !slices.Contains(before, want) {
			t.Errorf("no string %q among %v", want, before)
		}
	}
	seen := map[string]bool{}
	for _, k := range before {
		if seen[k] {
			t.Errorf("key %q appears twice", k)
		}
		seen[k] = true
	}

	// Reordering questions and options moves strings, never renames them.
	qs := d.Sections[0].Questions
	slices.Reverse(qs)
	slices.Reverse(qs[len(qs)-1].Options)
	after := keys(d)
	slices.Sort(before)
	slices.Sort(after)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("keys changed on reordering (-want +got):\n%s", diff)
	}
}

func TestStringsSourceAndTarget(t *testing.T) {
	d := testDefinition(t)
	got := map[string]survey.String{}
	for _, s := range d.Strings("fa-AF") {
		got[s.Key] = s
	}
	s := got["question.home_safe.option.never.label"]
	if s.Source != "Never" || s.Target != "هرگز" || s.Note == "" {
		t.Errorf("option string = %+v", s)
	}
	// The intro has no Dari: listed with an empty target, to be translated.
	if s, ok := got["intro"]; !ok || s.Target != "" || s.Source == "" {
		t.Errorf("intro = %+v, %v", s, ok)
	}
}

func TestWithTranslation(t *testing.T) {
	d := testDefinition(t)
	tests := []struct {
		name    string
		lang    string
		texts   map[string]string
		wantErr bool
		unknown string
	}{
		{name: "applies", lang: "ar", texts: map[string]string{"question.home_safe.option.never.label": "لا أبداً", "intro": ""}},
		{name: "unknown key", lang: "ar", texts: map[string]string{"question.nope.text": "x", "title": "y"}, wantErr: true, unknown: "question.nope.text"},
		{name: "absent optional text", lang: "ar", texts: map[string]string{"question.home_safe.hint": "x"}, wantErr: true, unknown: "question.home_safe.hint"},
		{name: "English", lang: "en", texts: map[string]string{"title": "x"}, wantErr: true},
		{name: "not a language of the survey", lang: "so", texts: map[string]string{"title": "x"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := d.Strings(tt.lang)
			got, err := d.WithTranslation(tt.lang, tt.texts)
			if diff := cmp.Diff(before, d.Strings(tt.lang)); diff != "" {
				t.Fatalf("the original changed (-want +got):\n%s", diff)
			}
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				var uk *survey.UnknownKeyError
				if tt.unknown != "" && (!errors.As(err, &uk) || uk.Key != tt.unknown) {
					t.Errorf("err = %v, want unknown key %q", err, tt.unknown)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("the copy is invalid: %v", err)
			}
			q, _ := got.Question("home_safe")
			o, _ := q.Option("never")
			if o.Label["ar"] != "لا أبداً" || o.Label["en"] != "Never" {
				t.Errorf("label = %v", o.Label)
			}
			if got.Intro["ar"] != d.Intro["ar"] {
				t.Errorf("an empty text changed the intro to %q", got.Intro["ar"])
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	s := survey.String{Key: "title", Source: "Test survey", Target: "استبيان تجريبي"}
	reviewed := &survey.Review{Key: "title", SourceHash: survey.SourceHash("Test survey"), Text: s.Target, Status: survey.StatusReviewed}
	tests := []struct {
		name string
		s    survey.String
		r    *survey.Review
		want string
	}{
		{"no review", s, nil, survey.StatusDrafted},
		{"reviewed", s, reviewed, survey.StatusReviewed},
		{"English changed since", survey.String{Key: "title", Source: "A test survey", Target: s.Target}, reviewed, survey.StatusDrafted},
		{"text edited since", survey.String{Key: "title", Source: s.Source, Target: "استبيان"}, reviewed, survey.StatusDrafted},
		{"marked drafted", s, &survey.Review{SourceHash: reviewed.SourceHash, Text: s.Target, Status: survey.StatusDrafted}, survey.StatusDrafted},
		{"no text", survey.String{Key: "title", Source: s.Source}, &survey.Review{SourceHash: reviewed.SourceHash, Status: survey.StatusReviewed}, survey.StatusDrafted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := survey.StatusOf(tt.s, tt.r); got != tt.want {
				t.Errorf("StatusOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDraftedLanguagesFollowReviews(t *testing.T) {
	d := testDefinition(t)
	d.Attribution["ar"] = "يتضمن أسئلة من مكتب الإحصاءات الوطنية."
	reviews := map[string]map[string]*survey.Review{"ar": {}}
	for _, s := range d.Strings("ar") {
		reviews["ar"][s.Key] = &survey.Review{Key: s.Key, SourceHash: survey.SourceHash(s.Source), Text: s.Target, Status: survey.StatusReviewed}
	}
	// Arabic has every text, reviewed; Dari lacks some.
	if got, want := d.DraftedLanguages(reviews), []string{"fa-AF"}; !slices.Equal(got, want) {
		t.Fatalf("DraftedLanguages = %v, want %v", got, want)
	}
	// A changed English string makes its translations need review again.
	d.Sections[0].Questions[0].Text["en"] = "Do you feel safe at home?"
	if got, want := d.DraftedLanguages(reviews), []string{"ar", "fa-AF"}; !slices.Equal(got, want) {
		t.Errorf("after an English edit: DraftedLanguages = %v, want %v", got, want)
	}
}
