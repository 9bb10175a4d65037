// Package demo fills a fresh platform with demo councils and synthetic
// responses, so that every page has something to show: a baseline and a
// follow-up wave a year apart for the demo council (so comparisons appear)
// and two more councils (so the pooled national figure appears). Nothing
// here is real: answers are drawn at random from plausible distributions.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Council is the demo council's slug.
const Council = "demo"

// Password is the password of every demo account. The demo is for trying
// the platform on one machine; never run -demo where real people answer.
const Password = "demo-password"

// Account is a demo sign-in shown on the home page in demo mode.
type Account struct {
	Email, Role string
}

// Accounts are the demo council's staff and forum member, one per role.
var Accounts = []Account{
	{Email: "admin@demo.example", Role: store.RoleCouncilAdmin},
	{Email: "facilitator@demo.example", Role: store.RoleFacilitator},
	{Email: "forum@demo.example", Role: store.RoleCoProducer},
	{Email: "platform@demo.example", Role: store.RolePlatformAdmin},
}

// demoCouncil is one council the demo creates, with its waves.
type demoCouncil struct {
	slug, name string
	languages  []string
	waves      []demoWave
}

type demoWave struct {
	name      string
	created   time.Time
	closed    bool
	responses int
	// better is how strongly answers lean towards the first (usually the
	// better) options: the follow-up wave leans more than the baseline, so
	// the comparison shows change.
	better float64
}

func councils(now time.Time) []demoCouncil {
	var all []string
	for _, l := range locale.Supported() {
		all = append(all, l.Tag)
	}
	lastYear := now.AddDate(-1, 0, 0)
	return []demoCouncil{
		{slug: Council, name: "Demo Council", languages: all, waves: []demoWave{
			{name: fmt.Sprintf("%d baseline", lastYear.Year()), created: lastYear, closed: true, responses: 240, better: 0.0},
			{name: fmt.Sprintf("%d follow-up", now.Year()), created: now, responses: 300, better: 0.35},
		}},
		{slug: "northmoor", name: "Northmoor Council (demo)", languages: []string{"en", "ar", "ps", "ti"}, waves: []demoWave{
			{name: fmt.Sprintf("%d survey", now.Year()), created: now.AddDate(0, -2, 0), responses: 160, better: 0.15},
		}},
		{slug: "eastbrook", name: "Eastbrook Council (demo)", languages: []string{"en", "cy", "fa-AF", "so"}, waves: []demoWave{
			{name: fmt.Sprintf("%d survey", now.Year()), created: now.AddDate(0, -1, 0), responses: 140, better: 0.1},
		}},
	}
}

// Create makes the demo councils with their waves of every national survey
// and synthetic responses, and the demo council's own extension of the
// national survey with an open wave on it, and returns the waves it filled (their tallies
// need counting). It does nothing when the demo council exists already, so
// restarting with -demo is harmless.
func Create(ctx context.Context, s *store.Store, logger *slog.Logger, now time.Time, hash func(string) (string, error)) ([]string, error) {
	_, err := s.Council(ctx, Council)
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	defs, err := s.LatestSurveys(ctx)
	if err != nil {
		return nil, err
	}
	if err := createAccounts(ctx, s, hash); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(2027, 1))
	var waves []string
	for _, dc := range councils(now) {
		err := s.CreateCouncil(ctx, &store.Council{
			Slug: dc.slug, Name: dc.name, Languages: dc.languages, MinCell: 5,
			Contacts: []store.Contact{{Name: dc.name + " leaving care team", Phone: "0113 496 0000", Email: "leaving.care@" + dc.slug + ".example", Hours: "Monday to Friday, 9am to 5pm"}},
		})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return nil, err
		}
		for _, def := range defs {
			for _, dw := range dc.waves {
				id, err := createWave(ctx, s, rng, dc, dw, def)
				if err != nil {
					return nil, err
				}
				waves = append(waves, id)
				logger.Info("demo wave created", "council", dc.slug, "wave", id, "survey", def.ID, "responses", dw.responses)
			}
		}
	}
	ext, err := createExtension(ctx, s, logger, rng, now)
	if err != nil {
		return nil, err
	}
	if ext != "" {
		waves = append(waves, ext)
	}
	return waves, nil
}

func createAccounts(ctx context.Context, s *store.Store, hash func(string) (string, error)) error {
	h, err := hash(Password)
	if err != nil {
		return err
	}
	for _, a := range Accounts {
		council := Council
		if a.Role == store.RolePlatformAdmin {
			council = ""
		}
		err := s.CreateUser(ctx, &store.User{Email: a.Email, PasswordHash: h, Role: a.Role, Council: council})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("demo account %s: %w", a.Email, err)
		}
	}
	return nil
}

func createWave(ctx context.Context, s *store.Store, rng *rand.Rand, dc demoCouncil, dw demoWave, def *survey.Definition) (string, error) {
	w := &store.Wave{Council: dc.slug, Survey: def.ID, Version: def.Version, Name: dw.name, Access: store.AccessOpen, CreatedAt: dw.created.UTC()}
	if dw.closed {
		closed := dw.created.AddDate(0, 2, 0).UTC()
		w.ClosedAt = &closed
	}
	if err := s.UseSurveyVersion(ctx, def.ID, def.Version); err != nil {
		return "", err
	}
	if err := s.CreateWave(ctx, w); err != nil {
		return "", err
	}
	// Answers come in the council's languages that the survey has, mostly English.
	var langs []string
	for _, l := range def.Languages {
		if slices.Contains(dc.languages, l) {
			langs = append(langs, l)
		}
	}
	for i := range dw.responses {
		lang := "en"
		if len(langs) > 1 && rng.IntN(100) < 30 {
			lang = langs[1+rng.IntN(len(langs)-1)]
		}
		r := &store.Response{
			ID: store.ResponseID(w.ID, ""), Wave: w.ID, Survey: def.ID, Version: def.Version, Language: lang,
			Answers: map[string]any(Answers(def, rng, dw.better)),
			Week:    store.ISOWeek(dw.created.AddDate(0, 0, rng.IntN(28))),
		}
		if err := s.InsertResponse(ctx, r); err != nil {
			return "", fmt.Errorf("demo response %d: %w", i, err)
		}
	}
	return w.ID, nil
}

// demoTexts are the free-text answers the demo draws from.
var demoTexts = []string{
	"My PA is great but hard to reach on Fridays.",
	"I want help finding a flat near my college.",
	"Please make the bus pass last until I am 25.",
	"I felt listened to at the last forum.",
	"More help with money and bills please. You can call me on 07700 900123.",
	"I waited months for a decision about my status and nobody explained what was happening.",
}

// Answers draws one synthetic, valid response to def: some questions are
// skipped, conditional questions are answered only when shown, and with
// better > 0 the first options are more likely.
func Answers(def *survey.Definition, rng *rand.Rand, better float64) survey.Answers {
	a := survey.Answers{}
	for _, q := range def.Questions() {
		if !survey.Visible(def, a)[q.ID] {
			continue
		}
		if !q.Required && rng.IntN(100) < 6 {
			continue
		}
		switch q.Type {
		case survey.TypeChoice:
			a[q.ID] = q.Options[pick(rng, len(q.Options), better)].Value
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
			if rng.IntN(100) < 15 {
				a[q.ID] = demoTexts[rng.IntN(len(demoTexts))]
			}
		}
	}
	return a
}

// pick chooses an option index, leaning to the first option by better.
func pick(rng *rand.Rand, n int, better float64) int {
	if rng.Float64() < better {
		return 0
	}
	return min(rng.IntN(n), rng.IntN(n+1))
}
