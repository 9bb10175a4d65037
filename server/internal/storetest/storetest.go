// Package storetest gives tests a real store: the embedded FerretDB (one per
// test binary, started by Main), or the MongoDB at MONGODB_URI when that is
// set. Each test gets its own database, named after the test and dropped
// when the test passes (kept for a look when it fails).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"testing"
	"time"

	"yousaid/server/internal/embedded"
	"yousaid/server/internal/store"
)

var (
	uri string
	// embeddedStore is the embedded store the tests run on; nil on MongoDB.
	embeddedStore *embedded.Store
)

// Main starts the embedded store (unless MONGODB_URI is set), runs the
// tests and stops it. Use it from TestMain: `os.Exit(storetest.Main(m))`.
// A store that cannot start fails the run: it is never skipped.
func Main(m *testing.M) int {
	uri = os.Getenv("MONGODB_URI")
	if uri != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "yousaid-store-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	s, err := embedded.Start(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest: the embedded store did not start:", err)
		return 1
	}
	uri, embeddedStore = s.URI(), s
	code := m.Run()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = s.Close(ctx)
	return code
}

// Embedded is the embedded store the tests run on; nil when they run on
// MongoDB.
func Embedded() *embedded.Store { return embeddedStore }

// URI is the store the tests use.
func URI() string { return uri }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// DatabaseName gives t its own database name, within MongoDB's 63 bytes.
func DatabaseName(t testing.TB) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	if len(name) > 48 {
		name = name[len(name)-48:]
	}
	return "t_" + name + "_" + hex.EncodeToString(b)
}

// Open gives t a store on a database of its own.
func Open(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	if uri == "" {
		t.Fatal("storetest: no store: call storetest.Main from TestMain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if embeddedStore != nil && opts.Indexer == nil {
		opts.Indexer = embeddedStore
	}
	s, err := store.Open(ctx, uri, DatabaseName(t), opts)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if !t.Failed() {
			_ = s.Drop(ctx)
		}
		_ = s.Close(ctx)
	})
	return s
}
