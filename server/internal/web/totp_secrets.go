package web

import (
	"context"
	"errors"
	"sort"

	"yousaid/server/internal/secretbox"
	"yousaid/server/internal/store"
)

// TOTP shared secrets are sealed (package secretbox) before they reach the
// store, so that whoever reads the database or a backup cannot make a
// person's codes. A secret is bound to its user's id: a sealed value
// copied onto another user's document does not open.

// totpAAD is what a user's sealed TOTP secret is bound to.
func totpAAD(userID string) string { return "totp:" + userID }

// errNoSecretsKey is why a TOTP secret could not be sealed: the operator
// has configured no SECRET_KEY.
var errNoSecretsKey = errors.New("no SECRET_KEY: a TOTP secret cannot be sealed")

// sealTOTP seals a user's TOTP secret for the store; errNoSecretsKey
// without a key, so that a secret is never stored in the clear.
func (s *Server) sealTOTP(userID, secret string) (string, error) {
	if s.secrets == nil {
		return "", errNoSecretsKey
	}
	return s.secrets.Seal(secret, totpAAD(userID))
}

// openTOTP returns the base32 secret of a stored value. A value stored in
// the clear before sealing existed (base32 never starts "v1:") is used as
// it is (Server.SealTOTPSecrets
// seals it at the next start with a key). A sealed value that does not
// open (no key, another key, altered, another user's) is an error whose
// text names the cause and never the value.
func (s *Server) openTOTP(userID, stored string) (string, error) {
	secret, err := s.secrets.Open(stored, totpAAD(userID))
	if errors.Is(err, secretbox.ErrNotSealed) {
		return stored, nil
	}
	return secret, err
}

// logUnopened tells the operator that a user's stored TOTP secret did not
// open: with the key ids, never the value.
func (s *Server) logUnopened(op, userID, stored string, err error) {
	sealedWith, _ := secretbox.KeyIDOf(stored)
	s.logger.Error("a stored TOTP secret does not open: is SECRET_KEY the key it was sealed with? Its codes are refused; recovery codes still work",
		"op", op, "user", userID, "sealed_with", sealedWith, "key_id", s.secrets.KeyID(), "err", err)
}

// SealTOTPSecrets runs at start-up. With a key, it seals every TOTP
// secret (confirmed or being set up) stored in the clear, or under a
// previous key during a rotation, with the current key. Without one it
// only warns: sign-in goes on with clear secrets, set-up is refused. A
// secret that does not open is logged and left as it is; a user changed
// meanwhile (by a sign-in or another server) is left to that change.
func (s *Server) SealTOTPSecrets(ctx context.Context) error {
	users, err := s.store.TOTPUsers(ctx)
	if err != nil {
		return err
	}
	if s.secrets == nil {
		clear, sealed := 0, 0
		for _, u := range users {
			for _, v := range []string{u.TOTPSecret, u.TOTPPending} {
				switch {
				case v == "":
				case secretbox.IsSealed(v):
					sealed++
				default:
					clear++
				}
			}
		}
		s.logger.Warn("two-step sign-in needs SECRET_KEY (or SECRET_KEY_FILE): until it is set, nobody can set it up, and secrets stored in the clear stay so",
			"clear_secrets", clear)
		if sealed > 0 {
			s.logger.Error("TOTP secrets are sealed but no SECRET_KEY is set: those users' codes are refused until it is (recovery codes still work)",
				"sealed_secrets", sealed)
		}
		return nil
	}
	resealed, unopened := 0, map[string]int{}
	for _, u := range users {
		secret, okS := s.resealTOTP(u.ID, u.TOTPSecret, unopened)
		pending, okP := s.resealTOTP(u.ID, u.TOTPPending, unopened)
		if !okS || !okP || (secret == u.TOTPSecret && pending == u.TOTPPending) {
			continue
		}
		err := s.store.ReplaceTOTPSecrets(ctx, u.ID, u.TOTPSecret, u.TOTPPending, secret, pending)
		if errors.Is(err, store.ErrNotFound) {
			continue // changed since it was read: that change stands
		}
		if err != nil {
			return err
		}
		resealed++
	}
	s.logger.Info("TOTP secrets sealed with SECRET_KEY", "key_id", s.secrets.KeyID(), "users", len(users), "sealed_now", resealed)
	if len(unopened) > 0 {
		ids := make([]string, 0, len(unopened))
		n := 0
		for id, c := range unopened {
			ids = append(ids, id)
			n += c
		}
		sort.Strings(ids)
		s.logger.Error("TOTP secrets sealed under a key this server does not hold (or altered): those users' codes are refused; set SECRET_KEY_PREVIOUS to the key they were sealed with",
			"secrets", n, "sealed_with", ids, "key_id", s.secrets.KeyID())
	}
	return nil
}

// resealTOTP is a stored value as it should be stored now: sealed under
// the current key. ok is false when it does not open; unopened then counts
// it by the id of the key that sealed it.
func (s *Server) resealTOTP(userID, stored string, unopened map[string]int) (string, bool) {
	if stored == "" || s.secrets.Current(stored) {
		// Under the current key already. One that does not open (altered,
		// copied) is found at sign-in, where it fails closed.
		return stored, true
	}
	secret, err := s.openTOTP(userID, stored)
	if err == nil {
		sealed, err := s.sealTOTP(userID, secret)
		if err == nil {
			return sealed, true
		}
	}
	id, _ := secretbox.KeyIDOf(stored)
	unopened[id]++
	return stored, false
}
