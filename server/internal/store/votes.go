package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Vote is one young person's choices in a forum session. It holds nothing
// else: no time (the session has its date), no address, agent or cookie.
type Vote struct {
	ID      string   `bson:"_id"`
	Session string   `bson:"session"`
	Choices []string `bson:"choices"`
}

// VoteID is the _id of a vote: derived from the session and the client's
// Idempotency-Key when there is one (so a retry lands on the same
// document), random otherwise.
func VoteID(session, idempotencyKey string) string {
	if idempotencyKey == "" {
		return uuid.NewString()
	}
	sum := sha256.Sum256([]byte("vote\x00" + session + "\x00" + idempotencyKey))
	return hex.EncodeToString(sum[:16])
}

// InsertVote stores a vote exactly once: ErrConflict when its _id is taken
// (an idempotent replay, or a race with one).
func (s *Store) InsertVote(ctx context.Context, v *Vote) error {
	_, err := s.db.Collection(colVotes).InsertOne(ctx, v)
	return mapErr("store.InsertVote", err)
}

// Vote returns one vote; ErrNotFound when there is none.
func (s *Store) Vote(ctx context.Context, id string) (*Vote, error) {
	var v Vote
	if err := s.db.Collection(colVotes).FindOne(ctx, bson.M{"_id": id}).Decode(&v); err != nil {
		return nil, mapErr("store.Vote", err)
	}
	return &v, nil
}

// EachVote calls fn for every vote of a session. It scans the session's
// votes: for recounts, never a page load.
func (s *Store) EachVote(ctx context.Context, session string, fn func(*Vote) error) error {
	cur, err := s.db.Collection(colVotes).Find(ctx, bson.M{"session": session}, options.Find().SetBatchSize(1000))
	if err != nil {
		return mapErr("store.EachVote", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v Vote
		if err := cur.Decode(&v); err != nil {
			return mapErr("store.EachVote", err)
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return mapErr("store.EachVote", cur.Err())
}

// SessionTally is the pre-aggregated count of a session's votes: the
// presenter's screen and the tally endpoint read it, never the votes.
type SessionTally struct {
	ID     string           `bson:"_id"` // the session's id
	Counts map[string]int64 `bson:"c"`   // see package tally: KeyVotes, KeyChoice
	// Check is a weighted sum of Counts kept in step with every increment
	// (see package tally).
	Check int64 `bson:"check"`
}

// IncSessionTally adds inc to a session's counters, creating the tally if
// needed. Callers must not run two at once on one session (STORE.md rule
// 2): package tally's single writer is the only caller.
func (s *Store) IncSessionTally(ctx context.Context, session string, inc map[string]int64, check int64) error {
	fields := bson.M{"check": check}
	for k, n := range inc {
		fields["c."+k] = n
	}
	_, err := s.db.Collection(colSessionTallies).UpdateOne(ctx, bson.M{"_id": session},
		bson.M{"$inc": fields}, options.UpdateOne().SetUpsert(true))
	return mapErr("store.IncSessionTally", err)
}

// SessionTally returns a session's tally: empty counts when nobody has
// voted yet.
func (s *Store) SessionTally(ctx context.Context, session string) (*SessionTally, error) {
	var t SessionTally
	err := s.db.Collection(colSessionTallies).FindOne(ctx, bson.M{"_id": session}).Decode(&t)
	if isNoDocuments(err) {
		return &SessionTally{ID: session, Counts: map[string]int64{}}, nil
	}
	if err != nil {
		return nil, mapErr("store.SessionTally", err)
	}
	if t.Counts == nil {
		t.Counts = map[string]int64{}
	}
	return &t, nil
}

// ReplaceSessionTally writes a session's tally whole (a recount).
func (s *Store) ReplaceSessionTally(ctx context.Context, t SessionTally) error {
	_, err := s.db.Collection(colSessionTallies).ReplaceOne(ctx, bson.M{"_id": t.ID}, t, options.Replace().SetUpsert(true))
	return mapErr("store.ReplaceSessionTally", err)
}

// MarkWriterSession records that writer id is about to change a session's
// tally, so that a recount finds it if the process dies first.
// ErrNotFound when writer id has no marker (another writer claimed it).
func (s *Store) MarkWriterSession(ctx context.Context, id, session string) error {
	return s.updateWriterMarker(ctx, "store.MarkWriterSession", id,
		bson.M{"$addToSet": bson.M{"sessions": session}, "$set": bson.M{"seen": s.now().UTC()}})
}

func isNoDocuments(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }
