// Package embedded runs the default store: FerretDB v1.24 with its SQLite
// backend, inside this process, reachable only through a Unix socket in the
// data folder so that nothing else on the machine can talk to it.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path is
// 108 bytes including the terminating NUL).
const maxSocketPath = 107

// Store is a running embedded FerretDB.
type Store struct {
	uri       string
	cancel    context.CancelFunc
	done      chan struct{}
	socketDir string // a short temporary folder, removed on Close, when the data folder's path was too long
	dir       string // FerretDB's folder: one <database>.sqlite file per database
}

// Start opens (or creates) the store in dataDir and serves it on a Unix
// socket. FerretDB's own logs go to logger at WARN and above only: at lower
// levels it logs whole wire messages, which would include answers.
func Start(dataDir string, logger *slog.Logger) (*Store, error) {
	dbDir := filepath.Join(dataDir, "store")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded.Start: %w", err)
	}
	abs, err := filepath.Abs(dbDir)
	if err != nil {
		return nil, fmt.Errorf("embedded.Start: %w", err)
	}

	s := &Store{done: make(chan struct{}), dir: abs}
	socket := filepath.Join(abs, "store.sock")
	if len(socket) > maxSocketPath {
		// Deep data folders (tests, some hosts) exceed the socket path limit;
		// fall back to a private folder under the system's temp dir.
		dir, err := os.MkdirTemp("", "ys")
		if err != nil {
			return nil, fmt.Errorf("embedded.Start: %w", err)
		}
		s.socketDir = dir
		socket = filepath.Join(dir, "store.sock")
	}
	// A socket left by a process that was killed would make listening fail.
	_ = os.Remove(socket)

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: abs + "/"}).String(),
		Logger:    quiet(logger),
	})
	if err != nil {
		s.removeSocketDir()
		return nil, fmt.Errorf("embedded.Start: %w", err)
	}
	s.uri = f.MongoDBURI()

	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		if err := f.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("embedded store stopped", "err", err)
		}
	}()
	return s, nil
}

// URI is the connection string for the driver.
func (s *Store) URI() string { return s.uri }

// Close stops the store and waits, up to the context's deadline, for it to
// flush and release the data folder.
func (s *Store) Close(ctx context.Context) error {
	s.cancel()
	defer s.removeSocketDir()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded.Close: %w", ctx.Err())
	}
}

func (s *Store) removeSocketDir() {
	if s.socketDir != "" {
		_ = os.RemoveAll(s.socketDir)
	}
}

// quiet wraps logger so that only the store's errors pass, as their message
// alone: FerretDB attaches whole wire messages (answers included) to its
// records, and those must never reach our logs.
func quiet(logger *slog.Logger) *slog.Logger {
	if logger == nil {
		logger = slog.Default()
	}
	return slog.New(messageOnly{next: logger.Handler()})
}

type messageOnly struct{ next slog.Handler }

func (h messageOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.next.Enabled(ctx, l)
}

func (h messageOnly) Handle(ctx context.Context, r slog.Record) error {
	clean := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	clean.AddAttrs(slog.String("component", "store"))
	return h.next.Handle(ctx, clean)
}

// WithAttrs and WithGroup drop what they are given, for the same reason.
func (h messageOnly) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h messageOnly) WithGroup(string) slog.Handler      { return h }
