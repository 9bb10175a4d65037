package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/server/internal/tally"
)

// forumVotes is how many young people vote in the demo session.
const forumVotes = 24

// CreateForum gives council a Care Leavers' Forum's work: a closed session
// that voted on the top priorities of wave (waveID, which should be the
// council's earlier wave, so that a later one shows before and after),
// and a published action plan grown from it over the months since the
// wave opened: items in progress, done and not possible (with its
// reason), dated updates and the forum's verdicts. It does nothing when
// the council has action items already, so a restart is harmless.
func CreateForum(ctx context.Context, s *store.Store, council string, waveID string, now time.Time) error {
	existing, err := s.CouncilActions(ctx, council, false, 1)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return nil
	}
	w, err := s.Wave(ctx, waveID)
	if err != nil {
		return fmt.Errorf("demo.CreateForum: wave %s: %w", waveID, err)
	}
	if w.Council != council {
		return fmt.Errorf("demo.CreateForum: wave %s is not %s's", waveID, council)
	}
	def, err := s.Survey(ctx, w.Survey, w.Version)
	if err != nil {
		return err
	}
	q, ok := def.Question(def.Priorities)
	if !ok || len(q.Options) < 4 {
		return fmt.Errorf("demo.CreateForum: survey %s has no priorities question to vote on", def.ID)
	}

	// The session, a few weeks after the wave opened.
	held := w.CreatedAt.AddDate(0, 0, 75)
	if held.After(now) {
		held = now.Add(-time.Hour)
	}
	sess := &store.Session{Council: council, Wave: w.ID, Title: "What should we work on first?", MaxChoices: 2, CreatedAt: held.UTC()}
	for _, o := range q.Options[:5] {
		sess.Options = append(sess.Options, store.SessionOption{Value: o.Value, Label: map[string]string(o.Label)})
	}
	if err := s.CreateSession(ctx, sess); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2027, 5))
	counts := map[string]int64{tally.KeyVotes: 0}
	weights := []int{9, 5, 8, 3, 2} // the first and third options lead
	for i := range forumVotes {
		choices := []string{pickWeighted(rng, sess.Options, weights)}
		if i%2 == 0 {
			if second := pickWeighted(rng, sess.Options, weights); second != choices[0] {
				choices = append(choices, second)
			}
		}
		slices.SortFunc(choices, func(a, b string) int { return optionIndex(sess, a) - optionIndex(sess, b) })
		if err := s.InsertVote(ctx, &store.Vote{ID: store.VoteID(sess.ID, ""), Session: sess.ID, Choices: choices}); err != nil {
			return err
		}
		counts[tally.KeyVotes]++
		for _, c := range choices {
			counts[tally.KeyChoice(c)]++
		}
	}
	if err := s.ReplaceSessionTally(ctx, store.SessionTally{ID: sess.ID, Counts: counts, Check: tally.Check(counts)}); err != nil {
		return err
	}
	if _, err := s.CloseSession(ctx, sess.ID); err != nil {
		return err
	}

	fac := actorFor(ctx, s, "facilitator@demo.example")
	admin := actorFor(ctx, s, "admin@demo.example")
	forum := actorFor(ctx, s, "forum@demo.example")
	day := func(n int) time.Time {
		t := held.AddDate(0, 0, n).UTC()
		if t.After(now) {
			t = now.UTC()
		}
		return t
	}
	evidence := []store.EvidenceRef{{Kind: store.EvidenceSession, Session: sess.ID}}
	indicator := func(id string) []store.EvidenceRef {
		for _, ind := range def.Indicators {
			if ind.ID == id {
				return append([]store.EvidenceRef{{Kind: store.EvidenceIndicator, Wave: w.ID, Indicator: id}}, evidence...)
			}
		}
		return evidence
	}
	if texts, err := s.Texts(ctx, w.ID, store.TextApproved, 1); err == nil && len(texts) == 1 {
		evidence = append(evidence, store.EvidenceRef{Kind: store.EvidenceQuote, Wave: w.ID, Quote: texts[0].ID})
	}

	items := []demoItem{
		{
			youSaid: "We don't always feel safe where we live.",
			weWill:  "Offer a video doorbell and a door chain to every care leaver living on their own who wants one.",
			owner:   "Housing", due: day(240), evidence: indicator("not_safe_home"),
			moves: []string{store.StatusAgreed, store.StatusInProgress, store.StatusDone},
			updates: []string{
				"<p>We agreed the scheme with the Care Leavers' Forum and ordered <b>150 doorbells</b>.</p>",
				"<p>Fitting has started. Ask your personal adviser if you would like one.</p>",
				"<p>All done: <b>132</b> homes have a doorbell. <a href=\"https://www.example.org/doorbells\">How the scheme works</a>.</p>",
			},
			verdicts: []demoVerdict{{store.VerdictNotYet, "Good start, but people in shared flats were left out."}, {store.VerdictAgreed, "This is what we asked for."}},
		},
		{
			youSaid: "Money runs out before the end of the month.",
			weWill:  "Pay the setting-up-home allowance in two parts, and give every care leaver a budgeting session with a money adviser.",
			owner:   "Leaving care team", due: day(300), evidence: indicator("struggling_financially"),
			moves: []string{store.StatusAgreed, store.StatusInProgress},
			updates: []string{
				"<p>The first budgeting sessions ran in the youth centre:</p><ul><li>Tuesdays 4 to 6pm</li><li>Thursdays 5 to 7pm</li></ul>",
			},
			verdicts: []demoVerdict{{store.VerdictAgreed, "Yes, and please keep the evening sessions."}},
		},
		{
			youSaid: "We want a say in the plans for our future.",
			weWill:  "Invite two members of the Care Leavers' Forum to every corporate parenting board meeting.",
			owner:   "Participation team", due: day(120), evidence: indicator("involved_in_plans"),
			moves:   []string{store.StatusAgreed},
			updates: []string{"<p>The board agreed. The first meeting with forum members is in the spring.</p>"},
		},
		{
			youSaid: "We want free bus travel until we are 25.",
			weWill:  "Ask the transport authority for free bus passes for care leavers up to 25.",
			owner:   "Transport", evidence: evidence,
			moves:    []string{store.StatusAgreed, store.StatusNotPossible},
			reason:   "The bus company would not agree to free passes. Instead we now pay for a bus pass for the first year after leaving care, and for travel to college or work after that.",
			verdicts: []demoVerdict{{store.VerdictNotWhatWeAsked, "A year is not enough. We will keep asking."}},
		},
	}
	rich := page.NewRichText()
	for i, it := range items {
		if err := it.create(ctx, s, rich, council, fac, admin, forum, day(7+i*3), now.UTC()); err != nil {
			return fmt.Errorf("demo.CreateForum: item %d: %w", i+1, err)
		}
	}
	return nil
}

