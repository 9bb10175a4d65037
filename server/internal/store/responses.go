package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Response is one young person's anonymous answers. It holds nothing else:
// no time finer than the ISO week, no address, agent, cookie or code.
type Response struct {
	ID       string         `bson:"_id"`
	Wave     string         `bson:"wave"`
	Survey   string         `bson:"survey"`
	Version  int            `bson:"version"`
	Language string         `bson:"language"`
	Answers  map[string]any `bson:"answers"`
	Week     string         `bson:"week"` // ISO week, e.g. "2027-W05"
}

// ResponseID is the _id of a response: derived from the wave and the
// client's Idempotency-Key when there is one (so a retry lands on the same
// document), random otherwise. Neither is ordered by time.
func ResponseID(wave, idempotencyKey string) string {
	if idempotencyKey == "" {
		return uuid.NewString()
	}
	sum := sha256.Sum256([]byte("response\x00" + wave + "\x00" + idempotencyKey))
	return hex.EncodeToString(sum[:16])
}

// ISOWeek formats t's ISO week, the finest date a response carries.
func ISOWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// InsertResponse stores a response exactly once: ErrConflict when its _id
// is taken (an idempotent replay or a race with one).
func (s *Store) InsertResponse(ctx context.Context, r *Response) error {
	if r.Week == "" {
		r.Week = ISOWeek(s.now())
	}
	_, err := s.db.Collection(colResponses).InsertOne(ctx, r)
	return mapErr("store.InsertResponse", err)
}

// Response returns one response; ErrNotFound when there is none.
func (s *Store) Response(ctx context.Context, id string) (*Response, error) {
	var r Response
	if err := s.db.Collection(colResponses).FindOne(ctx, bson.M{"_id": id}).Decode(&r); err != nil {
		return nil, mapErr("store.Response", err)
	}
	return &r, nil
}

// CountResponses counts a wave's stored responses. It scans on the
// embedded store: for maintenance and tests, never a request path.
func (s *Store) CountResponses(ctx context.Context, wave string) (int64, error) {
	n, err := s.db.Collection(colResponses).CountDocuments(ctx, bson.M{"wave": wave})
	return n, mapErr("store.CountResponses", err)
}

// InsertResponses stores many responses in one round trip, for imports,
// demo data and benchmarks; ErrConflict if any id is taken.
func (s *Store) InsertResponses(ctx context.Context, rs []*Response) error {
	docs := make([]any, len(rs))
	for i, r := range rs {
		if r.Week == "" {
			r.Week = ISOWeek(s.now())
		}
		docs[i] = r
	}
	_, err := s.db.Collection(colResponses).InsertMany(ctx, docs)
	return mapErr("store.InsertResponses", err)
}
