package demo_test

import (
	"context"
	"os"
	"testing"
	"time"

	"yousaid/seed"
	"yousaid/server/internal/demo"
	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestCreateForum(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	files, err := seed.Surveys()
	if err != nil {
		t.Fatal(err)
	}
	def, err := survey.Load(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutSurvey(ctx, def); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCouncil(ctx, &store.Council{Slug: "demo", Name: "Demo", Languages: []string{"en"}, MinCell: 5}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC)
	w := &store.Wave{Council: "demo", Survey: def.ID, Version: def.Version, Name: "Baseline", Access: store.AccessOpen, CreatedAt: now.AddDate(-1, 0, 0)}
	if err := s.CreateWave(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := demo.CreateForum(ctx, s, "demo", w.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.CreateForum(ctx, s, "demo", w.ID, now); err != nil {
		t.Fatalf("second run: %v", err)
	}
	sessions, err := s.CouncilSessions(ctx, "demo", 10)
	if err != nil || len(sessions) != 1 || !sessions[0].Closed() {
		t.Fatalf("sessions: %+v %v", sessions, err)
	}
	tl, err := s.SessionTally(ctx, sessions[0].ID)
	if err != nil || tl.Counts[tally.KeyVotes] != 24 || tally.Check(tl.Counts) != tl.Check {
		t.Errorf("tally: %+v %v", tl, err)
	}
	n := 0
	_ = s.EachVote(ctx, sessions[0].ID, func(*store.Vote) error { n++; return nil })
	if n != 24 {
		t.Errorf("%d votes stored, want 24", n)
	}
	items, err := s.CouncilActions(ctx, "demo", true, 10)
	if err != nil || len(items) != 4 {
		t.Fatalf("published items: %d %v", len(items), err)
	}
	statuses := map[string]int{}
	var verdicts, updates int
	for _, a := range items {
		statuses[a.Status]++
		if a.Status == store.StatusNotPossible && a.Reason["en"] == "" {
			t.Error("not possible without a reason")
		}
		if a.Verdict != nil {
			verdicts++
		}
		updates += len(a.Timeline)
		if a.UpdatedAt.After(now) {
			t.Errorf("item changed in the future: %s", a.UpdatedAt)
		}
	}
	if statuses[store.StatusDone] != 1 || statuses[store.StatusNotPossible] != 1 || statuses[store.StatusInProgress] != 1 || verdicts < 3 || updates < 4 {
		t.Errorf("statuses %v, %d verdicts, %d updates", statuses, verdicts, updates)
	}
}
