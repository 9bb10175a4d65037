package demo

import (
	"context"
	"fmt"

	"yousaid/seed"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// CreateClips attaches the seed recordings (seed/audio) to their surveys'
// questions, so that the demo survey shows a play control, in Arabic for
// life-beyond-care's home_safe question. A question that has a recording
// in that language already keeps it, so a restart is harmless and a clip
// staff replaced stays replaced.
func CreateClips(ctx context.Context, s *store.Store) error {
	clips, err := seed.Clips()
	if err != nil {
		return err
	}
	for _, c := range clips {
		def, err := s.Survey(ctx, c.Survey, 0)
		if err != nil {
			return fmt.Errorf("demo.CreateClips: survey %s: %w", c.Survey, err)
		}
		if _, ok := def.Question(c.Question); !ok || !def.HasLanguage(c.Language) {
			return fmt.Errorf("demo.CreateClips: %s has no question %s in %s", c.Survey, c.Question, c.Language)
		}
		existing, err := s.SurveyClips(ctx, c.Survey)
		if err != nil {
			return err
		}
		if hasClip(existing, c.Question, c.Language) {
			continue
		}
		format, err := survey.DetectClip(c.Data)
		if err != nil {
			return fmt.Errorf("demo.CreateClips: %s %s %s: %w", c.Survey, c.Question, c.Language, err)
		}
		clip := &store.Clip{
			Survey: c.Survey, Question: c.Question, Language: c.Language,
			Ext: format.Ext, ContentType: format.ContentType, UploadedBy: store.SystemActor, UploadedByEmail: "yousaid demo",
		}
		if _, err := s.PutClip(ctx, clip, c.Data); err != nil {
			return err
		}
	}
	return nil
}

func hasClip(clips []store.Clip, question, language string) bool {
	for _, c := range clips {
		if c.Question == question && c.Language == language {
			return true
		}
	}
	return false
}
