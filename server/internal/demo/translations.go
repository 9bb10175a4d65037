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

// reviewedSurvey and reviewedLanguage are the translation the demo marks
// reviewed, so that /staff/languages shows a reviewed language.
const (
	reviewedSurvey   = "life-beyond-care"
	reviewedLanguage = "ar"
)

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
	err = s.UpdateTranslationReviews(ctx, id, lang, func(tr *store.TranslationReviews) (bool, error) {
		for _, str := range def.Strings(lang) {
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