type demoItem struct {
	youSaid, weWill, owner, reason string
	due                            time.Time
	evidence                       []store.EvidenceRef
	moves                          []string
	updates                        []string
	verdicts                       []demoVerdict
}

type demoVerdict struct{ verdict, comment string }

// create records an item the way staff would have, one event at a time,
// dated from start onwards: drafted, the forum's first verdict before
// publication, moved along with updates between moves, published, and
// the forum's last verdict once finished.
func (it demoItem) create(ctx context.Context, s *store.Store, rich *page.RichText, council string, fac, admin, forum store.ActionEvent, start, now time.Time) error {
	a := &store.Action{ID: store.NewActionID(), Council: council, YouSaid: map[string]string{"en": it.youSaid},
		WeWill: map[string]string{"en": it.weWill}, Owner: it.owner, Status: store.StatusProposed, Evidence: it.evidence}
	if !it.due.IsZero() {
		a.Due = it.due.Format(time.DateOnly)
	}
	at := start
	next := func() time.Time {
		if at = at.Add(9 * 24 * time.Hour); at.After(now) {
			at = now
		}
		return at
	}
	e := fac
	e.At = at
	e.Changes = []store.Change{{Field: "status", After: store.StatusProposed}}
	if _, err := s.CreateAction(ctx, a, e); err != nil {
		return err
	}
	change := func(by store.ActionEvent, kind string, d store.ActionDelta, ch store.Change) error {
		by.Kind, by.Delta, by.At, by.Changes = kind, d, next(), []store.Change{ch}
		_, err := s.ChangeAction(ctx, a.ID, func(*store.Action) (*store.ActionEvent, error) { ev := by; return &ev, nil })
		return err
	}
	verdicts := it.verdicts
	if len(verdicts) > 1 {
		v := verdicts[0]
		verdicts = verdicts[1:]
		if err := change(forum, store.EventVerdict, store.ActionDelta{Verdict: &store.Verdict{Verdict: v.verdict, Comment: map[string]string{"en": v.comment}}},
			store.Change{Field: "verdict", After: v.verdict}); err != nil {
			return err
		}
	}
	published := false
	updates := it.updates
	prev := store.StatusProposed
	for _, st := range it.moves {
		d := store.ActionDelta{Status: &st}
		if st == store.StatusNotPossible {
			d.Reason = map[string]string{"en": it.reason}
		}
		if err := change(fac, store.EventPatch, d, store.Change{Field: "status", Before: prev, After: st}); err != nil {
			return err
		}
		prev = st
		if !published {
			yes := true
			if err := change(admin, store.EventPublish, store.ActionDelta{Published: &yes}, store.Change{Field: "published", Before: "false", After: "true"}); err != nil {
				return err
			}
			published = true
		}
		if len(updates) > 0 && st != store.StatusNotPossible {
			u := rich.Sanitise(updates[0]) // as staff's updates are, before they are stored
			updates = updates[1:]
			if err := change(fac, store.EventUpdate, store.ActionDelta{Update: &store.TimelineEntry{Text: map[string]string{"en": u}}},
				store.Change{Field: "timeline", After: u}); err != nil {
				return err
			}
		}
	}
	for _, v := range verdicts {
		if err := change(forum, store.EventVerdict, store.ActionDelta{Verdict: &store.Verdict{Verdict: v.verdict, Comment: map[string]string{"en": v.comment}}},
			store.Change{Field: "verdict", After: v.verdict}); err != nil {
			return err
		}
	}
	return nil
}

// actorFor attributes demo changes to a demo account, or to its email
// alone when the account is missing.
func actorFor(ctx context.Context, s *store.Store, email string) store.ActionEvent {
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || err != nil {
		return store.ActionEvent{UserID: "demo", Email: email}
	}
	return store.ActionEvent{UserID: u.ID, Email: u.Email}
}

func pickWeighted(rng *rand.Rand, opts []store.SessionOption, weights []int) string {
	total := 0
	for i := range opts {
		total += weights[i%len(weights)]
	}
	n := rng.IntN(total)
	for i, o := range opts {
		n -= weights[i%len(weights)]
		if n < 0 {
			return o.Value
		}
	}
	return opts[0].Value
}

func optionIndex(sess *store.Session, v string) int {
	for i, o := range sess.Options {
		if o.Value == v {
			return i
		}
	}
	return len(sess.Options)
}
