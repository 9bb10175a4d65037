package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Moderation statuses of a free-text answer.
const (
	TextPending  = "pending"
	TextApproved = "approved"
	TextRejected = "rejected"
)

// Text is one free-text answer in its council's moderation queue. Text
// holds the answer with personal data masked; the response keeps what the
// young person wrote. Only approved texts appear anywhere else.
type Text struct {
	ID        string     `bson:"_id" json:"id"`
	Wave      string     `bson:"wave" json:"wave"`
	Question  string     `bson:"question" json:"question"`
	Language  string     `bson:"language" json:"language"`
	Text      string     `bson:"text" json:"text"`
	Status    string     `bson:"status" json:"status"`
	Week      string     `bson:"week" json:"week"`
	DecidedBy string     `bson:"decided_by,omitempty" json:"-"`
	DecidedAt *time.Time `bson:"decided_at,omitempty" json:"decided_at,omitempty"`
}

// TextID names the queue entry of one response's answer to one question:
// derived, so that queueing it twice stores it once and an export can find
// a response's texts without the queue pointing back at the response.
func TextID(response, question string) string {
	sum := sha256.Sum256([]byte("text\x00" + response + "\x00" + question))
	return hex.EncodeToString(sum[:16])
}

// QueueTexts adds texts to the moderation queue; those queued already are
// left as they are (with their decisions).
func (s *Store) QueueTexts(ctx context.Context, texts []Text) error {
	if len(texts) == 0 {
		return nil
	}
	docs := make([]any, len(texts))
	for i := range texts {
		texts[i].Status = TextPending
		docs[i] = texts[i]
	}
	_, err := s.db.Collection(colTexts).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && allDuplicates(err) {
		return nil
	}
	return mapErr("store.QueueTexts", err)
}

// allDuplicates reports whether every failure of a bulk insert was a
// duplicate key.
func allDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !asBulk(err, &bwe) || len(bwe.WriteErrors) == 0 || bwe.WriteConcernError != nil {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}

// Texts lists a wave's texts with status ("" for all), oldest week first,
// at most limit.
func (s *Store) Texts(ctx context.Context, wave, status string, limit int64) ([]Text, error) {
	filter := bson.M{"wave": wave}
	if status != "" {
		filter["status"] = status
	}
	cur, err := s.db.Collection(colTexts).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "week", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(limit))
	if err != nil {
		return nil, mapErr("store.Texts", err)
	}
	out := []Text{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.Texts", err)
	}
	return out, nil
}

// TextByID returns one queued text.
func (s *Store) TextByID(ctx context.Context, id string) (*Text, error) {
	var t Text
	if err := s.db.Collection(colTexts).FindOne(ctx, bson.M{"_id": id}).Decode(&t); err != nil {
		return nil, mapErr("store.TextByID", err)
	}
	return &t, nil
}

// DecideText records a moderator's decision.
func (s *Store) DecideText(ctx context.Context, id, status, user string) error {
	now := s.now().UTC()
	res, err := s.db.Collection(colTexts).UpdateOne(ctx, bson.M{"_id": id},
		bson.M{"$set": bson.M{"status": status, "decided_by": user, "decided_at": now}})
	if err != nil {
		return mapErr("store.DecideText", err)
	}
	if res.MatchedCount == 0 {
		return mapErr("store.DecideText", ErrNotFound)
	}
	return nil
}

// ApprovedTexts returns the approved texts of a wave by id.
func (s *Store) ApprovedTexts(ctx context.Context, wave string) (map[string]Text, error) {
	texts, err := s.Texts(ctx, wave, TextApproved, 100000)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Text, len(texts))
	for _, t := range texts {
		out[t.ID] = t
	}
	return out, nil
}
