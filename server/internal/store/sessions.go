package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// JoinCodeLength is the number of characters of a forum session's join
// code, drawn from codeAlphabet (readable aloud: no 0/O, no 1/I).
const JoinCodeLength = 6

// Session is a live Care Leavers' Forum vote: young people join it with
// its join code and choose up to MaxChoices of its Options.
type Session struct {
	ID      string `bson:"_id"`
	Council string `bson:"council"`
	Title   string `bson:"title"`
	// Wave is the wave whose findings the session was started from; empty
	// for a session made from scratch.
	Wave       string          `bson:"wave,omitempty"`
	Options    []SessionOption `bson:"options"`
	MaxChoices int             `bson:"max_choices"`
	// JoinCode is unique among all sessions, open or closed, so a code on
	// an old poster never leads into a new vote.
	JoinCode  string     `bson:"join_code"`
	CreatedBy string     `bson:"created_by"`
	CreatedAt time.Time  `bson:"created_at"`
	ClosedAt  *time.Time `bson:"closed_at,omitempty"`
}

// SessionOption is one choice of a session. Value matches
// ^[a-z0-9][a-z0-9_-]{0,63}$, so it is safe as a counter's field name.
type SessionOption struct {
	Value string            `bson:"value"`
	Label map[string]string `bson:"label"` // by BCP 47 tag; "en" always present
}

// Closed reports whether the session takes no more votes.
func (s *Session) Closed() bool { return s.ClosedAt != nil }

// Option returns the option with value v.
func (s *Session) Option(v string) (SessionOption, bool) {
	for _, o := range s.Options {
		if o.Value == v {
			return o, true
		}
	}
	return SessionOption{}, false
}

// NormaliseJoinCode reads a join code as a person might type it: any case,
// with spaces or a dash.
func NormaliseJoinCode(code string) string { return NormaliseCode(code) }

// CreateSession stores a new session with a fresh random id and join code.
// The code is claimed in join_codes before the session is stored
// (lookups.go): a code claimed already, by a session or by a claim whose
// session never got stored, is drawn again (about one chance in 10^9 per
// draw while sessions are few). The claim's unique _id decides, so two
// sessions created at once never share a code.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = s.now().UTC()
	}
	draw := s.drawJoinCode
	if draw == nil {
		draw = func() string { return randomString(codeAlphabet, JoinCodeLength) }
	}
	for range 10 {
		sess.ID = randomString(lowerAlphabet, 12)
		sess.JoinCode = draw()
		err := s.claim(ctx, joinCodeLookup, sess.JoinCode, sess.ID)
		if mongo.IsDuplicateKeyError(err) {
			continue
		}
		if err != nil {
			return mapErr("store.CreateSession", err)
		}
		_, err = s.db.Collection(colSessions).InsertOne(ctx, sess)
		if err == nil {
			return nil
		}
		// A duplicate here is the id (once in 10^18) or a session from
		// before lookups holding the code, until Open backfills its
		// lookup. Our claim stays, stale, and retires the code.
		if !mongo.IsDuplicateKeyError(err) {
			return mapErr("store.CreateSession", err)
		}
	}
	return mapErr("store.CreateSession", errors.New("no free join code after 10 draws"))
}

// Session returns one session by id; ErrNotFound when there is none.
func (s *Store) Session(ctx context.Context, id string) (*Session, error) {
	var sess Session
	if err := s.db.Collection(colSessions).FindOne(ctx, bson.M{"_id": id}).Decode(&sess); err != nil {
		return nil, mapErr("store.Session", err)
	}
	return &sess, nil
}

// SessionByJoinCode returns the session a join code opens, however the
// code was typed; ErrNotFound when there is none. It runs on every vote:
// two finds by _id, through join_codes (lookups.go).
func (s *Store) SessionByJoinCode(ctx context.Context, code string) (*Session, error) {
	code = NormaliseJoinCode(code)
	if len(code) != JoinCodeLength {
		return nil, mapErr("store.SessionByJoinCode", ErrNotFound)
	}
	var sess Session
	if err := s.byLookup(ctx, joinCodeLookup, code, &sess); err != nil {
		return nil, mapErr("store.SessionByJoinCode", err)
	}
	return &sess, nil
}

// CouncilSessions lists a council's sessions, newest first, at most limit.
func (s *Store) CouncilSessions(ctx context.Context, council string, limit int64) ([]Session, error) {
	cur, err := s.db.Collection(colSessions).Find(ctx, bson.M{"council": council},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(limit))
	if err != nil {
		return nil, mapErr("store.CouncilSessions", err)
	}
	out := []Session{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.CouncilSessions", err)
	}
	return out, nil
}

// CloseSession marks a session closed now; closing a closed session keeps
// the first closing time. Setting a field is idempotent, so concurrent
// calls are safe.
func (s *Store) CloseSession(ctx context.Context, id string) (*Session, error) {
	now := s.now().UTC()
	_, err := s.db.Collection(colSessions).UpdateOne(ctx,
		bson.M{"_id": id, "closed_at": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"closed_at": now}})
	if err != nil {
		return nil, mapErr("store.CloseSession", err)
	}
	return s.Session(ctx, id)
}
