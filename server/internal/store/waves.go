package store

import (
	"context"
	"crypto/rand"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Access modes of a wave.
const (
	AccessOpen  = "open"  // anyone with the link may answer
	AccessCodes = "codes" // each answer spends a single-use code
)

// Wave is one round of a survey in one council.
type Wave struct {
	ID       string     `bson:"_id" json:"id"`
	Council  string     `bson:"council" json:"council"`
	Survey   string     `bson:"survey" json:"survey"`
	Version  int        `bson:"version" json:"version"`
	Name     string     `bson:"name" json:"name"`
	Access   string     `bson:"access" json:"access"`
	ClosesAt *time.Time `bson:"closes_at,omitempty" json:"closes_at,omitempty"`
	// ClosedAt is set when a council admin closes the wave by hand.
	ClosedAt  *time.Time `bson:"closed_at,omitempty" json:"closed_at,omitempty"`
	CreatedAt time.Time  `bson:"created_at" json:"created_at"`
}

// Closed reports whether the wave takes no more answers at now.
func (w *Wave) Closed(now time.Time) bool {
	return w.ClosedAt != nil || (w.ClosesAt != nil && !now.Before(*w.ClosesAt))
}

// lowerAlphabet has no letters easily confused with digits.
const lowerAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// randomString returns n characters drawn uniformly from alphabet
// (len(alphabet) must divide 256 or be close; rejection sampling keeps it
// uniform).
func randomString(alphabet string, n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// CreateWave stores a new wave with a fresh random id, created now unless
// CreatedAt is set (demo data and imports of earlier waves set it).
func (s *Store) CreateWave(ctx context.Context, w *Wave) error {
	w.ID = randomString(lowerAlphabet, 12)
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.now().UTC()
	}
	_, err := s.db.Collection(colWaves).InsertOne(ctx, w)
	return mapErr("store.CreateWave", err)
}

// Wave returns one wave; ErrNotFound when there is none.
func (s *Store) Wave(ctx context.Context, id string) (*Wave, error) {
	var w Wave
	if err := s.db.Collection(colWaves).FindOne(ctx, bson.M{"_id": id}).Decode(&w); err != nil {
		return nil, mapErr("store.Wave", err)
	}
	return &w, nil
}

// CouncilWaves lists a council's waves, newest first.
func (s *Store) CouncilWaves(ctx context.Context, council string) ([]Wave, error) {
	cur, err := s.db.Collection(colWaves).Find(ctx, bson.M{"council": council},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(500))
	if err != nil {
		return nil, mapErr("store.CouncilWaves", err)
	}
	out := []Wave{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.CouncilWaves", err)
	}
	return out, nil
}

// AllWaveIDs lists the id of every wave on the platform, for maintenance.
func (s *Store) AllWaveIDs(ctx context.Context) ([]string, error) {
	cur, err := s.db.Collection(colWaves).Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1}).SetLimit(100000))
	if err != nil {
		return nil, mapErr("store.AllWaveIDs", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("store.AllWaveIDs", err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
}

// CloseWave marks a wave closed now. Closing a closed wave keeps the first
// closing time. Setting a field is idempotent, so concurrent calls are safe.
func (s *Store) CloseWave(ctx context.Context, id string) (*Wave, error) {
	now := s.now().UTC()
	_, err := s.db.Collection(colWaves).UpdateOne(ctx,
		bson.M{"_id": id, "closed_at": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"closed_at": now}})
	if err != nil {
		return nil, mapErr("store.CloseWave", err)
	}
	return s.Wave(ctx, id)
}
