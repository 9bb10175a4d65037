package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// TestSingleUseUnderRace: an invitation, a recovery code and a TOTP time
// step are each spent exactly once when many try at the same moment
// (STORE.md rule 1: an insert guarded by a unique _id).
func TestSingleUseUnderRace(t *testing.T) {
	now := time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC)
	s := storetest.Open(t, store.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	inv := &store.Invitation{Council: "leeds", Email: "Race@Leeds.example", Role: store.RoleFacilitator, InvitedBy: "u0"}
	token, err := s.CreateInvitation(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := s.ReplaceRecoveryCodes(ctx, "u1")
	if err != nil || len(codes) != store.RecoveryCodeCount {
		t.Fatalf("codes: %v %d", err, len(codes))
	}
	const tries = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := map[string]int{}
	for range tries {
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, u, err := s.AcceptInvitation(ctx, token, "hash")
			if err == nil && u.Email == "race@leeds.example" && u.Council == "leeds" {
				mu.Lock()
				won["invitation"]++
				mu.Unlock()
			} else if err != nil && !errors.Is(err, store.ErrInvitationUsed) {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := s.SpendRecoveryCode(ctx, "u1", codes[0]); err == nil {
				mu.Lock()
				won["recovery"]++
				mu.Unlock()
			} else if !errors.Is(err, store.ErrRecoveryCodeInvalid) {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := s.SpendTOTPStep(ctx, "u1", 94521600); err == nil {
				mu.Lock()
				won["totp"]++
				mu.Unlock()
			} else if !errors.Is(err, store.ErrTOTPReplayed) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, what := range []string{"invitation", "recovery", "totp"} {
		if won[what] != 1 {
			t.Errorf("%s spent %d times, want once", what, won[what])
		}
	}
	if left, err := s.RecoveryCodesLeft(ctx, "u1"); err != nil || left != store.RecoveryCodeCount-1 {
		t.Errorf("left %d (%v)", left, err)
	}
	// Another user's step, and the next step, are not spent.
	for _, c := range []struct {
		user string
		step uint64
	}{{"u2", 94521600}, {"u1", 94521601}} {
		if err := s.SpendTOTPStep(ctx, c.user, c.step); err != nil {
			t.Errorf("%s step %d: %v", c.user, c.step, err)
		}
	}
	// A recovery code is the user's own.
	if err := s.SpendRecoveryCode(ctx, "u2", codes[1]); !errors.Is(err, store.ErrRecoveryCodeInvalid) {
		t.Errorf("another user's code: %v", err)
	}
	// Expiry is the invitation's own.
	inv2 := &store.Invitation{Council: "leeds", Email: "late@leeds.example", Role: store.RoleCoProducer, InvitedBy: "u0"}
	token2, err := s.CreateInvitation(ctx, inv2)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(store.InvitationTTL)
	if _, _, err := s.AcceptInvitation(ctx, token2, "hash"); !errors.Is(err, store.ErrInvitationExpired) {
		t.Errorf("expired invitation: %v", err)
	}
	if _, err := s.InvitationByToken(ctx, "no such token"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown invitation: %v", err)
	}
}

// TestReplaceTOTPSecrets: a secret is replaced only while the document
// still holds the value it replaces, so a start-up that seals secrets
// again never overwrites a change made meanwhile.
func TestReplaceTOTPSecrets(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	u := &store.User{Email: "fac@leeds.example", Role: store.RoleFacilitator, Council: "leeds"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.EnableTOTP(ctx, u.ID, "CLEAR"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTOTPPending(ctx, u.ID, "PENDING"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceTOTPSecrets(ctx, u.ID, "OTHER", "PENDING", "v1:x", "v1:y"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("replacing a value no longer there: %v", err)
	}
	if err := s.ReplaceTOTPSecrets(ctx, u.ID, "CLEAR", "", "v1:x", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("replacing with the pending secret unaccounted for: %v", err)
	}
	if err := s.ReplaceTOTPSecrets(ctx, u.ID, "CLEAR", "PENDING", "v1:x", "v1:y"); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TOTPSecret != "v1:x" || got.TOTPPending != "v1:y" {
		t.Errorf("stored %q and %q", got.TOTPSecret, got.TOTPPending)
	}
	users, err := s.TOTPUsers(ctx)
	if err != nil || len(users) != 1 || users[0].ID != u.ID {
		t.Errorf("TOTPUsers: %v, %+v", err, users)
	}
	if err := s.DisableTOTP(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if users, err := s.TOTPUsers(ctx); err != nil || len(users) != 0 {
		t.Errorf("TOTPUsers after DisableTOTP: %v, %d", err, len(users))
	}
}
