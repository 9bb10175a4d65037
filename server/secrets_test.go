package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretKeyFile: SECRET_KEY_FILE (a Docker secret) is read, final
// newline and all, and seals as SECRET_KEY with the same key does.
func TestSecretKeyFile(t *testing.T) {
	const key = "Sm9nZ2luZyBpbiB0aGUgcGFyayBpcyBmdW4gYW5kIGc="
	path := filepath.Join(t.TempDir(), "secret_key")
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile, err := parseConfig(nil, func(k string) string { return map[string]string{"SECRET_KEY_FILE": path}[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	fromEnv, err := parseConfig(nil, func(k string) string { return map[string]string{"SECRET_KEY": key}[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := secretsBox(fromFile, slog.New(slog.DiscardHandler))
	if err != nil || a == nil {
		t.Fatalf("box from the file: %v", err)
	}
	b, _ := secretsBox(fromEnv, slog.New(slog.DiscardHandler))
	if a.KeyID() != b.KeyID() {
		t.Errorf("key ids %s and %s", a.KeyID(), b.KeyID())
	}
	if none, err := secretsBox(Config{}, slog.New(slog.DiscardHandler)); none != nil || err != nil {
		t.Errorf("no key, no demo: %v, %v", none, err)
	}
}

// TestDemoKeyKeptInDataFolder: -demo without a key makes one, readable by
// its owner only, and uses the same one at the next start.
func TestDemoKeyKeptInDataFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := Config{Demo: true, DataDir: dir}
	first, err := secretsBox(cfg, slog.New(slog.DiscardHandler))
	if err != nil || first == nil {
		t.Fatalf("first start: %v", err)
	}
	info, err := os.Stat(filepath.Join(dir, demoKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode %o, want 600", mode)
	}
	again, err := secretsBox(cfg, slog.New(slog.DiscardHandler))
	if err != nil || again.KeyID() != first.KeyID() {
		t.Errorf("second start: key %s (%v), want %s", again.KeyID(), err, first.KeyID())
	}
	// A configured key wins over the demo's.
	cfg.SecretKey = make([]byte, 32)
	if given, _ := secretsBox(cfg, slog.New(slog.DiscardHandler)); given.KeyID() == first.KeyID() {
		t.Error("SECRET_KEY ignored in -demo")
	}
}

// TestStartUpSaysWhetherTOTPSecretsAreSealed: the operator learns at
// start-up that two-step sign-in needs SECRET_KEY, and, once set, which
// key is in use (by its id, never the key).
func TestStartUpSaysWhetherTOTPSecretsAreSealed(t *testing.T) {
	_, logs, dir, stop := startApp(t, nil)
	stop()
	if !strings.Contains(logs.String(), "two-step sign-in needs SECRET_KEY") {
		t.Errorf("no warning without a key:\n%s", logs)
	}
	const key = "Sm9nZ2luZyBpbiB0aGUgcGFyayBpcyBmdW4gYW5kIGc="
	_, logs, _, stop = startAppIn(t, dir, map[string]string{"SECRET_KEY": key})
	stop()
	if !strings.Contains(logs.String(), "TOTP secrets sealed with SECRET_KEY") || strings.Contains(logs.String(), "needs SECRET_KEY") {
		t.Errorf("start-up with a key:\n%s", logs)
	}
	if strings.Contains(logs.String(), key) {
		t.Error("a log line holds the key")
	}
}
