package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Reviewer is the demo translator, a platform administrator (who reviews
// national surveys), whose review of the Arabic survey text the demo shows.
const Reviewer = "translator@demo.example"

// reviewedLanguage is the language the demo marks reviewed, in the
// national survey and in the demo council's extension (its own texts), so
// that /staff/languages shows a reviewed language.
const reviewedLanguage = "ar"

// reviewTranslations marks the demo's Arabic texts reviewed.
func reviewTranslations(ctx context.Context, s *store.Store, at time.Time) error {
	for _, id := range []string{extensionBase, ExtensionSurvey} {
		if err := reviewTranslation(ctx, s, id, reviewedLanguage, at); err != nil {
			return err
		}
	}
	return nil
}

// reviewTranslation records Reviewer's review of every text of the survey's
// newest version in lang, as an upload of the downloaded file with every
// "fuzzy" mark cleared would: the texts stay as they are, each reviewed
// against its English. A survey that is not stored, or lacks the language,
// is left alone.
func reviewTranslation(ctx context.Context, s *store.Store, id, lang string, at time.Time) error {
	def, err := s.Survey(ctx, id, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !def.HasLanguage(lang) {
		return nil
	}
	part := def
	if def.Extends != "" {
		// An extension's national texts are the national survey's to review.
		base, err := s.Survey(ctx, def.Extends, def.BaseVersion)
		if err != nil {
			return err
		}
		part = survey.Local(base, def)
	}
	err = s.UpdateTranslationReviews(ctx, id, lang, func(tr *store.TranslationReviews) (bool, error) {
		for _, str := range part.Strings(lang) {
			if str.Target == "" {
				continue
			}
			tr.Reviews[str.Key] = &survey.Review{Key: str.Key, SourceHash: survey.SourceHash(str.Source), Text: str.Target,
				Status: survey.StatusReviewed, By: Reviewer, At: at.UTC()}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("demo: reviewing the %s text of %s: %w", lang, id, err)
	}
	return nil
}
