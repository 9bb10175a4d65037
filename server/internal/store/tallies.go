package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Tally is the pre-aggregated counters of a wave, or of one group of a
// breakdown of it. Results read tallies, never responses. Responses stay
// the source of truth: a tally can always be recounted from them.
type Tally struct {
	ID     string           `bson:"_id"`
	Wave   string           `bson:"wave"`
	Dim    string           `bson:"dim"`   // "" for the whole wave
	Group  string           `bson:"group"` // the group's value within Dim
	Counts map[string]int64 `bson:"c"`
	// Check is a weighted sum of Counts kept in step with every increment,
	// so that a tally changed by hand or half-written shows up as one whose
	// Check no longer matches (see package tally).
	Check int64 `bson:"check"`
}

// TallyID names the tally of a wave ("" dim: the whole wave) or a group.
func TallyID(wave, dim, group string) string {
	if dim == "" {
		return wave + "|all"
	}
	return wave + "|" + dim + "|" + group
}

// IncTally adds inc to a tally's counters, creating the tally if needed.
// Callers must not run two IncTally on one tally at once (STORE.md rule
// 2): the embedded store loses concurrent updates.
func (s *Store) IncTally(ctx context.Context, wave, dim, group string, inc map[string]int64, check int64) error {
	fields := bson.M{"check": check}
	for k, n := range inc {
		fields["c."+k] = n
	}
	_, err := s.db.Collection(colTallies).UpdateOne(ctx,
		bson.M{"_id": TallyID(wave, dim, group)},
		bson.M{"$inc": fields, "$setOnInsert": bson.M{"wave": wave, "dim": dim, "group": group}},
		options.UpdateOne().SetUpsert(true))
	return mapErr("store.IncTally", err)
}

