package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/survey"
)

// ScopeInterface is the scope of the interface messages (locales/); a
// survey's scope is its id.
const ScopeInterface = "interface"

// TranslationReviews holds what reviewers last said about each text of one
// scope (a survey, or the interface) in one language. They are kept as one
// document per scope and language, so that the languages page reads a few
// dozen documents rather than one per string.
type TranslationReviews struct {
	// Scope is a survey id or ScopeInterface; Lang a language tag.
	Scope, Lang string
	// Reviews are by key (see survey.String); a key without one is drafted.
	Reviews map[string]*survey.Review
	// Rev counts the writes, so that two uploads at once cannot both win.
	Rev int
}

type translationDoc struct {
	ID        string           `bson:"_id"` // "<scope>/<lang>"
	Scope     string           `bson:"scope"`
	Lang      string           `bson:"lang"`
	Rev       int              `bson:"rev"`
	UpdatedAt time.Time        `bson:"updated_at"`
	Strings   []reviewedString `bson:"strings"`
}

// reviewedString is one review. Keys hold dots, which MongoDB field names
// must not, so the reviews are a list rather than a document by key.
type reviewedString struct {
	Key        string    `bson:"key"`
	SourceHash string    `bson:"source_hash"`
	Text       string    `bson:"text"`
	Status     string    `bson:"status"`
	By         string    `bson:"by"`
	At         time.Time `bson:"at"`
}

func translationKey(scope, lang string) string { return scope + "/" + lang }

// TranslationReviews returns the reviews of one scope and language; none
// yet is an empty set with Rev 0, not an error.
func (s *Store) TranslationReviews(ctx context.Context, scope, lang string) (*TranslationReviews, error) {
	var doc translationDoc
	err := s.db.Collection(colTranslations).FindOne(ctx, bson.M{"_id": translationKey(scope, lang)}).Decode(&doc)
	if err != nil {
		if err = mapErr("store.TranslationReviews", err); errors.Is(err, ErrNotFound) {
			return &TranslationReviews{Scope: scope, Lang: lang, Reviews: map[string]*survey.Review{}}, nil
		}
		return nil, err
	}
	return doc.reviews(), nil
}

// AllTranslationReviews returns every scope's reviews, keyed by scope then
// language. There is one document per scope and language (a handful of
// surveys and the interface, in thirteen languages), so this is bounded.
func (s *Store) AllTranslationReviews(ctx context.Context) (map[string]map[string]*TranslationReviews, error) {
	cur, err := s.db.Collection(colTranslations).Find(ctx, bson.M{})
	if err != nil {
		return nil, mapErr("store.AllTranslationReviews", err)
	}
	var docs []translationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("store.AllTranslationReviews", err)
	}
	out := map[string]map[string]*TranslationReviews{}
	for i := range docs {
		r := docs[i].reviews()
		if out[r.Scope] == nil {
			out[r.Scope] = map[string]*TranslationReviews{}
		}
		out[r.Scope][r.Lang] = r
	}
	return out, nil
}

// UpdateTranslationReviews reads the reviews of one scope and language,
// lets change alter them, and writes them back with Rev one higher unless
// change reports that it changed nothing. The
// writes of one scope and language are serialised in this process, and a
// write that finds another process's write in between fails with
// ErrConflict, changing nothing. An error from change is returned as it
// is, with nothing written.
func (s *Store) UpdateTranslationReviews(ctx context.Context, scope, lang string, change func(*TranslationReviews) (changed bool, err error)) error {
	m, _ := s.translationLocks.LoadOrStore(translationKey(scope, lang), &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()

	tr, err := s.TranslationReviews(ctx, scope, lang)
	if err != nil {
		return err
	}
	rev := tr.Rev
	changed, err := change(tr)
	if err != nil || !changed {
		return err
	}
	doc := translationDoc{ID: translationKey(scope, lang), Scope: scope, Lang: lang, Rev: rev + 1, UpdatedAt: s.now().UTC()}
	for key, r := range tr.Reviews {
		doc.Strings = append(doc.Strings, reviewedString{Key: key, SourceHash: r.SourceHash, Text: r.Text, Status: r.Status, By: r.By, At: r.At.UTC()})
	}
	col := s.db.Collection(colTranslations)
	if rev == 0 {
		_, err := col.InsertOne(ctx, doc)
		return mapErr("store.UpdateTranslationReviews", err)
	}
	res, err := col.ReplaceOne(ctx, bson.M{"_id": doc.ID, "rev": rev}, doc)
	if err != nil {
		return mapErr("store.UpdateTranslationReviews", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store.UpdateTranslationReviews: %s changed meanwhile: %w", doc.ID, ErrConflict)
	}
	return nil
}

func (d *translationDoc) reviews() *TranslationReviews {
	r := &TranslationReviews{Scope: d.Scope, Lang: d.Lang, Rev: d.Rev, Reviews: make(map[string]*survey.Review, len(d.Strings))}
	for _, s := range d.Strings {
		r.Reviews[s.Key] = &survey.Review{Key: s.Key, SourceHash: s.SourceHash, Text: s.Text, Status: s.Status, By: s.By, At: s.At}
	}
	return r
}
