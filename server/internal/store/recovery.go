package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// RecoveryCodeCount is how many recovery codes a user is given at once.
const RecoveryCodeCount = 10

// ErrRecoveryCodeInvalid means a recovery code is unknown for the user or
// spent already. ErrTOTPReplayed means a TOTP code's time step was used
// already.
var (
	ErrRecoveryCodeInvalid = errors.New("recovery code invalid")
	ErrTOTPReplayed        = errors.New("totp code used already")
)

// hashRecoveryCode ties a code to its user; codes are only stored so.
func hashRecoveryCode(user, code string) string {
	sum := sha256.Sum256([]byte("recovery\x00" + user + "\x00" + NormaliseCode(code)))
	return hex.EncodeToString(sum[:])
}

// ReplaceRecoveryCodes deletes a user's recovery codes (spent or not) and
// makes RecoveryCodeCount new ones, returned formatted "XXXXX-XXXXX": the
// only time they exist in the clear.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, user string) ([]string, error) {
	if err := s.DeleteRecoveryCodes(ctx, user); err != nil {
		return nil, err
	}
	codes := make([]string, 0, RecoveryCodeCount)
	for len(codes) < RecoveryCodeCount {
		code := randomString(codeAlphabet, 10)
		code = code[:5] + "-" + code[5:]
		_, err := s.db.Collection(colRecoveryCodes).InsertOne(ctx, bson.M{"_id": hashRecoveryCode(user, code), "user": user})
		if mongo.IsDuplicateKeyError(err) {
			continue // one in 2^50: draw again
		}
		if err != nil {
			return nil, mapErr("store.ReplaceRecoveryCodes", err)
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// DeleteRecoveryCodes removes every recovery code of a user and the record
// of those spent.
func (s *Store) DeleteRecoveryCodes(ctx context.Context, user string) error {
	for _, col := range []string{colRecoveryCodes, colSpentRecoveryCodes} {
		if _, err := s.db.Collection(col).DeleteMany(ctx, bson.M{"user": user}); err != nil {
			return mapErr("store.DeleteRecoveryCodes", err)
		}
	}
	return nil
}

// RecoveryCodesLeft counts a user's unspent recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, user string) (int64, error) {
	total, err := s.db.Collection(colRecoveryCodes).CountDocuments(ctx, bson.M{"user": user})
	if err != nil {
		return 0, mapErr("store.RecoveryCodesLeft", err)
	}
	spent, err := s.db.Collection(colSpentRecoveryCodes).CountDocuments(ctx, bson.M{"user": user})
	if err != nil {
		return 0, mapErr("store.RecoveryCodesLeft", err)
	}
	return max(0, total-spent), nil
}

// SpendRecoveryCode spends one of a user's recovery codes exactly once: an
// insert of its hash into a collection with a unique _id (STORE.md rule
// 1), never a read-modify-write. ErrRecoveryCodeInvalid for an unknown or
// spent code.
func (s *Store) SpendRecoveryCode(ctx context.Context, user, code string) error {
	h := hashRecoveryCode(user, code)
	err := s.db.Collection(colRecoveryCodes).FindOne(ctx, bson.M{"_id": h, "user": user}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("store.SpendRecoveryCode: %w", ErrRecoveryCodeInvalid)
	}
	if err != nil {
		return mapErr("store.SpendRecoveryCode", err)
	}
	_, err = s.db.Collection(colSpentRecoveryCodes).InsertOne(ctx, bson.M{"_id": h, "user": user, "at": s.now().UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store.SpendRecoveryCode: %w", ErrRecoveryCodeInvalid)
	}
	return mapErr("store.SpendRecoveryCode", err)
}

// SpendTOTPStep records that a user's TOTP code for time step (the RFC
// 6238 counter) has been used, so that the same code is refused for the
// rest of its window: an insert keyed by user and step, of which only the
// first succeeds. ErrTOTPReplayed when the step was used already. Steps
// older than a day are swept away for the user on the way.
func (s *Store) SpendTOTPStep(ctx context.Context, user string, step uint64) error {
	sum := sha256.Sum256([]byte("totp\x00" + user + "\x00" + strconv.FormatUint(step, 10)))
	col := s.db.Collection(colUsedTOTP)
	_, err := col.InsertOne(ctx, bson.M{"_id": hex.EncodeToString(sum[:]), "user": user, "step": int64(step), "at": s.now().UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store.SpendTOTPStep: %w", ErrTOTPReplayed)
	}
	if err != nil {
		return mapErr("store.SpendTOTPStep", err)
	}
	const day = 24 * 60 * 60 / 30 // steps of 30 s
	if step > day {
		if _, err := col.DeleteMany(ctx, bson.M{"user": user, "step": bson.M{"$lt": int64(step - day)}}); err != nil {
			return mapErr("store.SpendTOTPStep", err)
		}
	}
	return nil
}
