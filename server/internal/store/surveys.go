package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"yousaid/survey"
)

// surveyDoc stores one version of a definition. The definition is kept as
// its JSON text so that a stored version reads back byte for byte; the
// fields beside it are copies for queries.
type surveyDoc struct {
	ID         string `bson:"_id"` // "<survey>@<version>"
	Survey     string `bson:"survey"`
	Version    int    `bson:"version"`
	Definition string `bson:"definition"`
	// Council owns the survey; empty for a national one. Documents stored
	// before councils had surveys lack the field, and are national.
	Council string `bson:"council,omitempty"`
	// Extends is the national survey a council survey extends.
	Extends string `bson:"extends,omitempty"`
	// InUse is set once a wave opens on the version: from then on the
	// version never changes, and an edit is stored as the next version.
	InUse     bool       `bson:"in_use"`
	CreatedAt time.Time  `bson:"created_at"`
	UpdatedAt *time.Time `bson:"updated_at,omitempty"`
}

// SurveyVersion describes one stored version of a survey.
type SurveyVersion struct {
	Version   int
	CreatedAt time.Time
	// InUse says a wave uses the version, so it can no longer change.
	InUse bool
}

func surveyKey(id string, version int) string { return id + "@" + strconv.Itoa(version) }

// nationalSurveys matches national surveys, including those stored before
// the council field existed.
var nationalSurveys = bson.M{"$or": bson.A{bson.M{"council": bson.M{"$exists": false}}, bson.M{"council": ""}}}

func newSurveyDoc(def *survey.Definition, now time.Time) (surveyDoc, error) {
	raw, err := json.Marshal(def)
	if err != nil {
		return surveyDoc{}, err
	}
	return surveyDoc{
		ID: surveyKey(def.ID, def.Version), Survey: def.ID, Version: def.Version,
		Definition: string(raw), Council: def.Council, Extends: def.Extends, CreatedAt: now,
	}, nil
}

// surveyLock serialises, in this process, the writes that decide a
// survey's versions: saving in place and marking a version in use must not
// interleave (the embedded store's conditional updates are not atomic).
func (s *Store) surveyLock(id string) *sync.Mutex {
	m, _ := s.surveyLocks.LoadOrStore(id, &sync.Mutex{})
	return m.(*sync.Mutex)
}

// PutSurvey stores a definition version as it is. A version already stored
// is left as it is: it then returns ErrConflict. New surveys (version 1)
// and the seed definitions are stored this way; edits go through
// SaveSurvey.
func (s *Store) PutSurvey(ctx context.Context, def *survey.Definition) error {
	doc, err := newSurveyDoc(def, s.now().UTC())
	if err != nil {
		return fmt.Errorf("store.PutSurvey: %w", err)
	}
	_, err = s.db.Collection(colSurveys).InsertOne(ctx, doc)
	return mapErr("store.PutSurvey", err)
}

// SaveSurvey stores an edit of an existing survey and returns the version
// written, which it also sets in def.Version: the newest version is
// replaced in place while no wave uses it; otherwise the edit becomes the
// next version. ErrNotFound when the survey has no version yet; ErrConflict
// when another process stored the next version at the same moment.
func (s *Store) SaveSurvey(ctx context.Context, def *survey.Definition) (int, error) {
	lock := s.surveyLock(def.ID)
	lock.Lock()
	defer lock.Unlock()

	newest, err := s.newestSurveyDoc(ctx, def.ID)
	if err != nil {
		return 0, mapErr("store.SaveSurvey", err)
	}
	inUse := newest.InUse
	if !inUse {
		// Waves opened before versions were marked in use still hold theirs.
		inUse, err = s.waveUses(ctx, def.ID, newest.Version)
		if err != nil {
			return 0, mapErr("store.SaveSurvey", err)
		}
	}
	now := s.now().UTC()
	if !inUse {
		def.Version = newest.Version
		doc, err := newSurveyDoc(def, newest.CreatedAt)
		if err != nil {
			return 0, fmt.Errorf("store.SaveSurvey: %w", err)
		}
		doc.UpdatedAt = &now
		// The filter makes the replacement conditional where the store
		// makes that atomic (MongoDB): a version a wave has just taken is
		// never overwritten.
		res, err := s.db.Collection(colSurveys).ReplaceOne(ctx,
			bson.M{"_id": doc.ID, "in_use": bson.M{"$ne": true}}, doc)
		if err != nil {
			return 0, mapErr("store.SaveSurvey", err)
		}
		if res.MatchedCount == 1 {
			return def.Version, nil
		}
	}
	def.Version = newest.Version + 1
	doc, err := newSurveyDoc(def, now)
	if err != nil {
		return 0, fmt.Errorf("store.SaveSurvey: %w", err)
	}
	if _, err := s.db.Collection(colSurveys).InsertOne(ctx, doc); err != nil {
		return 0, mapErr("store.SaveSurvey", err)
	}
	return def.Version, nil
}

