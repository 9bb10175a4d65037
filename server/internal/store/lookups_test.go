package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// draws hands out codes in order, then the last one for ever.
func draws(codes ...string) func() string {
	var mu sync.Mutex
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		c := codes[0]
		if len(codes) > 1 {
			codes = codes[1:]
		}
		return c
	}
}

func newSession() *store.Session {
	return &store.Session{Council: "leeds", Title: "T", MaxChoices: 1,
		Options: []store.SessionOption{{Value: "a", Label: map[string]string{"en": "A"}}}}
}

// TestJoinCodeTakenIsDrawnAgain: a code claimed already, by a session or by
// a claim whose session was never stored, is never given to a second
// session; a stale claim opens nothing.
func TestJoinCodeTakenIsDrawnAgain(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	// A creation that claimed GHOST2 and died before storing its session.
	if _, err := s.Database().Collection("join_codes").InsertOne(ctx, bson.M{"_id": "GHOST2", "session": "never-stored"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByJoinCode(ctx, "ghost2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a stale claim: %v, want ErrNotFound", err)
	}

	first, second, third := newSession(), newSession(), newSession()
	store.SetJoinCodeDraw(s, draws("AAAA22"))
	if err := s.CreateSession(ctx, first); err != nil {
		t.Fatal(err)
	}
	store.SetJoinCodeDraw(s, draws("AAAA22", "GHOST2", "BBBB33"))
	if err := s.CreateSession(ctx, second); err != nil {
		t.Fatal(err)
	}
	if second.JoinCode != "BBBB33" {
		t.Errorf("second session's code %q, want BBBB33 (AAAA22 and GHOST2 are taken)", second.JoinCode)
	}
	store.SetJoinCodeDraw(s, draws("AAAA22"))
	if err := s.CreateSession(ctx, third); err == nil {
		t.Error("a session was created though every code it drew was taken")
	}

	for code, want := range map[string]string{"aaaa22": first.ID, "BBBB-33": second.ID} {
		got, err := s.SessionByJoinCode(ctx, code)
		if err != nil || got.ID != want {
			t.Errorf("%s: %v, %v, want session %s", code, got, err, want)
		}
	}
	if got, err := s.CouncilSessions(ctx, "leeds", 10); err != nil || len(got) != 2 {
		t.Errorf("%d sessions stored (%v), want 2", len(got), err)
	}
}

// TestUserEmailIsUnique: a user is found by their email however it is
// typed, and a second account with that email is refused.
func TestUserEmailIsUnique(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	u := &store.User{Email: " Ana@Council.Example ", Role: store.RoleFacilitator, Council: "leeds"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"ana@council.example", "ANA@council.EXAMPLE ", "\tana@council.example"} {
		got, err := s.UserByEmail(ctx, typed)
		if err != nil || got.ID != u.ID || got.Email != "ana@council.example" {
			t.Errorf("%q: %+v, %v", typed, got, err)
		}
	}
	if err := s.CreateUser(ctx, &store.User{Email: "ANA@council.example", Role: store.RoleCoProducer}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second account with the email: %v, want ErrConflict", err)
	}
	if _, err := s.UserByEmail(ctx, "bob@council.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown email: %v, want ErrNotFound", err)
	}
	if n := countUsers(t, s, "ana@council.example"); n != 1 {
		t.Errorf("%d users with the email, want 1", n)
	}
}

