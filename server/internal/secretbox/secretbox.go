// Package secretbox seals short secrets for storage (a staff member's TOTP
// shared secret) with AES-256-GCM under a key the operator holds, bound to
// the record they belong to, so that a copy of the database or of a backup
// is not enough to use them.
//
// A sealed value is text: "v1:" then the unpadded URL-safe base64 of
//
//	key id (4 bytes) | nonce (12 bytes, random) | ciphertext and GCM tag
//
// The key id names the key that sealed it, so that a server holding an old
// and a new key during a rotation knows which to open it with, and an
// operator is told "sealed under another key" rather than "tampered". The
// AES key and the key id are both derived from the operator's key with
// HKDF-SHA256, so the id says nothing about the key and the key is never
// used for two things.
package secretbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of an operator's key.
const KeySize = 32

const (
	prefix    = "v1:"
	idSize    = 4
	nonceSize = 12
	// infoAEAD and infoID separate the two keys derived from one operator
	// key; changing either makes every sealed value unreadable.
	infoAEAD = "yousaid secretbox v1 aes-256-gcm"
	infoID   = "yousaid secretbox v1 key id"
)

// Errors of Open. A value that is not sealed at all (a secret stored in
// the clear before sealing existed) is ErrNotSealed; the others mean a
// sealed value this box cannot open.
var (
	ErrNotSealed = errors.New("secretbox: not a sealed value")
	ErrMalformed = errors.New("secretbox: malformed sealed value")
	// ErrNoKey: the value is sealed but the box has no key (a nil *Box).
	ErrNoKey = errors.New("secretbox: no key configured")
	// ErrWrongKey: sealed under a key the box does not hold.
	ErrWrongKey = errors.New("secretbox: sealed under another key")
	// ErrOpen: sealed under the box's key but it does not open: altered,
	// or bound to another record (copied from another user's document).
	ErrOpen = errors.New("secretbox: does not open (altered, or bound to another record)")
)

type sealer struct {
	id   [idSize]byte
	aead cipher.AEAD
}

// Box seals under its current key and opens under the current key or any
// previous one. A nil *Box holds no key: Seal and Open of a sealed value
// answer ErrNoKey. It is safe for concurrent use.
type Box struct {
	current  sealer
	previous []sealer
}

// New makes a box that seals under key and also opens what older keys
// sealed (for a rotation). Every key must be KeySize bytes.
func New(key []byte, previous ...[]byte) (*Box, error) {
	cur, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	b := &Box{current: cur}
	for _, k := range previous {
		s, err := newSealer(k)
		if err != nil {
			return nil, fmt.Errorf("previous key: %w", err)
		}
		if s.id == cur.id {
			continue // the same key given twice
		}
		b.previous = append(b.previous, s)
	}
	return b, nil
}

func newSealer(key []byte) (sealer, error) {
	if len(key) != KeySize {
		return sealer{}, fmt.Errorf("secretbox: a key is %d bytes, not %d", KeySize, len(key))
	}
	aesKey, err := hkdf.Key(sha256.New, key, nil, infoAEAD, 32)
	if err != nil {
		return sealer{}, err
	}
	id, err := hkdf.Key(sha256.New, key, nil, infoID, idSize)
	if err != nil {
		return sealer{}, err
	}
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	s := sealer{aead: aead}
	copy(s.id[:], id)
	return s, nil
}

// KeyID is the current key's id in hex: safe to log, it tells which key a
// server holds without saying anything about it. Empty for a nil box.
func (b *Box) KeyID() string {
	if b == nil {
		return ""
	}
	return hex.EncodeToString(b.current.id[:])
}

// Seal encrypts plain bound to aad (who or what it belongs to: the same
// aad is needed to open it) under a fresh random nonce.
func (b *Box) Seal(plain, aad string) (string, error) {
	if b == nil {
		return "", ErrNoKey
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := make([]byte, 0, idSize+nonceSize+len(plain)+b.current.aead.Overhead())
	out = append(out, b.current.id[:]...)
	out = append(out, nonce...)
	out = b.current.aead.Seal(out, nonce, []byte(plain), []byte(aad))
	return prefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// IsSealed reports whether v looks like a sealed value (it may still not
// open).
func IsSealed(v string) bool { return strings.HasPrefix(v, prefix) }

// Open decrypts a sealed value bound to aad. Errors: ErrNotSealed (v is
// not sealed: the caller decides whether a clear value is acceptable),
// ErrMalformed, ErrNoKey, ErrWrongKey, ErrOpen.
func (b *Box) Open(sealed, aad string) (string, error) {
	if !IsSealed(sealed) {
		return "", ErrNotSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed[len(prefix):])
	if err != nil || len(raw) < idSize+nonceSize+16 {
		return "", ErrMalformed
	}
	if b == nil {
		return "", ErrNoKey
	}
	id, nonce, ct := raw[:idSize], raw[idSize:idSize+nonceSize], raw[idSize+nonceSize:]
	s, ok := b.sealerFor(id)
	if !ok {
		return "", ErrWrongKey
	}
	plain, err := s.aead.Open(nil, nonce, ct, []byte(aad))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

func (b *Box) sealerFor(id []byte) (sealer, bool) {
	if bytes.Equal(id, b.current.id[:]) {
		return b.current, true
	}
	for _, s := range b.previous {
		if bytes.Equal(id, s.id[:]) {
			return s, true
		}
	}
	return sealer{}, false
}

// Current reports whether v is sealed under the box's current key, so
// that a value in the clear or under a previous key can be sealed again.
func (b *Box) Current(v string) bool {
	if b == nil || !IsSealed(v) {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(v[len(prefix):])
	return err == nil && len(raw) >= idSize && bytes.Equal(raw[:idSize], b.current.id[:])
}

// KeyIDOf is the id, in hex, of the key that sealed v, for telling an
// operator which key it needs; ok is false when v is not a sealed value.
func KeyIDOf(v string) (id string, ok bool) {
	if !IsSealed(v) {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(v[len(prefix):])
	if err != nil || len(raw) < idSize {
		return "", false
	}
	return hex.EncodeToString(raw[:idSize]), true
}

// ParseKey reads an operator's key: 32 bytes as 64 hex digits or as
// base64 (standard or URL-safe, padded or not). Surrounding white space,
// such as a file's final newline, is ignored. Its errors never quote the
// value.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("the key is %d bytes, not %d", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("the key is neither %d hex digits nor base64 of %d bytes (make one with: openssl rand -base64 32)", 2*KeySize, KeySize)
}

// NewKey returns a fresh random key in the form ParseKey reads (standard
// base64).
func NewKey() (string, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(k), nil
}
