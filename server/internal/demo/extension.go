package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// ExtensionSurvey is the id of the demo council's own survey: the national
// life-beyond-care survey with two questions about its local offer.
const ExtensionSurvey = "demo-life-beyond-care"

// extensionBase is the national survey the demo council extends.
const extensionBase = "life-beyond-care"

// localOffer is the demo council's local part: one section about the
// local offer (the support a council must publish for its care leavers),
// in English and Arabic; other languages show the English text.
func localOffer() *survey.Definition {
	return &survey.Definition{
		ID: ExtensionSurvey, Version: 1, Council: Council, Extends: extensionBase,
		Languages: []string{"en", "ar"},
		Title: survey.Text{
			"en": "Demo Council care leavers' survey",
			"ar": "استبيان مجلس ديمو للشباب الذين غادروا الرعاية",
		},
		Sections: []survey.Section{{
			ID: "local_offer",
			Title: survey.Text{
				"en": "Our local offer",
				"ar": "عرضنا المحلي",
			},
			Questions: []survey.Question{
				{
					ID: "local_offer_known", Type: survey.TypeChoice,
					Text: survey.Text{
						"en": "Do you know what help Demo Council offers you as a care leaver (our \"local offer\")?",
						"ar": "هل تعرف ما المساعدة التي يقدّمها لك مجلس ديمو بصفتك شاباً غادر الرعاية (\"عرضنا المحلي\")؟",
					},
					Hint: survey.Text{
						"en": "It is fine not to know: your answer helps us explain it better.",
						"ar": "لا بأس إن كنت لا تعرف: إجابتك تساعدنا على شرحه بشكل أفضل.",
					},
					Options: []survey.Option{
						{Value: "yes", Label: survey.Text{"en": "Yes, I know it well", "ar": "نعم، أعرفه جيداً"}},
						{Value: "a_little", Label: survey.Text{"en": "I know a little", "ar": "أعرف القليل"}},
						{Value: "no", Label: survey.Text{"en": "No, nobody has told me", "ar": "لا، لم يخبرني أحد"}},
					},
				},
				{
					ID: "local_offer_helped", Type: survey.TypeChoice,
					Text: survey.Text{
						"en": "Has the help in our local offer made things better for you?",
						"ar": "هل جعلت المساعدة في عرضنا المحلي الأمور أفضل بالنسبة لك؟",
					},
					Options: []survey.Option{
						{Value: "a_lot", Label: survey.Text{"en": "Yes, a lot", "ar": "نعم، كثيراً"}},
						{Value: "a_bit", Label: survey.Text{"en": "A bit", "ar": "قليلاً"}},
						{Value: "not_really", Label: survey.Text{"en": "Not really", "ar": "ليس حقاً"}},
						{Value: "not_used", Label: survey.Text{"en": "I have not used it yet", "ar": "لم أستخدمه بعد"}},
					},
					ShowIf: &survey.Condition{Question: "local_offer_known", In: []string{"yes", "a_little"}},
				},
			},
		}},
	}
}

// createExtension stores the demo council's extension of the national
// survey and opens a wave on it with synthetic responses. It returns the
// wave's id, or "" when the national survey is not stored.
func createExtension(ctx context.Context, s *store.Store, logger *slog.Logger, rng *rand.Rand, now time.Time) (string, error) {
	base, err := s.Survey(ctx, extensionBase, 0)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	def, err := survey.Extend(base, localOffer())
	if err != nil {
		return "", fmt.Errorf("demo extension: %w", err)
	}
	if err := s.UseSurveyVersion(ctx, base.ID, base.Version); err != nil {
		return "", err
	}
	if err := s.PutSurvey(ctx, def); err != nil && !errors.Is(err, store.ErrConflict) {
		return "", err
	}
	dc := demoCouncil{slug: Council, name: "Demo Council", languages: []string{"en", "ar"}}
	dw := demoWave{name: fmt.Sprintf("%d local offer survey", now.Year()), created: now.AddDate(0, 0, -10), responses: 120, better: 0.25}
	id, err := createWave(ctx, s, rng, dc, dw, def)
	if err != nil {
		return "", err
	}
	logger.Info("demo wave created", "council", Council, "wave", id, "survey", def.ID, "responses", dw.responses)
	return id, nil
}
