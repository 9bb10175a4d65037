package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// clipBucket is the GridFS bucket that holds the recordings' bytes
// (collections audio.files and audio.chunks).
const clipBucket = "audio"

// Clip is a recording of one survey question read aloud in one language.
// It belongs to the survey, not to one of its versions, so that a new
// version keeps the recordings of the questions it keeps. Its bytes are a
// GridFS file; this document says which, and who put it there.
type Clip struct {
	ID       string `bson:"_id"` // "<survey>/<question>/<language>"
	Survey   string `bson:"survey"`
	Question string `bson:"question"`
	Language string `bson:"language"`
	// SHA256 is the hex digest of the bytes: the clip's URL, so that a
	// browser may keep it for ever and a new recording gets a new URL.
	SHA256 string `bson:"sha256"`
	// Ext and ContentType are the format checked from the bytes
	// (survey.ClipFormat).
	Ext         string        `bson:"ext"`
	ContentType string        `bson:"content_type"`
	Bytes       int64         `bson:"bytes"`
	File        bson.ObjectID `bson:"file"` // the GridFS file
	// UploadedBy and UploadedByEmail name the member of staff.
	UploadedBy      string    `bson:"uploaded_by"`
	UploadedByEmail string    `bson:"uploaded_by_email"`
	UploadedAt      time.Time `bson:"uploaded_at"`
}

// ClipKey is a clip's id. None of its parts can hold a "/": they are a
// survey id, a question id and a language tag.
func ClipKey(survey, question, language string) string {
	return survey + "/" + question + "/" + language
}

func (s *Store) clips() *mongo.Collection { return s.db.Collection(colClips) }

func (s *Store) clipBucket() *mongo.GridFSBucket {
	return s.db.GridFSBucket(options.GridFSBucket().SetName(clipBucket))
}

// lockClip serialises this process's writes to one clip, so that two
// replacements at once cannot both think they replaced the same old file
// (the embedded store's find-and-modify is not atomic, STORE.md).
func (s *Store) lockClip(id string) func() {
	m, _ := s.clipLocks.LoadOrStore(id, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// PutClip stores data as c's recording, replacing any earlier one. It
// fills c's id, digest, size and upload time, and returns the clip it
// replaced (nil if none). The bytes go to GridFS first and the clip
// document then points at them, so a failure leaves the old recording in
// place; the old bytes are removed afterwards.
func (s *Store) PutClip(ctx context.Context, c *Clip, data []byte) (*Clip, error) {
	sum := sha256.Sum256(data)
	c.ID = ClipKey(c.Survey, c.Question, c.Language)
	c.SHA256 = hex.EncodeToString(sum[:])
	c.Bytes = int64(len(data))
	c.UploadedAt = s.now().UTC()
	defer s.lockClip(c.ID)()

	bucket := s.clipBucket()
	file, err := bucket.UploadFromStream(ctx, c.SHA256+"."+c.Ext, bytes.NewReader(data),
		options.GridFSUpload().SetMetadata(bson.M{"clip": c.ID, "content_type": c.ContentType}))
	if err != nil {
		return nil, mapErr("store.PutClip", err)
	}
	c.File = file
	var old Clip
	err = s.clips().FindOneAndReplace(ctx, bson.M{"_id": c.ID}, c,
		options.FindOneAndReplace().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&old)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, nil
	case err != nil:
		// The new bytes are unreachable: remove them, keep the old clip.
		_ = bucket.Delete(context.WithoutCancel(ctx), file)
		return nil, mapErr("store.PutClip", err)
	}
	// The old bytes are no longer reachable from any clip; a failure to
	// delete them costs only space.
	_ = bucket.Delete(context.WithoutCancel(ctx), old.File)
	return &old, nil
}

// DeleteClip removes a question's recording in one language and its
// bytes, and returns what it removed: ErrNotFound when there is none.
func (s *Store) DeleteClip(ctx context.Context, survey, question, language string) (*Clip, error) {
	id := ClipKey(survey, question, language)
	defer s.lockClip(id)()
	var old Clip
	if err := s.clips().FindOneAndDelete(ctx, bson.M{"_id": id}).Decode(&old); err != nil {
		return nil, mapErr("store.DeleteClip", err)
	}
	if err := s.clipBucket().Delete(context.WithoutCancel(ctx), old.File); err != nil && !errors.Is(err, mongo.ErrFileNotFound) {
		return &old, fmt.Errorf("store.DeleteClip: the clip is gone but its bytes remain: %w", err)
	}
	return &old, nil
}

// SurveyClips returns a survey's recordings, by question and language.
// A survey has at most one per question and language, so the read is
// bounded.
func (s *Store) SurveyClips(ctx context.Context, survey string) ([]Clip, error) {
	cur, err := s.clips().Find(ctx, bson.M{"survey": survey},
		options.Find().SetSort(bson.D{{Key: "question", Value: 1}, {Key: "language", Value: 1}}))
	if err != nil {
		return nil, mapErr("store.SurveyClips", err)
	}
	out := []Clip{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.SurveyClips", err)
	}
	return out, nil
}

// ClipByDigest returns a clip whose bytes have the hex SHA-256 digest
// sum (any of them, when the same recording is attached twice), or
// ErrNotFound.
func (s *Store) ClipByDigest(ctx context.Context, sum string) (*Clip, error) {
	var c Clip
	if err := s.clips().FindOne(ctx, bson.M{"sha256": sum}).Decode(&c); err != nil {
		return nil, mapErr("store.ClipByDigest", err)
	}
	return &c, nil
}

// ClipData reads a clip's bytes from GridFS.
func (s *Store) ClipData(ctx context.Context, c *Clip) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, c.Bytes))
	if _, err := s.clipBucket().DownloadToStream(ctx, c.File, buf); err != nil {
		if errors.Is(err, mongo.ErrFileNotFound) {
			return nil, fmt.Errorf("store.ClipData: %w", ErrNotFound)
		}
		return nil, fmt.Errorf("store.ClipData: %w", err)
	}
	return buf.Bytes(), nil
}
