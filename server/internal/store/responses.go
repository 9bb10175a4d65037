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
	if err := s.prepareWave(ctx, r.Wave); err != nil {
		return err
	}
	doc, err := s.ResponseDocument(r)
	if err != nil {
		return err
	}
	col, _ := s.responsesOf(r.Wave)
	return mapErr("store.InsertResponse", s.insertBatched(ctx, col, doc))
}

// Response returns one response of a wave; ErrNotFound when there is none.
func (s *Store) Response(ctx context.Context, wave, id string) (*Response, error) {
	var r Response
	col, _ := s.responsesOf(wave)
	if err := col.FindOne(ctx, bson.M{"_id": id}).Decode(&r); err != nil {
		return nil, mapErr("store.Response", err)
	}
	if r.Wave != wave {
		return nil, mapErr("store.Response", ErrNotFound)
	}
	return &r, nil
}

// CountResponses counts a wave's stored responses. It reads them all on
// the embedded store: for maintenance and tests, never a request path.
func (s *Store) CountResponses(ctx context.Context, wave string) (int64, error) {
	col, filter := s.responsesOf(wave)
	n, err := col.CountDocuments(ctx, filter)
	return n, mapErr("store.CountResponses", err)
}

// InsertResponses stores many responses in one round trip per wave, for
// imports, demo data and benchmarks; ErrConflict if any id is taken.
func (s *Store) InsertResponses(ctx context.Context, rs []*Response) error {
	byWave := map[string][]any{}
	var order []string
	for _, r := range rs {
		if r.Week == "" {
			r.Week = ISOWeek(s.now())
		}
		doc, err := s.ResponseDocument(r)
		if err != nil {
			return err
		}
		if byWave[r.Wave] == nil {
			order = append(order, r.Wave)
		}
		byWave[r.Wave] = append(byWave[r.Wave], doc)
	}
	for _, wave := range order {
		if err := s.prepareWave(ctx, wave); err != nil {
			return err
		}
		col, _ := s.responsesOf(wave)
		if _, err := col.InsertMany(ctx, byWave[wave]); err != nil {
			return mapErr("store.InsertResponses", err)
		}
	}
	return nil
}

// DeleteResponses deletes every response of a wave, and on the embedded
// store the wave's moderation lists too (the texts themselves stay in the
// texts collection for the caller to delete). Retention and maintenance
// code must use it rather than a raw delete: on the embedded store a
// wave's responses are not in the shared collection (waveshape.go).
func (s *Store) DeleteResponses(ctx context.Context, wave string) error {
	if s.perWave {
		return s.dropWaveCollections(ctx, wave)
	}
	_, err := s.db.Collection(colResponses).DeleteMany(ctx, bson.M{"wave": wave})
	return mapErr("store.DeleteResponses", err)
}
