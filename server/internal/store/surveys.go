package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"yousaid/survey"
)

// surveyDoc stores one version of a definition. The definition is kept as
// its JSON text so that a stored version reads back byte for byte.
type surveyDoc struct {
	ID         string    `bson:"_id"` // "<survey>@<version>"
	Survey     string    `bson:"survey"`
	Version    int       `bson:"version"`
	Definition string    `bson:"definition"`
	CreatedAt  time.Time `bson:"created_at"`
}

func surveyKey(id string, version int) string { return id + "@" + strconv.Itoa(version) }

// PutSurvey stores a definition version. A version already stored is left as
// it is (versions never change once stored): it then returns ErrConflict.
func (s *Store) PutSurvey(ctx context.Context, def *survey.Definition) error {
	raw, err := json.Marshal(def)
	if err != nil {
		return fmt.Errorf("store.PutSurvey: %w", err)
	}
	_, err = s.db.Collection(colSurveys).InsertOne(ctx, surveyDoc{
		ID: surveyKey(def.ID, def.Version), Survey: def.ID, Version: def.Version,
		Definition: string(raw), CreatedAt: s.now().UTC(),
	})
	return mapErr("store.PutSurvey", err)
}

// Survey returns one stored version, or the newest when version is 0.
func (s *Store) Survey(ctx context.Context, id string, version int) (*survey.Definition, error) {
	var doc surveyDoc
	var err error
	if version > 0 {
		err = s.db.Collection(colSurveys).FindOne(ctx, bson.M{"_id": surveyKey(id, version)}).Decode(&doc)
	} else {
		err = s.db.Collection(colSurveys).FindOne(ctx, bson.M{"survey": id},
			options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}})).Decode(&doc)
	}
	if err != nil {
		return nil, mapErr("store.Survey", err)
	}
	return decodeSurvey(doc)
}

// LatestSurveys returns the newest version of every survey, ordered by id.
// The collection holds a handful of definitions, so reading it whole is
// bounded.
func (s *Store) LatestSurveys(ctx context.Context) ([]*survey.Definition, error) {
	cur, err := s.db.Collection(colSurveys).Find(ctx, bson.M{},
		options.Find().SetSort(bson.D{{Key: "survey", Value: 1}, {Key: "version", Value: -1}}))
	if err != nil {
		return nil, mapErr("store.LatestSurveys", err)
	}
	var docs []surveyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("store.LatestSurveys", err)
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