func countUsers(t *testing.T, s *store.Store, email string) int64 {
	t.Helper()
	n, err := s.Database().Collection("users").CountDocuments(context.Background(), bson.M{"email": email})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCreateUserRace: of several creations with one email at once, exactly
// one succeeds, the others get ErrConflict, and the email finds the one
// that succeeded. "stale claim" starts from a claim whose user was never
// stored, so that every creation has to take it over.
func TestCreateUserRace(t *testing.T) {
	for _, stale := range []bool{false, true} {
		name := "fresh"
		if stale {
			name = "stale claim"
		}
		t.Run(name, func(t *testing.T) {
			s := storetest.Open(t, store.Options{})
			ctx := context.Background()
			const email = "race@council.example"
			if stale {
				if _, err := s.Database().Collection("user_emails").InsertOne(ctx, bson.M{"_id": email, "user": "never-stored"}); err != nil {
					t.Fatal(err)
				}
			}
			const n = 6
			users := make([]*store.User, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				users[i] = &store.User{Email: email, Role: store.RoleFacilitator, Council: "leeds"}
				wg.Go(func() { errs[i] = s.CreateUser(ctx, users[i]) })
			}
			wg.Wait()
			var winner *store.User
			for i, err := range errs {
				switch {
				case err == nil && winner == nil:
					winner = users[i]
				case err == nil:
					t.Errorf("two creations succeeded: %s and %s", winner.ID, users[i].ID)
				case !errors.Is(err, store.ErrConflict):
					t.Errorf("creation %d: %v, want ErrConflict", i, err)
				}
			}
			if winner == nil {
				t.Fatal("no creation succeeded")
			}
			if got := countUsers(t, s, email); got != 1 {
				t.Errorf("%d users stored, want 1", got)
			}
			if got, err := s.UserByEmail(ctx, email); err != nil || got.ID != winner.ID {
				t.Errorf("the email finds %+v (%v), want user %s", got, err, winner.ID)
			}
		})
	}
}

// TestCreateUserRepointsAStaleClaim: a user whose lookup names another id
// (a takeover that stored its user but failed to point the claim) is
// found again as soon as someone tries to create the email again, without
// waiting for the next Open.
func TestCreateUserRepointsAStaleClaim(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	const email = "half@council.example"
	if _, err := s.Database().Collection("users").InsertOne(ctx, bson.M{"_id": "u-half", "email": email, "role": store.RoleFacilitator}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Database().Collection("user_emails").InsertOne(ctx, bson.M{"_id": email, "user": "never-stored"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByEmail(ctx, email); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("before: %v, want ErrNotFound (the claim names no user)", err)
	}
	if err := s.CreateUser(ctx, &store.User{Email: email, Role: store.RoleCoProducer}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("creation: %v, want ErrConflict", err)
	}
	if got, err := s.UserByEmail(ctx, email); err != nil || got.ID != "u-half" {
		t.Errorf("after: %+v, %v, want u-half", got, err)
	}
}

// TestLookupsBackfilledOnOpen: sessions and users stored before lookups
// existed (or restored from a backup of that time), and a user whose
// lookup is a stale claim, are found once the store is opened again; a
// second opening changes nothing.
func TestLookupsBackfilledOnOpen(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	created := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	raw := []struct {
		collection string
		doc        bson.M
	}{
		{"sessions", bson.M{"_id": "old-session", "council": "leeds", "title": "T", "join_code": "OLD234", "created_at": created}},
		{"users", bson.M{"_id": "old-user", "email": "old@council.example", "role": store.RoleFacilitator, "created_at": created}},
		{"users", bson.M{"_id": "half-user", "email": "half@council.example", "role": store.RoleFacilitator, "created_at": created}},
		{"user_emails", bson.M{"_id": "half@council.example", "user": "never-stored"}},
		{"user_emails", bson.M{"_id": "ghost@council.example", "user": "never-stored"}},
	}
	for _, r := range raw {
		if _, err := s.Database().Collection(r.collection).InsertOne(ctx, r.doc); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, s *store.Store, found bool) {
		t.Helper()
		sess, err := s.SessionByJoinCode(ctx, "old-234")
		if found && (err != nil || sess.ID != "old-session") || !found && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session by code: %v, %v (want found: %v)", sess, err, found)
		}
		for email, id := range map[string]string{"old@council.example": "old-user", "half@council.example": "half-user"} {
			u, err := s.UserByEmail(ctx, email)
			if found && (err != nil || u.ID != id) || !found && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: %v, %v (want found: %v)", email, u, err, found)
			}
		}
		if _, err := s.UserByEmail(ctx, "ghost@council.example"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a stale claim naming no user: %v, want ErrNotFound", err)
		}
	}
	// Without their lookups they cannot be found: the lookups are what is read.
	check(t, s, false)

	reopened := reopen(t, s)
	check(t, reopened, true)
	lookups := func() int64 {
		var total int64
		for _, c := range []string{"join_codes", "user_emails"} {
			n, err := reopened.Database().Collection(c).CountDocuments(ctx, bson.M{})
			if err != nil {
				t.Fatal(err)
			}
			total += n
		}
		return total
	}
	// old-session, old-user, half-user (pointed again), and the ghost claim.
	if got := lookups(); got != 4 {
		t.Errorf("%d lookups after the backfill, want 4", got)
	}
	check(t, reopen(t, s), true)
	if got := lookups(); got != 4 {
		t.Errorf("%d lookups after a second opening, want 4", got)
	}
}

// reopen opens another store on s's database, as a restart would.
func reopen(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	var opts store.Options
	if es := storetest.Embedded(); es != nil {
		opts.Indexer = es
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	again, err := store.Open(ctx, storetest.URI(), s.Database().Name(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Close(context.Background()) })
	return again
}
