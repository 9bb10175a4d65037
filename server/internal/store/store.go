// Package store keeps yousaid's data in MongoDB (or the embedded
// FerretDB) through the official driver. It follows the rules in
// STORE.md: anything that must be exact is an insert guarded by a unique
// index, no two requests update one document at once, and no request path
// scans a growing collection.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

var (
	// ErrNotFound means no document matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique key is taken already.
	ErrConflict = errors.New("conflict")
)

// Collection names.
const (
	colSurveys    = "surveys"
	colCouncils   = "councils"
	colUsers      = "users"
	colTokens     = "tokens"
	colWaves      = "waves"
	colCodes      = "codes"
	colSpentCodes = "spent_codes"
	colResponses  = "responses"
	colTallies    = "tallies"
	colWriters    = "tally_writers"
	colTexts      = "texts"

	colSessions       = "sessions"
	colVotes          = "votes"
	colSessionTallies = "session_tallies"
	colActions        = "actions"
	colActionEvents   = "action_events"
	colAudit          = "audit"
	colTranslations   = "translations"

	colInvitations        = "invitations"
	colSpentInvitations   = "spent_invitations"
	colRecoveryCodes      = "recovery_codes"
	colSpentRecoveryCodes = "spent_recovery_codes"
	colUsedTOTP           = "used_totp"
	colSettings           = "settings"
	colClips              = "audio_clips"

	// Lookups by a key other than _id (lookups.go).
	colJoinCodes  = "join_codes"
	colUserEmails = "user_emails"
)

// Store is the concrete store over one database.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	now    func() time.Time

	// actionLocks serialise, in this process, the writes to each action
	// plan item's document (see actions.go).
	actionLocks sync.Map
	// translationLocks serialise, in this process, the writes to each
	// scope and language's reviews (see translations.go).
	translationLocks sync.Map
	// clipLocks serialise, in this process, the writes to each
	// question's recording in one language (see audio.go).
	clipLocks sync.Map
	// surveyLocks serialise, in this process, the writes that decide a
	// survey's versions (see surveys.go).
	surveyLocks sync.Map

	// perWave is set on FerretDB (the embedded store): there a wave's
	// responses and its moderation lists live in collections of their own,
	// because FerretDB filters nothing but _id in SQL (see waveshape.go and
	// docs/store.md).
	perWave bool
	indexer Indexer
	// prepared holds the waves whose own collections exist and are indexed.
	prepared sync.Map
	// queues batch concurrent response inserts, by collection (batch.go).
	queues sync.Map
	// drawJoinCode, when set, replaces the random draw of a session's join
	// code; tests set it to make a draw collide.
	drawJoinCode func() string
}

// Indexer is the embedded store's hook: it gives the SQLite tables behind a
// database's collections the indexes FerretDB's queries can use.
type Indexer interface {
	IndexDatabase(ctx context.Context, database string) error
}

// Options configure Open.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ServerSelectionTimeout bounds how long an operation waits for a
	// reachable store before it fails (and the server answers 503).
	ServerSelectionTimeout time.Duration
	// MaxPoolSize caps the connections to the store; 0 is the driver's
	// default (100). The embedded store serialises writes anyway, and
	// every connection costs it memory: a small pool is faster and
	// lighter there (docs/benchmarks.md).
	MaxPoolSize uint64
	// OnError, when set, is told the name of every command the store
	// failed (insert, update, find...), for metrics; never its values. A
	// duplicate key is an expected answer, not an error.
	OnError func(command string)
	// Monitor, when set, sees every command the store sends; tests use it
	// to check which queries a function runs.
	Monitor *event.CommandMonitor
	// Indexer, when the store is the embedded one, indexes its tables after
	// the store creates collections; nil on MongoDB. A store opened on the
	// embedded store without it works the same, only slower.
	Indexer Indexer
}

