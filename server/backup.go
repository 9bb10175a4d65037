package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	_ "modernc.org/sqlite" // the embedded store's own SQLite driver, to snapshot its files

	"yousaid/server/internal/embedded"
	"yousaid/server/internal/store"
)

// backup writes cfg.Backup. With MongoDB it reads the database directly,
// collection by collection. With the embedded store it first snapshots the
// store's SQLite file (VACUUM INTO: one read transaction, so every
// collection as of one instant, while a running server goes on writing),
// then reads the snapshot through a temporary embedded store of its own:
// the running server's store is never opened twice.
func backup(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) error {
	var (
		db     *mongo.Database
		source string
	)
	if cfg.MongoURI != "" {
		client, err := connect(ctx, cfg.MongoURI, cfg.StoreTimeout)
		if err != nil {
			return err
		}
		defer client.Disconnect(context.Background())
		db, source = client.Database(cfg.Database), "mongodb"
	} else {
		tmp, err := os.MkdirTemp("", "yousaid-backup-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := snapshotEmbedded(ctx, cfg.DataDir, cfg.Database, filepath.Join(tmp, "store")); err != nil {
			return err
		}
		snap, err := embedded.Start(tmp, logger)
		if err != nil {
			return fmt.Errorf("opening the snapshot: %w", err)
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = snap.Close(closeCtx)
		}()
		client, err := connect(ctx, snap.URI(), cfg.StoreTimeout)
		if err != nil {
			return err
		}
		defer client.Disconnect(context.Background())
		db, source = client.Database(cfg.Database), "embedded"
	}

	// Written beside the target and renamed into place only when whole, so
	// an interrupted backup never leaves a file that looks like one.
	dir := filepath.Dir(cfg.Backup)
	f, err := os.CreateTemp(dir, "."+filepath.Base(cfg.Backup)+".*.partial")
	if err != nil {
		return fmt.Errorf("-backup: %w", err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	sum, err := store.WriteBackup(ctx, db, source, time.Now(), f)
	if err != nil {
		f.Close()
		return fmt.Errorf("-backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), cfg.Backup); err != nil {
		return fmt.Errorf("-backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup of %s (%s) written to %s: %d collections, %d documents\n",
		cfg.Database, source, cfg.Backup, len(sum.Collections), sum.Documents)
	return nil
}

// snapshotEmbedded copies the embedded store's database file in dataDir
// into folder with SQLite's VACUUM INTO, which reads it in one transaction
// (a consistent copy, even while the server writes; the server's
// write-ahead log is included).
func snapshotEmbedded(ctx context.Context, dataDir, database, folder string) error {
	src := filepath.Join(dataDir, "store", database+".sqlite")
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no database %q in the data folder %s: %w", database, dataDir, err)
	}
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	dst := filepath.Join(folder, database+".sqlite")
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("snapshotting %s: %w", src, err)
	}
	return nil
}

// restore loads cfg.Restore into the configured database, which must be
// empty unless -restore-replace is set. The embedded store must not be in
// use by a running server.
func restore(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) error {
	f, err := os.Open(cfg.Restore)
	if err != nil {
		return fmt.Errorf("-restore: %w", err)
	}
	defer f.Close()
	uri := cfg.MongoURI
	if uri == "" {
		if live(cfg.DataDir) {
			return fmt.Errorf("a server is running on the data folder %s: stop it before restoring into it", cfg.DataDir)
		}
		s, err := embedded.Start(cfg.DataDir, logger)
		if err != nil {
			return fmt.Errorf("starting the embedded store in %s: %w", cfg.DataDir, err)
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = s.Close(closeCtx)
		}()
		uri = s.URI()
	}
	client, err := connect(ctx, uri, cfg.StoreTimeout)
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())
	h, sum, err := store.RestoreBackup(ctx, client.Database(cfg.Database), f, cfg.RestoreReplace)
	if errors.Is(err, store.ErrNotEmpty) {
		return fmt.Errorf("-restore: the database %q already holds data: restore into an empty one, or add -restore-replace to drop everything in it first", cfg.Database)
	}
	if err != nil {
		return fmt.Errorf("-restore: %w (%d documents loaded)", err, sum.Documents)
	}
	fmt.Fprintf(stdout, "restored %s into %s: %d collections, %d documents (backup of %s taken %s)\n",
		cfg.Restore, cfg.Database, len(sum.Collections), sum.Documents, h.Database, h.CreatedAt.Format(time.RFC3339))
	return nil
}

// live reports whether a server is serving the embedded store of dataDir
// (its socket answers).
func live(dataDir string) bool {
	socket := filepath.Join(dataDir, "store", "store.sock")
	if abs, err := filepath.Abs(socket); err == nil {
		socket = abs
	}
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

func connect(ctx context.Context, uri string, timeout time.Duration) (*mongo.Client, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(timeout))
	if err != nil {
		return nil, err
	}
	if err := client.Ping(ctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("the store does not answer: %s", strings.TrimSpace(err.Error()))
	}
	return client, nil
}
