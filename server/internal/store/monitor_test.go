package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// TestOnErrorCountsFailedCommands: a failing command reaches OnError by
// name; a duplicate key, which the unique indexes answer on purpose, and
// the indexes of a new database, listed at start, do not.
func TestOnErrorCountsFailedCommands(t *testing.T) {
	var mu sync.Mutex
	var failed []string
	s := storetest.Open(t, store.Options{OnError: func(command string) {
		mu.Lock()
		defer mu.Unlock()
		failed = append(failed, command)
	}})
	ctx := context.Background()
	codes, err := s.CreateCodes(ctx, "w", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SpendCode(ctx, "w", codes[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SpendCode(ctx, "w", codes[0]); !errors.Is(err, store.ErrCodeSpent) {
		t.Fatalf("second spend: %v", err)
	}
	if err := s.Database().RunCommand(ctx, bson.D{{Key: "distinct", Value: "codes"}, {Key: "key", Value: bson.D{}}}).Err(); err == nil {
		t.Fatal("a distinct with a document for its key succeeded")
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"distinct"}, failed); diff != "" {
		t.Errorf("failed commands mismatch (-want +got):\n%s", diff)
	}
}