// Open connects to uri, checks the store answers and ensures every index.
func Open(ctx context.Context, uri, database string, o Options) (*Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ServerSelectionTimeout == 0 {
		o.ServerSelectionTimeout = 5 * time.Second
	}
	copts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(o.ServerSelectionTimeout).
		SetConnectTimeout(o.ServerSelectionTimeout).
		SetWriteConcern(writeconcern.Majority()).
		// No driver-level retry of writes: the embedded store advertises
		// sessions but does not deduplicate a retried write, so a retry of
		// an insert whose reply was lost came back as a duplicate key, and
		// the response was acknowledged without being counted. A failed
		// write now surfaces; the client retries with its Idempotency-Key,
		// and the web layer recounts the wave (see web/unsure.go).
		SetRetryWrites(false)
	if o.MaxPoolSize > 0 {
		copts.SetMaxPoolSize(o.MaxPoolSize)
	}
	if o.OnError != nil {
		copts.SetMonitor(failedCommands(o.OnError, o.Monitor))
	} else if o.Monitor != nil {
		copts.SetMonitor(o.Monitor)
	}
	client, err := mongo.Connect(copts)
	if err != nil {
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	s := &Store{client: client, db: client.Database(database), now: o.Now, indexer: o.Indexer}
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	if s.perWave, err = isFerretDB(ctx, client); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	if err := s.backfillLookups(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	return s, nil
}

// Close disconnects from the store.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// Ping reports whether the store answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.client.Ping(ctx, readpref.Primary())
}

// Drop removes the whole database; tests use it to clean up.
func (s *Store) Drop(ctx context.Context) error {
	return s.db.Drop(ctx)
}

// Database exposes the database to maintenance code and tests that must
// look at raw documents.
func (s *Store) Database() *mongo.Database { return s.db }

// plainCollections are the collections with no index but _id's.
var plainCollections = []string{colCouncils, colSpentCodes, colWriters, colSessionTallies,
	colTranslations, colSpentInvitations, colSettings, colRetention, colJoinCodes, colUserEmails}

func (s *Store) ensureIndexes(ctx context.Context) error {
	indexes := map[string][]mongo.IndexModel{
		colSurveys: {
			{Keys: bson.D{{Key: "survey", Value: 1}, {Key: "version", Value: -1}}},
			{Keys: bson.D{{Key: "council", Value: 1}}},
			{Keys: bson.D{{Key: "extends", Value: 1}}},
		},
		colUsers: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "council", Value: 1}}},
		},
		colTokens: {{Keys: bson.D{{Key: "user", Value: 1}}}},
		colWaves: {
			{Keys: bson.D{{Key: "council", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "survey", Value: 1}, {Key: "version", Value: 1}}},
		},
		colCodes:     {{Keys: bson.D{{Key: "wave", Value: 1}}}},
		colResponses: {{Keys: bson.D{{Key: "wave", Value: 1}}}},
		colTallies:   {{Keys: bson.D{{Key: "wave", Value: 1}, {Key: "dim", Value: 1}}}},
		colTexts:     {{Keys: bson.D{{Key: "wave", Value: 1}, {Key: "status", Value: 1}, {Key: "week", Value: 1}}}},
		colSessions: {
			{Keys: bson.D{{Key: "join_code", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "council", Value: 1}, {Key: "created_at", Value: -1}}},
		},
		colVotes: {{Keys: bson.D{{Key: "session", Value: 1}}}},
		colActions: {
			{Keys: bson.D{{Key: "council", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "council", Value: 1}, {Key: "published", Value: 1}, {Key: "published_at", Value: -1}}},
		},
		colActionEvents: {
			{Keys: bson.D{{Key: "action", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "council", Value: 1}, {Key: "at", Value: -1}}},
		},
		colAudit: {{Keys: bson.D{{Key: "council", Value: 1}, {Key: "at", Value: -1}}}},
		colInvitations: {
			{Keys: bson.D{{Key: "council", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "id", Value: 1}}, Options: options.Index().SetUnique(true)},
		},
		colRecoveryCodes:      {{Keys: bson.D{{Key: "user", Value: 1}}}},
		colSpentRecoveryCodes: {{Keys: bson.D{{Key: "user", Value: 1}}}},
		colUsedTOTP:           {{Keys: bson.D{{Key: "user", Value: 1}, {Key: "step", Value: 1}}}},
		colClips:              {{Keys: bson.D{{Key: "survey", Value: 1}}}, {Keys: bson.D{{Key: "sha256", Value: 1}}}},
	}
	// Every collection exists from the start, so that the embedded store
	// indexes its table now (it indexes tables, and FerretDB makes one only
	// on a collection's first write). A collection with no index of its own
	// goes in plainCollections.
	for _, name := range plainCollections {
		if _, ok := indexes[name]; !ok {
			indexes[name] = nil
		}
	}
	for name, models := range indexes {
		if err := s.db.CreateCollection(ctx, name); err != nil && !namespaceExists(err) {
			return fmt.Errorf("creating %s: %w", name, err)
		}
		// One at a time, and only those missing: FerretDB v1.24 panics when
		// createIndexes names several indexes that exist already (as on
		// every start after the first).
		existing, err := s.indexNames(ctx, name)
		if err != nil {
			return fmt.Errorf("indexes on %s: %w", name, err)
		}
		for _, m := range models {
			if existing[indexName(m.Keys.(bson.D))] {
				continue
			}
			if _, err := s.db.Collection(name).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("indexes on %s: %w", name, err)
			}
		}
	}
	return s.indexTables(ctx)
}

// indexTables asks the embedded store, if any, to index the tables of
// collections created since it last did.
func (s *Store) indexTables(ctx context.Context) error {
	if s.indexer == nil {
		return nil
	}
	return s.indexer.IndexDatabase(ctx, s.db.Name())
}

// isFerretDB reports whether the store is FerretDB (the embedded store),
// which names itself in buildInfo.
func isFerretDB(ctx context.Context, client *mongo.Client) (bool, error) {
	var info bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false, err
	}
	_, ok := info["ferretdbVersion"]
	return ok, nil
}

// indexNames lists the names of a collection's indexes.
func (s *Store) indexNames(ctx context.Context, collection string) (map[string]bool, error) {
	specs, err := s.db.Collection(collection).Indexes().ListSpecifications(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, spec := range specs {
		names[spec.Name] = true
	}
	return names, nil
}

// indexName is the name MongoDB gives an index by default: field_1_other_-1.
func indexName(keys bson.D) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s_%v", k.Key, k.Value))
	}
	return strings.Join(parts, "_")
}

func asBulk(err error, target *mongo.BulkWriteException) bool { return errors.As(err, target) }

// mapErr turns driver errors into the package's sentinel errors.
func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%s: %w", op, ErrConflict)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}
