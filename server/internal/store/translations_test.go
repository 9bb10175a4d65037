package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/survey"
)

func TestTranslationReviews(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	title := &survey.Review{Key: "title", SourceHash: survey.SourceHash("Test"), Text: "اختبار", Status: survey.StatusReviewed, By: "amira@example.org", At: at}

	empty, err := s.TranslationReviews(ctx, "test-survey", "ar")
	if err != nil || empty.Rev != 0 || len(empty.Reviews) != 0 {
		t.Fatalf("no reviews yet: %+v, %v", empty, err)
	}
	if err := s.UpdateTranslationReviews(ctx, "test-survey", "ar", func(tr *store.TranslationReviews) (bool, error) {
		tr.Reviews["title"] = title
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	// A failing change writes nothing.
	refused := errors.New("refused")
	if err := s.UpdateTranslationReviews(ctx, "test-survey", "ar", func(tr *store.TranslationReviews) (bool, error) {
		delete(tr.Reviews, "title")
		return true, refused
	}); !errors.Is(err, refused) {
		t.Fatalf("err = %v, want the change's error", err)
	}
	got, err := s.TranslationReviews(ctx, "test-survey", "ar")
	if err != nil {
		t.Fatal(err)
	}
	want := &store.TranslationReviews{Scope: "test-survey", Lang: "ar", Rev: 1, Reviews: map[string]*survey.Review{"title": title}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	all, err := s.AllTranslationReviews(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, all["test-survey"]["ar"]); diff != "" || len(all) != 1 {
		t.Errorf("AllTranslationReviews mismatch (-want +got):\n%s", diff)
	}
	// The second write replaces the first, revision by revision.
	if err := s.UpdateTranslationReviews(ctx, "test-survey", "ar", func(tr *store.TranslationReviews) (bool, error) {
		tr.Reviews["intro"] = &survey.Review{Key: "intro", Status: survey.StatusDrafted, At: at}
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	// A change that changes nothing writes nothing.
	if err := s.UpdateTranslationReviews(ctx, "test-survey", "fr", func(tr *store.TranslationReviews) (bool, error) {
		return false, nil
	}); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.AllTranslationReviews(ctx); all["test-survey"]["fr"] != nil {
		t.Error("a change of nothing was written")
	}
	if got, _ := s.TranslationReviews(ctx, "test-survey", "ar"); got.Rev != 2 || len(got.Reviews) != 2 {
		t.Errorf("after a second write: rev %d, %d reviews", got.Rev, len(got.Reviews))
	}
}
