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
	if err != nil && !allDuplicates(err) {
		return mapErr("store.QueueTexts", err)
	}
	if !s.perWave {
		return nil
	}
	dup := map[int]bool{}
	var bwe mongo.BulkWriteException
	if asBulk(err, &bwe) {
		for _, we := range bwe.WriteErrors {
			dup[we.Index] = true
		}
	}
	fresh := map[string][]any{}
	for i := range texts {
		if dup[i] {
			// Queued before: its list entry may be missing if that process
			// died between the two writes, so list it where it now is.
			if err := s.relistText(ctx, texts[i].ID); err != nil {
				return err
			}
			continue
		}
		fresh[texts[i].Wave] = append(fresh[texts[i].Wave], texts[i])
	}
	for wave, docs := range fresh {
		if err := s.prepareWave(ctx, wave); err != nil {
			return err
		}
		_, err := s.textList(wave, TextPending).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err != nil && !allDuplicates(err) {
			return mapErr("store.QueueTexts", err)
		}
	}
	return nil
}

// listText puts a copy of t in its wave's list for its status (embedded
// store), replacing any copy there.
func (s *Store) listText(ctx context.Context, t *Text) error {
	if err := s.prepareWave(ctx, t.Wave); err != nil {
		return err
	}
	_, err := s.textList(t.Wave, t.Status).ReplaceOne(ctx, bson.M{"_id": t.ID}, t, options.Replace().SetUpsert(true))
	return mapErr("store.listText", err)
}

// relistText lists the stored text id under its current status if it is
// not listed there: two reads by _id, and a write only when it is missing
// (a recount re-queues every text of its wave).
func (s *Store) relistText(ctx context.Context, id string) error {
	t, err := s.TextByID(ctx, id)
	if err != nil {
		return err
	}
	err = s.textList(t.Wave, t.Status).FindOne(ctx, bson.M{"_id": id}).Err()
	if err == nil {
		return nil
	}
	if !isNoDocuments(err) {
		return mapErr("store.relistText", err)
	}
	return s.listText(ctx, t)
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
// at most limit. On the embedded store they come from the wave's list for
// the status, in the order they entered it (which is oldest first but for
// a text sent back to pending, listed again at the end), read a page at a
// time: the page does not grow with the queue.
func (s *Store) Texts(ctx context.Context, wave, status string, limit int64) ([]Text, error) {
	if s.perWave {
		statuses := []string{status}
		if status == "" {
			statuses = []string{TextPending, TextApproved, TextRejected}
		}
		out := []Text{}
		for _, st := range statuses {
			if int64(len(out)) >= limit {
				break
			}
			// No filter and no sort: FerretDB passes only then the limit
			// to SQL.
			cur, err := s.textList(wave, st).Find(ctx, bson.M{}, options.Find().SetLimit(limit-int64(len(out))))
			if err != nil {
				return nil, mapErr("store.Texts", err)
			}
			var page []Text
			if err := cur.All(ctx, &page); err != nil {
				return nil, mapErr("store.Texts", err)
			}
			out = append(out, page...)
		}
		return out, nil
	}
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

// DecideText records a moderator's decision. On the embedded store the
// text then moves to its wave's list for the new status; should the
// process die half way, deciding again finishes the move.
func (s *Store) DecideText(ctx context.Context, id, status, user string) error {
	now := s.now().UTC()
	var before *Text
	if s.perWave {
		var err error
		if before, err = s.TextByID(ctx, id); err != nil {
			return mapErr("store.DecideText", err)
		}
	}
	res, err := s.db.Collection(colTexts).UpdateOne(ctx, bson.M{"_id": id},
		bson.M{"$set": bson.M{"status": status, "decided_by": user, "decided_at": now}})
	if err != nil {
		return mapErr("store.DecideText", err)
	}
	if res.MatchedCount == 0 {
		return mapErr("store.DecideText", ErrNotFound)
	}
	if !s.perWave {
		return nil
	}
	after := *before
	after.Status, after.DecidedBy, after.DecidedAt = status, user, &now
	if err := s.listText(ctx, &after); err != nil {
		return err
	}
	for _, st := range []string{TextPending, TextApproved, TextRejected} {
		if st == status {
			continue
		}
		if _, err := s.textList(before.Wave, st).DeleteOne(ctx, bson.M{"_id": id}); err != nil {
			return mapErr("store.DecideText", err)
		}
	}
	return nil
}

// ApprovedTexts returns the approved texts of a wave by id.
func (s *Store) ApprovedTexts(ctx context.Context, wave string) (map[string]Text, error) {
	texts, err := s.Texts(ctx, wave, TextApproved, 1<<40)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Text, len(texts))
	for _, t := range texts {
		out[t.ID] = t
	}
	return out, nil
}
