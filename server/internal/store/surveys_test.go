package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/survey"
)

// smallSurvey is a valid one-question survey.
func smallSurvey(id, council, text string) *survey.Definition {
	return &survey.Definition{
		ID: id, Version: 1, Council: council, Languages: []string{"en"}, Title: survey.Text{"en": "A survey"},
		Sections: []survey.Section{{ID: "s", Title: survey.Text{"en": "S"}, Questions: []survey.Question{
			{ID: "q", Type: survey.TypeText, Text: survey.Text{"en": text}},
		}}},
	}
}

func TestSaveSurveyInPlaceUntilInUse(t *testing.T) {
	clock := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	s := storetest.Open(t, store.Options{Now: func() time.Time { return clock }})
	ctx := context.Background()
	if err := s.PutSurvey(ctx, smallSurvey("leeds-local", "leeds", "First")); err != nil {
		t.Fatal(err)
	}
	save := func(text string) int {
		t.Helper()
		clock = clock.Add(time.Hour)
		def := smallSurvey("leeds-local", "leeds", text)
		v, err := s.SaveSurvey(ctx, def)
		if err != nil {
			t.Fatalf("SaveSurvey(%q): %v", text, err)
		}
		if def.Version != v {
			t.Errorf("def.Version = %d, want the version written, %d", def.Version, v)
		}
		return v
	}
	textOf := func(version int) string {
		t.Helper()
		def, err := s.Survey(ctx, "leeds-local", version)
		if err != nil {
			t.Fatal(err)
		}
		return def.Sections[0].Questions[0].Text["en"]
	}

	if v := save("Second"); v != 1 {
		t.Errorf("an unused version saved as %d, want 1 (in place)", v)
	}
	if got := textOf(1); got != "Second" {
		t.Errorf("version 1 says %q, want the saved text", got)
	}
	if err := s.UseSurveyVersion(ctx, "leeds-local", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.UseSurveyVersion(ctx, "leeds-local", 1); err != nil {
		t.Fatalf("marking again: %v", err)
	}
	if v := save("Third"); v != 2 {
		t.Errorf("an edit of a version in use saved as %d, want 2", v)
	}
	if v := save("Fourth"); v != 2 {
		t.Errorf("an edit of the unused version 2 saved as %d, want 2 (in place)", v)
	}
	if got := textOf(1); got != "Second" {
		t.Errorf("the version in use changed to %q", got)
	}
	if got := textOf(0); got != "Fourth" {
		t.Errorf("the newest version says %q, want Fourth", got)
	}
	_, inUse, err := s.SurveyInUse(ctx, "leeds-local", 1)
	if err != nil || !inUse {
		t.Errorf("SurveyInUse(1) = %v, %v; want in use", inUse, err)
	}

	got, err := s.SurveyVersions(ctx, "leeds-local")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.SurveyVersion{
		{Version: 1, CreatedAt: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC), InUse: true},
		{Version: 2, CreatedAt: time.Date(2027, 1, 1, 11, 0, 0, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SurveyVersions mismatch (-want +got):\n%s", diff)
	}

	if _, err := s.SurveyVersions(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SurveyVersions(nope) = %v, want ErrNotFound", err)
	}
	if _, err := s.SaveSurvey(ctx, smallSurvey("nope", "", "x")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SaveSurvey of an unknown survey = %v, want ErrNotFound", err)
	}
	if err := s.UseSurveyVersion(ctx, "leeds-local", 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseSurveyVersion of an unknown version = %v, want ErrNotFound", err)
	}
}

// TestSaveSurveyRacingAWave: saves and a wave taking the version at the
// same moment never change the version the wave took.
func TestSaveSurveyRacingAWave(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	if err := s.PutSurvey(ctx, smallSurvey("race", "", "Original")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.SaveSurvey(ctx, smallSurvey("race", "", "Edit")); err != nil && !errors.Is(err, store.ErrConflict) {
				t.Errorf("save %d: %v", i, err)
			}
		}()
	}
	if err := s.UseSurveyVersion(ctx, "race", 1); err != nil {
		t.Fatal(err)
	}
	taken, err := s.Survey(ctx, "race", 1)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	again, err := s.Survey(ctx, "race", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(taken, again); diff != "" {
		t.Errorf("version 1 changed after a wave took it (-took +now):\n%s", diff)
	}
}

func TestSurveyLists(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	national := smallSurvey("national", "", "x")
	ext := smallSurvey("leeds-ext", "leeds", "x")
	ext.Extends, ext.BaseVersion = "national", 1
	for _, d := range []*survey.Definition{national, ext, smallSurvey("york-own", "york", "x")} {
		if err := s.PutSurvey(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	// A national survey stored before surveys had owners has no council field.
	old := smallSurvey("older", "", "x")
	if err := s.PutSurvey(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Database().Collection("surveys").UpdateOne(ctx, bson.M{"_id": "older@1"}, bson.M{"$unset": bson.M{"council": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSurvey(ctx, smallSurvey("national", "", "y")); err != nil {
		t.Fatal(err)
	}

	ids := func(defs []*survey.Definition, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range defs {
			out = append(out, d.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		got  []string
		want []string
	}{
		{"LatestSurveys", ids(s.LatestSurveys(ctx)), []string{"national", "older"}},
		{"CouncilSurveys(leeds)", ids(s.CouncilSurveys(ctx, "leeds")), []string{"leeds-ext"}},
		{"CouncilSurveys(york)", ids(s.CouncilSurveys(ctx, "york")), []string{"york-own"}},
		{"AllLatestSurveys", ids(s.AllLatestSurveys(ctx)), []string{"leeds-ext", "national", "older", "york-own"}},
	} {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	got, err := s.SurveyExtensions(ctx, "national")
	if err != nil || !cmp.Equal([]string{"leeds-ext"}, got) {
		t.Errorf("SurveyExtensions(national) = %v, %v", got, err)
	}
}

// TestMarkUsedSurveyVersions: waves opened before versions were marked
// hold their versions after the start-up pass.
func TestMarkUsedSurveyVersions(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	if err := s.PutSurvey(ctx, smallSurvey("legacy", "", "Original")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateWave(ctx, &store.Wave{Council: "leeds", Survey: "legacy", Version: 1, Name: "Old", Access: store.AccessOpen}); err != nil {
		t.Fatal(err)
	}
	// Even before the start-up pass, a save sees the wave.
	if err := s.PutSurvey(ctx, smallSurvey("unmarked", "", "Original")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateWave(ctx, &store.Wave{Council: "leeds", Survey: "unmarked", Version: 1, Name: "Old", Access: store.AccessOpen}); err != nil {
		t.Fatal(err)
	}
	if _, inUse, err := s.SurveyInUse(ctx, "unmarked", 1); err != nil || !inUse {
		t.Errorf("SurveyInUse of a version a wave uses = %v, %v; want true", inUse, err)
	}
	if v, err := s.SaveSurvey(ctx, smallSurvey("unmarked", "", "Edit")); err != nil || v != 2 {
		t.Errorf("SaveSurvey of a version a wave uses = %d, %v; want version 2", v, err)
	}
	if err := s.MarkUsedSurveyVersions(ctx); err != nil {
		t.Fatal(err)
	}
	if _, inUse, err := s.SurveyInUse(ctx, "legacy", 1); err != nil || !inUse {
		t.Errorf("legacy@1 in use = %v, %v; want true", inUse, err)
	}
	if v, err := s.SaveSurvey(ctx, smallSurvey("legacy", "", "Edit")); err != nil || v != 2 {
		t.Errorf("SaveSurvey = %d, %v; want version 2", v, err)
	}
}
