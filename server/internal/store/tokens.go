package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Token kinds: API bearer tokens and sign-in cookie sessions share one
// collection and one lookup.
const (
	TokenAPI     = "api"
	TokenSession = "session"
	// TokenChallenge is the short-lived proof that a password was right,
	// carried to the second sign-in step (the TOTP code); it opens
	// nothing else.
	TokenChallenge = "totp_challenge"
)

// tokenDoc is stored under the hash of the token: a copy of the database
// gives no usable credential.
type tokenDoc struct {
	Hash      string    `bson:"_id"`
	User      string    `bson:"user"`
	Kind      string    `bson:"kind"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a new random token for user, valid for ttl, and
// returns it in the clear (the only time it exists so) with its expiry.
func (s *Store) CreateToken(ctx context.Context, user, kind string, ttl time.Duration) (string, time.Time, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, fmt.Errorf("store.CreateToken: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	expires := s.now().UTC().Add(ttl).Truncate(time.Second)
	_, err := s.db.Collection(colTokens).InsertOne(ctx, tokenDoc{
		Hash: hashToken(token), User: user, Kind: kind, ExpiresAt: expires,
	})
	if err != nil {
		return "", time.Time{}, mapErr("store.CreateToken", err)
	}
	return token, expires, nil
}

// TokenUser returns the user a live token of kind belongs to; ErrNotFound
// for an unknown, expired or revoked token, and for a deactivated user's
// token (should one survive DeleteUserTokens), so that every
// authenticated request refuses a deactivated user.
func (s *Store) TokenUser(ctx context.Context, token, kind string) (*User, error) {
	var doc tokenDoc
	err := s.db.Collection(colTokens).FindOne(ctx, bson.M{"_id": hashToken(token)}).Decode(&doc)
	if err != nil {
		return nil, mapErr("store.TokenUser", err)
	}
	if doc.Kind != kind || !s.now().Before(doc.ExpiresAt) {
		return nil, fmt.Errorf("store.TokenUser: %w", ErrNotFound)
	}
	u, err := s.User(ctx, doc.User)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, fmt.Errorf("store.TokenUser: deactivated: %w", ErrNotFound)
	}
	return u, nil
}

// DeleteUserTokens ends every token of a user (API tokens, sign-in
// sessions, second-step challenges) except the one given in the clear
// (the caller's own, on a password change; "" for none). It returns how
// many it ended.
func (s *Store) DeleteUserTokens(ctx context.Context, user, except string) (int64, error) {
	filter := bson.M{"user": user}
	if except != "" {
		filter["_id"] = bson.M{"$ne": hashToken(except)}
	}
	res, err := s.db.Collection(colTokens).DeleteMany(ctx, filter)
	if err != nil {
		return 0, mapErr("store.DeleteUserTokens", err)
	}
	return res.DeletedCount, nil
}

// RevokeToken deletes a token; revoking an unknown token is not an error.
func (s *Store) RevokeToken(ctx context.Context, token string) error {
	_, err := s.db.Collection(colTokens).DeleteOne(ctx, bson.M{"_id": hashToken(token)})
	return mapErr("store.RevokeToken", err)
}

// DeleteExpiredTokens removes tokens past their expiry; a maintenance job.
func (s *Store) DeleteExpiredTokens(ctx context.Context) (int64, error) {
	res, err := s.db.Collection(colTokens).DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lte": s.now().UTC()}})
	if err != nil {
		return 0, mapErr("store.DeleteExpiredTokens", err)
	}
	return res.DeletedCount, nil
}