// UseSurveyVersion marks a version in use, before a wave opens on it: from
// then on it never changes. Marking it again is harmless. ErrNotFound when
// the version is not stored.
func (s *Store) UseSurveyVersion(ctx context.Context, id string, version int) error {
	lock := s.surveyLock(id)
	lock.Lock()
	defer lock.Unlock()
	res, err := s.db.Collection(colSurveys).UpdateOne(ctx, bson.M{"_id": surveyKey(id, version)},
		bson.M{"$set": bson.M{"in_use": true}})
	if err != nil {
		return mapErr("store.UseSurveyVersion", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store.UseSurveyVersion: %w", ErrNotFound)
	}
	return nil
}

// MarkUsedSurveyVersions marks in use every version a wave uses, for waves
// opened before versions were marked (run at start-up; a platform has
// hundreds of waves, not millions).
func (s *Store) MarkUsedSurveyVersions(ctx context.Context) error {
	cur, err := s.db.Collection(colWaves).Find(ctx, bson.M{},
		options.Find().SetProjection(bson.M{"survey": 1, "version": 1}).SetLimit(100000))
	if err != nil {
		return mapErr("store.MarkUsedSurveyVersions", err)
	}
	var waves []struct {
		Survey  string `bson:"survey"`
		Version int    `bson:"version"`
	}
	if err := cur.All(ctx, &waves); err != nil {
		return mapErr("store.MarkUsedSurveyVersions", err)
	}
	marked := map[string]bool{}
	for _, w := range waves {
		key := surveyKey(w.Survey, w.Version)
		if marked[key] {
			continue
		}
		marked[key] = true
		_, err := s.db.Collection(colSurveys).UpdateOne(ctx,
			bson.M{"_id": key, "in_use": bson.M{"$ne": true}}, bson.M{"$set": bson.M{"in_use": true}})
		if err != nil {
			return mapErr("store.MarkUsedSurveyVersions", err)
		}
	}
	return nil
}

// waveUses reports whether any wave was opened on the version.
func (s *Store) waveUses(ctx context.Context, id string, version int) (bool, error) {
	err := s.db.Collection(colWaves).FindOne(ctx, bson.M{"survey": id, "version": version},
		options.FindOne().SetProjection(bson.M{"_id": 1})).Err()
	if err == mongo.ErrNoDocuments {
		return false, nil
	}
	return err == nil, err
}

func (s *Store) newestSurveyDoc(ctx context.Context, id string) (surveyDoc, error) {
	var doc surveyDoc
	err := s.db.Collection(colSurveys).FindOne(ctx, bson.M{"survey": id},
		options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}})).Decode(&doc)
	return doc, err
}

// Survey returns one stored version, or the newest when version is 0.
func (s *Store) Survey(ctx context.Context, id string, version int) (*survey.Definition, error) {
	def, _, err := s.SurveyInUse(ctx, id, version)
	if err != nil {
		return nil, fmt.Errorf("store.Survey: %w", err)
	}
	return def, nil
}

// SurveyInUse returns one stored version (the newest when version is 0)
// and whether a wave uses it: only such a version can be cached, since
// any other may still be replaced in place. A version not marked in use
// is looked up among the waves, for waves opened without marking it
// (before versions were marked, or by maintenance code).
func (s *Store) SurveyInUse(ctx context.Context, id string, version int) (*survey.Definition, bool, error) {
	var doc surveyDoc
	var err error
	if version > 0 {
		err = s.db.Collection(colSurveys).FindOne(ctx, bson.M{"_id": surveyKey(id, version)}).Decode(&doc)
	} else {
		doc, err = s.newestSurveyDoc(ctx, id)
	}
	if err != nil {
		return nil, false, mapErr("store.SurveyInUse", err)
	}
	def, err := decodeSurvey(doc)
	if err != nil {
		return nil, false, err
	}
	inUse := doc.InUse
	if !inUse {
		if inUse, err = s.waveUses(ctx, doc.Survey, doc.Version); err != nil {
			return nil, false, mapErr("store.SurveyInUse", err)
		}
	}
	return def, inUse, nil
}

