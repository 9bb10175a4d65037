package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestSpendCodeOnceUnderRace(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	codes, err := s.CreateCodes(ctx, "wave1", 3)
	if err != nil {
		t.Fatal(err)
	}
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SpendCode(ctx, "wave1", codes[0])
			switch {
			case err == nil:
				won.Add(1)
			case !errors.Is(err, store.ErrCodeInvalid):
				t.Errorf("SpendCode: %v", err)
			}
		}()
	}
	wg.Wait()
	if got := won.Load(); got != 1 {
		t.Fatalf("code spent %d times, want 1", got)
	}
	// Typed loosely, as a person reads it from a card.
	loose := codes[1][:4] + " " + codes[1][5:]
	if _, err := s.SpendCode(ctx, "wave1", loose); err != nil {
		t.Fatalf("loosely typed code refused: %v", err)
	}
	if _, err := s.SpendCode(ctx, "wave2", codes[2]); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("code of another wave: got %v, want ErrCodeInvalid", err)
	}
}

func TestReleasedCodeCanBeSpentAgain(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	codes, err := s.CreateCodes(ctx, "w", 1)
	if err != nil {
		t.Fatal(err)
	}
	release, err := s.SpendCode(ctx, "w", codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SpendCode(ctx, "w", codes[0]); err != nil {
		t.Fatalf("released code: %v", err)
	}
}

func TestCodesAreReadableAloudAndStoredHashed(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	codes, err := s.CreateCodes(ctx, "w", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if len(c) != 9 || c[4] != '-' {
			t.Errorf("code %q is not XXXX-XXXX", c)
		}
		for _, r := range c {
			if r == '0' || r == 'O' || r == '1' || r == 'I' {
				t.Errorf("code %q has a character that is hard to read aloud", c)
			}
		}
		n, err := s.Database().Collection("codes").CountDocuments(ctx, map[string]any{"_id": c})
		if err != nil || n != 0 {
			t.Errorf("code %q stored in the clear (n=%d, err=%v)", c, n, err)
		}
	}
}

func TestResponseIDs(t *testing.T) {
	if store.ResponseID("w", "k") != store.ResponseID("w", "k") {
		t.Error("same wave and key must give the same id")
	}
	if store.ResponseID("w", "k") == store.ResponseID("w2", "k") {
		t.Error("the same key in two waves must give two ids")
	}
	if store.ResponseID("w", "") == store.ResponseID("w", "") {
		t.Error("ids without a key must be random")
	}
}

func TestInsertResponseExactlyOnce(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	id := store.ResponseID("w", "4f0f3c9e-8a55-4bd2-9a3b-1f9f4ef1c111")
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InsertResponse(ctx, &store.Response{ID: id, Wave: "w", Survey: "s", Version: 1, Language: "en", Answers: map[string]any{"q": "a"}})
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, store.ErrConflict) {
				t.Errorf("InsertResponse: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d inserts succeeded, want 1", ok.Load())
	}
	n, err := s.CountResponses(ctx, "w")
	if err != nil || n != 1 {
		t.Fatalf("stored %d (err %v), want 1", n, err)
	}
}

func TestTokens(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	s := storetest.Open(t, store.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	u := &store.User{Email: " Staff@Example.org ", PasswordHash: "x", Role: store.RoleFacilitator, Council: "leeds"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, &store.User{Email: "staff@example.org", Role: store.RoleFacilitator}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate email: got %v, want ErrConflict", err)
	}
	token, _, err := s.CreateToken(ctx, u.ID, store.TokenAPI, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenUser(ctx, token, store.TokenAPI)
	if err != nil || got.Email != "staff@example.org" {
		t.Fatalf("TokenUser = %v, %v", got, err)
	}
	if _, err := s.TokenUser(ctx, token, store.TokenSession); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token used as the wrong kind: %v", err)
	}
	n, err := s.Database().Collection("tokens").CountDocuments(ctx, map[string]any{"_id": token})
	if err != nil || n != 0 {
		t.Fatalf("token stored in the clear")
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.TokenUser(ctx, token, store.TokenAPI); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired token accepted: %v", err)
	}
	now = now.Add(-2 * time.Hour)
	if err := s.RevokeToken(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenUser(ctx, token, store.TokenAPI); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token accepted: %v", err)
	}
}

func TestWaveClosing(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	s := storetest.Open(t, store.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	closes := now.Add(time.Hour)
	w := &store.Wave{Council: "leeds", Survey: "s", Version: 1, Name: "2027", Access: store.AccessOpen, ClosesAt: &closes}
	if err := s.CreateWave(ctx, w); err != nil {
		t.Fatal(err)
	}
	if w.Closed(now) || !w.Closed(closes) {
		t.Fatal("closes_at not honoured")
	}
	got, err := s.CloseWave(ctx, w.ID)
	if err != nil || got.ClosedAt == nil {
		t.Fatalf("CloseWave = %+v, %v", got, err)
	}
	first := *got.ClosedAt
	now = now.Add(time.Minute)
	again, err := s.CloseWave(ctx, w.ID)
	if err != nil || !again.ClosedAt.Equal(first) {
		t.Fatalf("closing twice moved the closing time: %v -> %v", first, again.ClosedAt)
	}
	if _, err := s.Wave(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown wave: %v", err)
	}
}
