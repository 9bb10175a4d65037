package demo_test

import (
	"bytes"
	"context"
	"testing"

	"yousaid/seed"
	"yousaid/server/internal/demo"
	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/survey"
)

// TestCreateClips attaches the seed recording to life-beyond-care's
// home_safe question in Arabic, once, and keeps a clip staff replaced.
func TestCreateClips(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	files, err := seed.Surveys()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		def, err := survey.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutSurvey(ctx, def); err != nil {
			t.Fatal(err)
		}
	}
	seeds, err := seed.Clips()
	if err != nil || len(seeds) != 1 {
		t.Fatalf("seed clips: %d %v", len(seeds), err)
	}
	if n := len(seeds[0].Data); n > 8<<10 {
		t.Errorf("the seed clip weighs %d bytes: keep it a few KB", n)
	}
	for range 2 {
		if err := demo.CreateClips(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	clips, err := s.SurveyClips(ctx, "life-beyond-care")
	if err != nil {
		t.Fatal(err)
	}
	if len(clips) != 1 || clips[0].Question != "home_safe" || clips[0].Language != "ar" || clips[0].Ext != "opus" {
		t.Fatalf("clips after two runs: %+v", clips)
	}
	data, err := s.ClipData(ctx, &clips[0])
	if err != nil || !bytes.Equal(data, seeds[0].Data) {
		t.Fatalf("clip bytes: %d %v", len(data), err)
	}

	// A recording staff put in its place survives a restart.
	replacement := &store.Clip{Survey: "life-beyond-care", Question: "home_safe", Language: "ar", Ext: "mp3", ContentType: "audio/mpeg"}
	if _, err := s.PutClip(ctx, replacement, []byte("staff recording")); err != nil {
		t.Fatal(err)
	}
	if err := demo.CreateClips(ctx, s); err != nil {
		t.Fatal(err)
	}
	clips, err = s.SurveyClips(ctx, "life-beyond-care")
	if err != nil || len(clips) != 1 || clips[0].SHA256 != replacement.SHA256 {
		t.Fatalf("after a restart: %+v %v", clips, err)
	}
}