// TalliesByID returns the tallies with the given ids that exist, in the
// order asked. It reads each by _id: the embedded store uses an index for
// _id equality only, and a filtered Find would scan every tally.
func (s *Store) TalliesByID(ctx context.Context, ids []string) ([]Tally, error) {
	out := make([]Tally, 0, len(ids))
	for _, id := range ids {
		var t Tally
		err := s.db.Collection(colTallies).FindOne(ctx, bson.M{"_id": id}).Decode(&t)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, mapErr("store.TalliesByID", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// Tallies returns a wave's tallies of one dimension ("" for the whole
// wave's single tally), by group. It filters on fields other than _id, so
// it scans on the embedded store: for maintenance and tests; request paths
// use TalliesByID.
func (s *Store) Tallies(ctx context.Context, wave, dim string) ([]Tally, error) {
	cur, err := s.db.Collection(colTallies).Find(ctx, bson.M{"wave": wave, "dim": dim},
		options.Find().SetSort(bson.D{{Key: "group", Value: 1}}).SetLimit(500))
	if err != nil {
		return nil, mapErr("store.Tallies", err)
	}
	out := []Tally{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.Tallies", err)
	}
	return out, nil
}

// AllTallies returns every tally of every wave. Their number grows with
// waves and groups, never with responses.
func (s *Store) AllTallies(ctx context.Context) ([]Tally, error) {
	cur, err := s.db.Collection(colTallies).Find(ctx, bson.M{}, options.Find().SetLimit(200000))
	if err != nil {
		return nil, mapErr("store.AllTallies", err)
	}
	out := []Tally{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.AllTallies", err)
	}
	return out, nil
}

// ReplaceTallies makes a wave's tallies exactly docs: each is written
// whole, then any other tally of the wave is removed.
func (s *Store) ReplaceTallies(ctx context.Context, wave string, docs []Tally) error {
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		d.ID = TallyID(wave, d.Dim, d.Group)
		d.Wave = wave
		ids = append(ids, d.ID)
		_, err := s.db.Collection(colTallies).ReplaceOne(ctx, bson.M{"_id": d.ID}, d, options.Replace().SetUpsert(true))
		if err != nil {
			return mapErr("store.ReplaceTallies", err)
		}
	}
	_, err := s.db.Collection(colTallies).DeleteMany(ctx, bson.M{"wave": wave, "_id": bson.M{"$nin": ids}})
	return mapErr("store.ReplaceTallies", err)
}

// EachResponse calls fn for every response of a wave. It scans: for
// recounts and exports, never a page load.
func (s *Store) EachResponse(ctx context.Context, wave string, fn func(*Response) error) error {
	col, filter := s.responsesOf(wave)
	cur, err := col.Find(ctx, filter, options.Find().SetBatchSize(1000))
	if err != nil {
		return mapErr("store.EachResponse", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var r Response
		if err := cur.Decode(&r); err != nil {
			return mapErr("store.EachResponse", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return mapErr("store.EachResponse", cur.Err())
}

// WriterMarker records that a process is applying tallies, and which waves
// it has touched: if the process dies before its pending counts are
// written, exactly those waves need a recount.
type WriterMarker struct {
	ID    string   `bson:"_id"`
	Waves []string `bson:"waves"`
	// Sessions are the forum sessions whose vote tallies it has touched.
	Sessions []string  `bson:"sessions,omitempty"`
	Started  time.Time `bson:"started"`
	Seen     time.Time `bson:"seen"` // refreshed while the process lives
}

// PutWriterMarker records a new tally writer.
func (s *Store) PutWriterMarker(ctx context.Context, id string) error {
	now := s.now().UTC()
	_, err := s.db.Collection(colWriters).InsertOne(ctx, WriterMarker{ID: id, Waves: []string{}, Started: now, Seen: now})
	return mapErr("store.PutWriterMarker", err)
}

// MarkWriterWave records that writer id is about to change wave's tallies.
// ErrNotFound when writer id has no marker (another writer claimed it).
func (s *Store) MarkWriterWave(ctx context.Context, id, wave string) error {
	return s.updateWriterMarker(ctx, "store.MarkWriterWave", id,
		bson.M{"$addToSet": bson.M{"waves": wave}, "$set": bson.M{"seen": s.now().UTC()}})
}

// TouchWriterMarker says writer id is still alive. ErrNotFound when writer
// id has no marker (another writer claimed it).
func (s *Store) TouchWriterMarker(ctx context.Context, id string) error {
	return s.updateWriterMarker(ctx, "store.TouchWriterMarker", id, bson.M{"$set": bson.M{"seen": s.now().UTC()}})
}

// updateWriterMarker applies update to writer id's marker; ErrNotFound
// when there is none.
func (s *Store) updateWriterMarker(ctx context.Context, op, id string, update bson.M) error {
	res, err := s.db.Collection(colWriters).UpdateOne(ctx, bson.M{"_id": id}, update)
	if err != nil {
		return mapErr(op, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	return nil
}

// WriterMarkers lists every recorded tally writer (a few per process ever
// started and not cleanly stopped).
func (s *Store) WriterMarkers(ctx context.Context) ([]WriterMarker, error) {
	cur, err := s.db.Collection(colWriters).Find(ctx, bson.M{}, options.Find().SetLimit(1000))
	if err != nil {
		return nil, mapErr("store.WriterMarkers", err)
	}
	var out []WriterMarker
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.WriterMarkers", err)
	}
	return out, nil
}

// AdoptWriterMarks adds waves and sessions to writer id's marker, as
// MarkWriterWave and MarkWriterSession do: a writer about to repair a dead
// writer's waves lists them as its own first, so that its own death
// before the repair is done leaves them to the next repair. ErrNotFound
// when writer id has no marker.
func (s *Store) AdoptWriterMarks(ctx context.Context, id string, waves, sessions []string) error {
	add := bson.M{}
	if len(waves) > 0 {
		add["waves"] = bson.M{"$each": waves}
	}
	if len(sessions) > 0 {
		add["sessions"] = bson.M{"$each": sessions}
	}
	update := bson.M{"$set": bson.M{"seen": s.now().UTC()}}
	if len(add) > 0 {
		update["$addToSet"] = add
	}
	return s.updateWriterMarker(ctx, "store.AdoptWriterMarks", id, update)
}

// ClaimWriterMarker deletes writer id's marker if its seen is still seen
// (the value the caller read and judged stale), and reports whether this
// call deleted it. Of several callers racing for one marker exactly one
// gets true, on MongoDB and on the embedded store alike: FerretDB v1.24
// evaluates a delete's filter on a read and then runs
// `DELETE ... WHERE _id IN (...)` in SQLite, reporting the rows that
// statement removed, so only one racer's delete removes the row. (Its
// findAndModify with remove returns the document it read whether or not
// its own delete removed it, so FindOneAndDelete would let two win.) The
// seen condition is atomic on MongoDB; on FerretDB a heartbeat landing
// between the read and the delete would be overridden, which cannot
// happen there because one process owns the embedded store.
func (s *Store) ClaimWriterMarker(ctx context.Context, id string, seen time.Time) (bool, error) {
	res, err := s.db.Collection(colWriters).DeleteOne(ctx, bson.M{"_id": id, "seen": seen.UTC()})
	if err != nil {
		return false, mapErr("store.ClaimWriterMarker", err)
	}
	return res.DeletedCount == 1, nil
}

// DeleteWriterMarker forgets a writer: it stopped cleanly, or its waves
// were recounted.
func (s *Store) DeleteWriterMarker(ctx context.Context, id string) error {
	_, err := s.db.Collection(colWriters).DeleteOne(ctx, bson.M{"_id": id})
	return mapErr("store.DeleteWriterMarker", err)
}
