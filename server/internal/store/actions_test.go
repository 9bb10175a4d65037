package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// openOn opens a store on database name, as another process would.
func openOn(t *testing.T, name string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.URI(), name, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			_ = s.Drop(context.Background())
		}
		_ = s.Close(context.Background())
	})
	return s
}

func newItem(t *testing.T, s *store.Store) *store.Action {
	t.Helper()
	a := &store.Action{ID: store.NewActionID(), Council: "leeds", YouSaid: map[string]string{"en": "x"},
		WeWill: map[string]string{"en": "y"}, Owner: "Housing", Status: store.StatusProposed}
	got, err := s.CreateAction(context.Background(), a, store.ActionEvent{UserID: "u1", Email: "fac@leeds.example"})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func addUpdate(text string) func(*store.Action) (*store.ActionEvent, error) {
	return func(*store.Action) (*store.ActionEvent, error) {
		return &store.ActionEvent{Kind: store.EventUpdate, UserID: "u1", Email: "fac@leeds.example",
			Delta: store.ActionDelta{Update: &store.TimelineEntry{Text: map[string]string{"en": text}}}}, nil
	}
}

// TestActionEventSeqIsClaimedOnce: two processes (two stores on one
// database, each with its own in-process lock) record changes to one item
// at the same time. The unique (action, seq) decides every race: each
// change gets its own seq, none is lost, and the item reads back with all
// of them, whatever the embedded store did to the item document.
func TestActionEventSeqIsClaimedOnce(t *testing.T) {
	name := storetest.DatabaseName(t)
	a1, a2 := openOn(t, name), openOn(t, name)
	item := newItem(t, a1)
	ctx := context.Background()
	const each = 10
	var wg sync.WaitGroup
	for p, s := range []*store.Store{a1, a2} {
		for i := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.ChangeAction(ctx, item.ID, addUpdate(fmt.Sprintf("p%d-%d", p, i))); err != nil {
					t.Errorf("ChangeAction: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	events, err := a1.ActionEvents(ctx, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1+2*each {
		t.Fatalf("%d events, want %d", len(events), 1+2*each)
	}
	for i, e := range events {
		if e.Seq != i+1 {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
	}
	for _, s := range []*store.Store{a1, a2} {
		got, err := s.Action(ctx, item.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, u := range got.Timeline {
			seen[u.Text["en"]] = true
		}
		if got.Version != 1+2*each || len(got.Timeline) != 2*each || len(seen) != 2*each {
			t.Errorf("item: version %d, %d updates (%d different)", got.Version, len(got.Timeline), len(seen))
		}
	}
}

// TestActionHealsFromItsLog: an item document left behind its log (a
// process died between the event and the projection, or an update was
// lost) is brought up to date by the next read; one that was never
// written is rebuilt from its events.
func TestActionHealsFromItsLog(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	item := newItem(t, s)
	if _, err := s.ChangeAction(ctx, item.ID, addUpdate("first")); err != nil {
		t.Fatal(err)
	}
	owner := "Children's services"
	if _, err := s.ChangeAction(ctx, item.ID, func(*store.Action) (*store.ActionEvent, error) {
		return &store.ActionEvent{Kind: store.EventPatch, Delta: store.ActionDelta{Owner: &owner}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	// Wind the document back to version 1, as a lost write would leave it.
	_, err := s.Database().Collection("actions").UpdateOne(ctx, bson.M{"_id": item.ID},
		bson.M{"$set": bson.M{"version": 1, "owner": "Housing", "timeline": bson.A{}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Action(ctx, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || got.Owner != owner || len(got.Timeline) != 1 {
		t.Errorf("healed item: version %d owner %q, %d updates", got.Version, got.Owner, len(got.Timeline))
	}
	// Gone altogether: rebuilt.
	if _, err := s.Database().Collection("actions").DeleteOne(ctx, bson.M{"_id": item.ID}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Action(ctx, item.ID)
	if err != nil || got.Version != 3 || got.Owner != owner {
		t.Errorf("rebuilt item: %+v %v", got, err)
	}
	if _, err := s.Action(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown item: %v, want ErrNotFound", err)
	}
	// A refused change records nothing.
	refuse := errors.New("no")
	if _, err := s.ChangeAction(ctx, item.ID, func(*store.Action) (*store.ActionEvent, error) { return nil, refuse }); !errors.Is(err, refuse) {
		t.Errorf("refused change: %v", err)
	}
	if events, _ := s.ActionEvents(ctx, item.ID); len(events) != 3 {
		t.Errorf("%d events after a refused change, want 3", len(events))
	}
}

func TestSessionJoinCodes(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	sess := &store.Session{Council: "leeds", Title: "T", MaxChoices: 1,
		Options: []store.SessionOption{{Value: "a", Label: map[string]string{"en": "A"}}}}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{sess.JoinCode, " " + sess.JoinCode[:3] + "-" + sess.JoinCode[3:] + " ", toLower(sess.JoinCode)} {
		got, err := s.SessionByJoinCode(ctx, typed)
		if err != nil || got.ID != sess.ID {
			t.Errorf("%q: %v", typed, err)
		}
	}
	// The unique index, not luck, keeps codes apart.
	dup := &store.Session{ID: "other", Council: "leeds", JoinCode: sess.JoinCode}
	if _, err := s.Database().Collection("sessions").InsertOne(ctx, dup); err == nil {
		t.Error("a second session took the same join code")
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