// SurveyVersions lists a survey's versions, oldest first; ErrNotFound when
// it has none.
func (s *Store) SurveyVersions(ctx context.Context, id string) ([]SurveyVersion, error) {
	cur, err := s.db.Collection(colSurveys).Find(ctx, bson.M{"survey": id},
		options.Find().SetSort(bson.D{{Key: "version", Value: 1}}).
			SetProjection(bson.M{"version": 1, "in_use": 1, "created_at": 1}))
	if err != nil {
		return nil, mapErr("store.SurveyVersions", err)
	}
	var docs []surveyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("store.SurveyVersions", err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("store.SurveyVersions: %w", ErrNotFound)
	}
	out := make([]SurveyVersion, len(docs))
	for i, d := range docs {
		out[i] = SurveyVersion{Version: d.Version, CreatedAt: d.CreatedAt, InUse: d.InUse}
	}
	return out, nil
}

// LatestSurveys returns the newest version of every national survey,
// ordered by id: what anyone may see. Council surveys are listed by
// CouncilSurveys.
func (s *Store) LatestSurveys(ctx context.Context) ([]*survey.Definition, error) {
	return s.latestSurveys(ctx, "store.LatestSurveys", nationalSurveys)
}

// CouncilSurveys returns the newest version of every survey of one
// council, ordered by id.
func (s *Store) CouncilSurveys(ctx context.Context, council string) ([]*survey.Definition, error) {
	return s.latestSurveys(ctx, "store.CouncilSurveys", bson.M{"council": council})
}

// AllLatestSurveys returns the newest version of every survey, national and
// council, ordered by id: for platform administrators and maintenance.
func (s *Store) AllLatestSurveys(ctx context.Context) ([]*survey.Definition, error) {
	return s.latestSurveys(ctx, "store.AllLatestSurveys", bson.M{})
}

// SurveyExtensions lists the ids of the council surveys that extend a
// national survey (any of their versions), ordered by id.
func (s *Store) SurveyExtensions(ctx context.Context, base string) ([]string, error) {
	cur, err := s.db.Collection(colSurveys).Find(ctx, bson.M{"extends": base},
		options.Find().SetProjection(bson.M{"survey": 1}).SetSort(bson.D{{Key: "survey", Value: 1}}))
	if err != nil {
		return nil, mapErr("store.SurveyExtensions", err)
	}
	var docs []surveyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("store.SurveyExtensions", err)
	}
	var ids []string
	for _, d := range docs {
		if len(ids) == 0 || ids[len(ids)-1] != d.Survey {
			ids = append(ids, d.Survey)
		}
	}
	return ids, nil
}

// latestSurveys reads the surveys matching filter, newest version first
// within each survey, and keeps the newest of each. The collection holds
// tens of surveys with a few versions each, so reading it is bounded.
func (s *Store) latestSurveys(ctx context.Context, op string, filter bson.M) ([]*survey.Definition, error) {
	cur, err := s.db.Collection(colSurveys).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "survey", Value: 1}, {Key: "version", Value: -1}}))
	if err != nil {
		return nil, mapErr(op, err)
	}
	var docs []surveyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(op, err)
	}
	var defs []*survey.Definition
	for _, doc := range docs {
		if len(defs) > 0 && defs[len(defs)-1].ID == doc.Survey {
			continue
		}
		def, err := decodeSurvey(doc)
		if err != nil {
			return nil, err
		}
		defs = append(defs, def)
	}
	return defs, nil
}

func decodeSurvey(doc surveyDoc) (*survey.Definition, error) {
	var def survey.Definition
	if err := json.Unmarshal([]byte(doc.Definition), &def); err != nil {
		return nil, fmt.Errorf("store: survey %s is corrupt: %w", doc.ID, err)
	}
	return &def, nil
}
