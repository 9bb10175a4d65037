// Package demo fills a fresh platform with a demo council and synthetic
// responses, so that every page has something to show. Nothing here is
// real: the answers are drawn at random from plausible distributions.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Council is the demo council's slug.
const Council = "demo"

// ResponsesPerWave is how many synthetic responses each demo wave gets.
const ResponsesPerWave = 300

// Create makes the demo council with an open wave of every stored survey
// and synthetic responses in each, and returns the waves it filled (their
// tallies need counting). It does nothing when the demo council exists
// already, so restarting with -demo is harmless.
func Create(ctx context.Context, s *store.Store, logger *slog.Logger) ([]string, error) {
	_, err := s.Council(ctx, Council)
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var langs []string
	for _, l := range locale.Supported() {
		langs = append(langs, l.Tag)
	}
	err = s.CreateCouncil(ctx, &store.Council{
		Slug: Council, Name: "Demo Council", Languages: langs, MinCell: 5,
		Contacts: []store.Contact{{Name: "Demo Council leaving care team", Phone: "0113 496 0000", Email: "leaving.care@demo.example", Hours: "Monday to Friday, 9am to 5pm"}},
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return nil, err
	}
	defs, err := s.LatestSurveys(ctx)
	if err != nil {
		return nil, err
	}
	var waves []string
	rng := rand.New(rand.NewPCG(2027, 1))
	for _, def := range defs {
		w := &store.Wave{Council: Council, Survey: def.ID, Version: def.Version, Name: "Demo wave", Access: store.AccessOpen}
		if err := s.CreateWave(ctx, w); err != nil {
			return nil, err
		}
		waves = append(waves, w.ID)
		for i := range ResponsesPerWave {
			r := &store.Response{
				ID: store.ResponseID(w.ID, ""), Wave: w.ID, Survey: def.ID, Version: def.Version,
				Language: def.Languages[rng.IntN(len(def.Languages))],
				Answers:  map[string]any(Answers(def, rng)),
			}
			if err := s.InsertResponse(ctx, r); err != nil {
				return nil, fmt.Errorf("demo response %d: %w", i, err)
			}
		}
		logger.Info("demo wave created", "council", Council, "wave", w.ID, "survey", def.ID, "responses", ResponsesPerWave)
	}
	return waves, nil
}

// demoTexts are the free-text answers the demo draws from.
var demoTexts = []string{
	"My PA is great but hard to reach on Fridays.",
	"I want help finding a flat near my college.",
	"Please make the bus pass last until I am 25.",
	"I felt listened to at the last forum.",
	"More help with money and bills please.",
}

// Answers draws one synthetic, valid response to def: some questions are
// skipped, conditional questions are answered only when shown, earlier
// options and middling scale values are a little more likely.
func Answers(def *survey.Definition, rng *rand.Rand) survey.Answers {
	a := survey.Answers{}
	for _, q := range def.Questions() {
		if q.ShowIf != nil && !conditionMet(q.ShowIf, a) {
			continue
		}
		if !q.Required && rng.IntN(100) < 6 {
			continue
		}
		switch q.Type {
		case survey.TypeChoice:
			a[q.ID] = q.Options[skewed(rng, len(q.Options))].Value
		case survey.TypeMulti:
			n := 1 + rng.IntN(3)
			if q.MaxChoices > 0 && n > q.MaxChoices {
				n = q.MaxChoices
			}
			var picks []string
			for _, i := range rng.Perm(len(q.Options))[:min(n, len(q.Options))] {
				picks = append(picks, q.Options[i].Value)
			}
			a[q.ID] = picks
		case survey.TypeScale:
			lo, hi := *q.Min, *q.Max
			v := (rng.IntN(hi-lo+1) + rng.IntN(hi-lo+1) + rng.IntN(hi-lo+1)) / 3
			a[q.ID] = lo + v
		case survey.TypeText:
			if rng.IntN(100) < 20 {
				a[q.ID] = demoTexts[rng.IntN(len(demoTexts))]
			}
		}
	}
	return a
}

func skewed(rng *rand.Rand, n int) int {
	return min(rng.IntN(n), rng.IntN(n+1))
}

func conditionMet(cond *survey.Condition, a survey.Answers) bool {
	switch v := a[cond.Question].(type) {
	case string:
		for _, in := range cond.In {
			if v == in {
				return true
			}
		}
	case []string:
		for _, x := range v {
			for _, in := range cond.In {
				if x == in {
					return true
				}
			}
		}
	}
	return false
}
