package store

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// On the embedded store a response's answers are stored packed: one binary
// field holding the BSON of the answers document, instead of a nested
// document of 40-odd fields. FerretDB v1.24 keeps each document as JSON
// with a type schema beside it and decodes every field of it, with
// encoding/json, on every read; an export or a recount reads every
// response of a wave, and a binary field is one base64 string to decode
// where a nested document is dozens of typed values (docs/store.md has the
// measurements). Nothing queries inside the answers: results come from
// tallies, so no index or filter loses anything by it.
//
// On MongoDB the answers stay a plain document, readable in mongosh. A
// Response reads either shape on either store, so a backup taken on one
// kind of store restores into the other.

// packedAnswersField holds the packed answers.
const packedAnswersField = "answers_bson"

// packedResponse is a Response as the embedded store keeps it.
type packedResponse struct {
	ID       string `bson:"_id"`
	Wave     string `bson:"wave"`
	Survey   string `bson:"survey"`
	Version  int    `bson:"version"`
	Language string `bson:"language"`
	Answers  []byte `bson:"answers_bson"`
	Week     string `bson:"week"`
}

// ResponseDocument is the document r is inserted as on this store (exported
// for the benchmark that inserts bare documents beside the server).
func (s *Store) ResponseDocument(r *Response) (any, error) {
	if !s.perWave {
		return r, nil
	}
	answers := r.Answers
	if answers == nil {
		answers = map[string]any{}
	}
	packed, err := bson.Marshal(answers)
	if err != nil {
		return nil, fmt.Errorf("store: packing the answers of response %s: %w", r.ID, err)
	}
	return &packedResponse{ID: r.ID, Wave: r.Wave, Survey: r.Survey, Version: r.Version,
		Language: r.Language, Answers: packed, Week: r.Week}, nil
}

// storedResponseFields is a stored response in either shape.
type storedResponseFields struct {
	ID       string         `bson:"_id"`
	Wave     string         `bson:"wave"`
	Survey   string         `bson:"survey"`
	Version  int            `bson:"version"`
	Language string         `bson:"language"`
	Answers  map[string]any `bson:"answers,omitempty"`
	Packed   []byte         `bson:"answers_bson,omitempty"`
	Week     string         `bson:"week"`
}

// UnmarshalBSON reads a stored response, its answers packed or not.
func (r *Response) UnmarshalBSON(data []byte) error {
	var f storedResponseFields
	if err := bson.Unmarshal(data, &f); err != nil {
		return err
	}
	answers := f.Answers
	if f.Packed != nil {
		answers = map[string]any{}
		if err := bson.Unmarshal(f.Packed, &answers); err != nil {
			return fmt.Errorf("store: unpacking the answers of response %s: %w", f.ID, err)
		}
	}
	*r = Response{ID: f.ID, Wave: f.Wave, Survey: f.Survey, Version: f.Version,
		Language: f.Language, Answers: answers, Week: f.Week}
	return nil
}
