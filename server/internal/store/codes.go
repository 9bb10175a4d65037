package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// codeAlphabet is readable aloud: no 0/O, no 1/I.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// MaxCodesPerRequest bounds one batch of codes.
const MaxCodesPerRequest = 1000

// ErrCodeInvalid means a code is unknown for the wave or spent already;
// ErrCodeSpent, which wraps it, says it was spent.
var (
	ErrCodeInvalid = errors.New("code invalid")
	ErrCodeSpent   = fmt.Errorf("%w: spent already", ErrCodeInvalid)
)

// NormaliseCode reads a code as a person might type it: any case, with or
// without the dash or spaces.
func NormaliseCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hashCode ties a code to its wave so that the same letters are a
// different code in another wave. Codes are only ever stored as this hash.
func hashCode(wave, code string) string {
	sum := sha256.Sum256([]byte("code\x00" + wave + "\x00" + NormaliseCode(code)))
	return hex.EncodeToString(sum[:])
}

// CreateCodes makes count new single-use codes for a wave and returns them
// formatted "XXXX-XXXX": this is the only time they exist in the clear.
func (s *Store) CreateCodes(ctx context.Context, wave string, count int) ([]string, error) {
	if count < 1 || count > MaxCodesPerRequest {
		return nil, fmt.Errorf("store.CreateCodes: count %d out of range", count)
	}
	codes := make([]string, 0, count)
	for len(codes) < count {
		// One round trip for the batch; a code drawn twice (one in 2^40)
		// fails on the unique _id and is drawn again.
		drawn := make([]string, count-len(codes))
		docs := make([]any, len(drawn))
		for i := range drawn {
			code := randomString(codeAlphabet, 8)
			drawn[i] = code[:4] + "-" + code[4:]
			docs[i] = bson.M{"_id": hashCode(wave, drawn[i]), "wave": wave}
		}
		_, err := s.db.Collection(colCodes).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		failed := map[int]bool{}
		if err != nil {
			var bwe mongo.BulkWriteException
			if !allDuplicates(err) || !asBulk(err, &bwe) {
				return nil, mapErr("store.CreateCodes", err)
			}
			for _, we := range bwe.WriteErrors {
				failed[we.Index] = true
			}
		}
		for i, code := range drawn {
			if !failed[i] {
				codes = append(codes, code)
			}
		}
	}
	return codes, nil
}

// CountCodes reports how many codes a wave has and how many are spent.
func (s *Store) CountCodes(ctx context.Context, wave string) (total, spent int64, err error) {
	total, err = s.db.Collection(colCodes).CountDocuments(ctx, bson.M{"wave": wave})
	if err != nil {
		return 0, 0, mapErr("store.CountCodes", err)
	}
	spent, err = s.db.Collection(colSpentCodes).CountDocuments(ctx, bson.M{"wave": wave})
	return total, spent, mapErr("store.CountCodes", err)
}

// SpendCode spends a wave's code exactly once: the spend is an insert into
// a collection whose _id is the code's hash, so of any number of racing
// spends one succeeds. ErrCodeInvalid for an unknown or spent code. The
// spend records nothing about the response it admits.
func (s *Store) SpendCode(ctx context.Context, wave, code string) (release func(context.Context) error, err error) {
	h := hashCode(wave, code)
	// By _id alone: the embedded store filters nothing else in SQL, and
	// the hash already binds the code to its wave.
	var doc struct {
		Wave string `bson:"wave"`
	}
	err = s.db.Collection(colCodes).FindOne(ctx, bson.M{"_id": h}).Decode(&doc)
	if err == nil && doc.Wave != wave {
		err = mongo.ErrNoDocuments
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("store.SpendCode: %w", ErrCodeInvalid)
	}
	if err != nil {
		return nil, mapErr("store.SpendCode", err)
	}
	_, err = s.db.Collection(colSpentCodes).InsertOne(ctx, bson.M{"_id": h, "wave": wave})
	if mongo.IsDuplicateKeyError(err) {
		return nil, fmt.Errorf("store.SpendCode: %w", ErrCodeSpent)
	}
	if err != nil {
		return nil, mapErr("store.SpendCode", err)
	}
	// release un-spends the code when the response it admitted could not be
	// stored, so the young person can try again.
	release = func(ctx context.Context) error {
		_, err := s.db.Collection(colSpentCodes).DeleteOne(ctx, bson.M{"_id": h})
		return mapErr("store.SpendCode.release", err)
	}
	return release, nil
}
