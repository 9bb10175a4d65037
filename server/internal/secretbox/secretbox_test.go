package secretbox

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustBox(t testing.TB, k []byte, previous ...[]byte) *Box {
	t.Helper()
	b, err := New(k, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func TestSealOpen(t *testing.T) {
	b := mustBox(t, key(1))
	sealed, err := b.Seal(secret, "totp:alice")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, "v1:") || strings.Contains(sealed, secret) {
		t.Errorf("sealed %q", sealed)
	}
	if got, err := b.Open(sealed, "totp:alice"); err != nil || got != secret {
		t.Errorf("Open = %q, %v; want %q", got, err, secret)
	}
	// A random nonce each time: the same secret never seals the same way.
	again, _ := b.Seal(secret, "totp:alice")
	if again == sealed {
		t.Error("two seals of one secret are equal")
	}
	if !b.Current(sealed) {
		t.Error("Current: false for a value just sealed")
	}
}

func TestOpenRefuses(t *testing.T) {
	b := mustBox(t, key(1))
	sealed, err := b.Seal(secret, "totp:alice")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed[3:])
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		name, value, aad string
		box              *Box
		want             error
	}{
		{"another record", sealed, "totp:bob", b, ErrOpen},
		{"altered", "v1:" + base64.RawURLEncoding.EncodeToString(flipped), "totp:alice", b, ErrOpen},
		{"another key", sealed, "totp:alice", mustBox(t, key(2)), ErrWrongKey},
		{"no key", sealed, "totp:alice", nil, ErrNoKey},
		{"clear", secret, "totp:alice", b, ErrNotSealed},
		{"empty", "", "totp:alice", b, ErrNotSealed},
		{"not base64", "v1:***", "totp:alice", b, ErrMalformed},
		{"too short", "v1:" + base64.RawURLEncoding.EncodeToString(raw[:20]), "totp:alice", b, ErrMalformed},
		{"another version", "v2:" + sealed[3:], "totp:alice", b, ErrNotSealed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.box.Open(tc.value, tc.aad)
			if !errors.Is(err, tc.want) || got != "" {
				t.Errorf("Open = %q, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestRotation: a box with the new key and the old one opens both, seals
// under the new, and says which values need sealing again.
func TestRotation(t *testing.T) {
	old := mustBox(t, key(1))
	sealedOld, _ := old.Seal(secret, "totp:alice")
	b := mustBox(t, key(2), key(1))
	if got, err := b.Open(sealedOld, "totp:alice"); err != nil || got != secret {
		t.Fatalf("old value under the rotated box: %q, %v", got, err)
	}
	if b.Current(sealedOld) || b.Current(secret) {
		t.Error("Current: true for an old or clear value")
	}
	sealedNew, _ := b.Seal(secret, "totp:alice")
	if !b.Current(sealedNew) {
		t.Error("Current: false for a new value")
	}
	if _, err := old.Open(sealedNew, "totp:alice"); !errors.Is(err, ErrWrongKey) {
		t.Errorf("the old box opens a new value: %v", err)
	}
	if id, ok := KeyIDOf(sealedOld); !ok || id != old.KeyID() {
		t.Errorf("KeyIDOf(old value) = %q, %v; want %q", id, ok, old.KeyID())
	}
	if _, ok := KeyIDOf(secret); ok {
		t.Error("KeyIDOf: a clear value has a key id")
	}
	if b.KeyID() == old.KeyID() || len(b.KeyID()) != 8 {
		t.Errorf("key ids %q and %q", b.KeyID(), old.KeyID())
	}
}

func TestNewRefusesShortKeys(t *testing.T) {
	if _, err := New(key(1)[:16]); err == nil {
		t.Error("a 16-byte key accepted")
	}
	if _, err := New(key(1), []byte("short")); err == nil {
		t.Error("a short previous key accepted")
	}
}

func TestParseKey(t *testing.T) {
	k := key(7)
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"hex", hex.EncodeToString(k), true},
		{"base64", base64.StdEncoding.EncodeToString(k), true},
		{"base64 with newline", base64.StdEncoding.EncodeToString(k) + "\n", true},
		{"raw url base64", base64.RawURLEncoding.EncodeToString(k), true},
		{"16 bytes", base64.StdEncoding.EncodeToString(k[:16]), false},
		{"a password", "correct horse battery staple", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKey(tc.in)
			if tc.ok != (err == nil) {
				t.Fatalf("ParseKey: %v", err)
			}
			if tc.ok && !bytes.Equal(got, k) {
				t.Errorf("got %x", got)
			}
			if err != nil && tc.in != "" && strings.Contains(err.Error(), strings.TrimSpace(tc.in)) {
				t.Errorf("the error quotes the value: %v", err)
			}
		})
	}
	fresh, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if k, err := ParseKey(fresh); err != nil || len(k) != KeySize {
		t.Errorf("NewKey gave %d bytes, %v", len(k), err)
	}
}

// FuzzOpen: no input makes Open panic or open without the key and the
// record it was sealed for.
func FuzzOpen(f *testing.F) {
	b := mustBox(f, key(1))
	sealed, _ := b.Seal(secret, "totp:alice")
	f.Add(sealed, "totp:alice")
	f.Add(sealed, "totp:bob")
	f.Add("v1:", "")
	f.Add("v1:AAAA", "x")
	f.Add(secret, "totp:alice")
	f.Fuzz(func(t *testing.T, value, aad string) {
		got, err := b.Open(value, aad)
		if err != nil {
			if got != "" {
				t.Errorf("Open failed with %v but returned %q", err, got)
			}
			return
		}
		// Only a value sealed under the key opens; sealing what it opened
		// for the same record opens to the same again.
		if !b.Current(value) {
			t.Errorf("opened %q, not sealed under the key", value)
		}
		resealed, err := b.Seal(got, aad)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := b.Open(resealed, aad); err != nil || again != got {
			t.Errorf("reseal: %q, %v; want %q", again, err, got)
		}
	})
}
