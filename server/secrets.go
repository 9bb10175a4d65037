package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"yousaid/server/internal/secretbox"
)

// demoKeyFile is where -demo keeps the key it generated when none was
// given, so that its two-step sign-in works out of the box and across
// restarts on the same data folder.
const demoKeyFile = "secret.key"

// secretsBox is the box that seals TOTP secrets: from SECRET_KEY (and
// SECRET_KEY_PREVIOUS while rotating); with -demo and no key, from a key
// kept in the data folder; otherwise nil (two-step sign-in cannot be set
// up; the web layer warns at start-up).
func secretsBox(cfg Config, logger *slog.Logger) (*secretbox.Box, error) {
	key := cfg.SecretKey
	if key == nil && cfg.Demo {
		var err error
		if key, err = demoKey(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("the demo's secret key: %w", err)
		}
		logger.Info("demo: two-step sign-in secrets are sealed with a key kept in the data folder; set SECRET_KEY for real use",
			"file", filepath.Join(cfg.DataDir, demoKeyFile))
	}
	if key == nil {
		return nil, nil
	}
	var previous [][]byte
	if cfg.SecretKeyPrevious != nil {
		previous = append(previous, cfg.SecretKeyPrevious)
	}
	return secretbox.New(key, previous...)
}

// demoKey reads the demo's key from dir, making it (mode 0600) the first
// time.
func demoKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, demoKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		return secretbox.ParseKey(string(b))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key, err := secretbox.NewKey()
	if err != nil {
		return nil, err
	}
	// O_EXCL: of two starts at once, one writes and both read its key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return demoKey(dir)
	}
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(key + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return secretbox.ParseKey(key)
}
