package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"yousaid/seed"
	"yousaid/server/internal/demo"
	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/survey"
)

// TestCreateMakesTheCouncilExtension: -demo shows a council's own survey,
// an extension of the national one with two local questions (English and
// Arabic), in use by an open wave with synthetic responses.
func TestCreateMakesTheCouncilExtension(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	files, err := seed.Surveys()
	if err != nil {
		t.Fatal(err)
	}
	var base *survey.Definition
	for _, f := range files {
		def, err := survey.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutSurvey(ctx, def); err != nil {
			t.Fatal(err)
		}
		if def.ID == "life-beyond-care" {
			base = def
		}
	}
	now := time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hash := func(string) (string, error) { return "not a real hash", nil }
	if _, err := demo.Create(ctx, s, logger, now, hash); err != nil {
		t.Fatal(err)
	}

	own, err := s.CouncilSurveys(ctx, demo.Council)
	if err != nil || len(own) != 1 {
		t.Fatalf("demo council's surveys: %d, %v; want its extension", len(own), err)
	}
	ext := own[0]
	if ext.ID != demo.ExtensionSurvey || ext.Extends != base.ID || ext.BaseVersion != base.Version || ext.Council != demo.Council {
		t.Errorf("extension %s extends %s@%d of %q", ext.ID, ext.Extends, ext.BaseVersion, ext.Council)
	}
	if err := survey.ValidateExtension(base, ext); err != nil {
		t.Errorf("the stored extension breaks a rule: %v", err)
	}
	local := survey.Local(base, ext)
	var questions []*survey.Question
	for _, sec := range local.Sections {
		for i := range sec.Questions {
			questions = append(questions, &sec.Questions[i])
		}
	}
	if len(local.Sections) != 1 || len(questions) != 2 {
		t.Fatalf("local part: %d sections, %d questions; want 1 and 2", len(local.Sections), len(questions))
	}
	for _, q := range questions {
		if q.Text["ar"] == "" {
			t.Errorf("local question %s has no Arabic text", q.ID)
		}
	}
	if nat, _ := s.LatestSurveys(ctx); len(nat) != len(files) {
		t.Errorf("national surveys: %d, want the %d seed ones only", len(nat), len(files))
	}

	waves, err := s.CouncilWaves(ctx, demo.Council)
	if err != nil {
		t.Fatal(err)
	}
	var wave *store.Wave
	for i := range waves {
		if waves[i].Survey == ext.ID {
			wave = &waves[i]
		}
	}
	if wave == nil || wave.Closed(now) || wave.Version != ext.Version {
		t.Fatalf("no open wave on the extension: %+v", wave)
	}
	versions, err := s.SurveyVersions(ctx, ext.ID)
	if err != nil || len(versions) != 1 || !versions[0].InUse {
		t.Errorf("extension versions: %+v %v; want version 1 in use", versions, err)
	}
	n, answered := 0, 0
	err = s.EachResponse(ctx, wave.ID, func(r *store.Response) error {
		n++
		if r.Answers["local_offer_known"] != nil {
			answered++
		}
		return nil
	})
	if err != nil || n != 120 || answered == 0 {
		t.Errorf("%d responses, %d answering a local question (%v); want 120 and some", n, answered, err)
	}

	if _, err := demo.Create(ctx, s, logger, now, hash); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if own, _ := s.CouncilSurveys(ctx, demo.Council); len(own) != 1 {
		t.Errorf("second run: %d council surveys", len(own))
	}
}
