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

// lockDigest serialises this process's uses of the GridFS files of one
// content digest: reusing a file for a new clip, and deleting one that no
// clip uses any more. Without it a file could be deleted just as another
// clip starts pointing at it. Clip ids hold no ":", so the keys of the
// two locks cannot meet. Like lockClip it does not reach other processes
// sharing a MongoDB: there the worst case is a clip whose bytes are gone
// (served as not found until it is uploaded again) or a file left over.
func (s *Store) lockDigest(sum string) func() {
	return s.lockClip("sha256:" + sum)
}

// PutClip stores data as c's recording, replacing any earlier one. It
// fills c's id, digest, size, file and upload time, and returns the clip
// it replaced (nil if none).
//
// Bytes are stored once per content: when a clip (this one or another
// question's or language's) already has the same digest, c points at its
// GridFS file and nothing is uploaded, so uploading the same recording
// again stores no second copy. Otherwise the bytes go to GridFS first and
// the clip document then points at them, so a failure leaves the old
// recording in place. The replaced clip's file is deleted afterwards,
// unless another clip still uses it.
func (s *Store) PutClip(ctx context.Context, c *Clip, data []byte) (*Clip, error) {
	sum := sha256.Sum256(data)
	c.ID = ClipKey(c.Survey, c.Question, c.Language)
	c.SHA256 = hex.EncodeToString(sum[:])
	c.Bytes = int64(len(data))
	c.UploadedAt = s.now().UTC()
	defer s.lockClip(c.ID)()

	old, err := s.putClipFile(ctx, c, data)
	if err != nil || old == nil {
		return nil, err
	}
	if old.File != c.File {
		// A failure to delete them costs only space.
		_ = s.deleteUnusedClipFile(context.WithoutCancel(ctx), old)
	}
	return old, nil
}

// putClipFile points c at a GridFS file holding data (an existing one of
// the same digest, or a new upload) and replaces c's document, under the
// digest's lock. It returns the clip replaced, or nil.
func (s *Store) putClipFile(ctx context.Context, c *Clip, data []byte) (*Clip, error) {
	defer s.lockDigest(c.SHA256)()
	bucket := s.clipBucket()
	uploaded := false
	var same Clip
	err := s.clips().FindOne(ctx, bson.M{"sha256": c.SHA256}).Decode(&same)
	switch {
	case err == nil:
		c.File = same.File
	case errors.Is(err, mongo.ErrNoDocuments):
		file, err := bucket.UploadFromStream(ctx, c.SHA256+"."+c.Ext, bytes.NewReader(data),
			options.GridFSUpload().SetMetadata(bson.M{"clip": c.ID, "content_type": c.ContentType}))
		if err != nil {
			return nil, mapErr("store.PutClip", err)
		}
		c.File, uploaded = file, true
	default:
		return nil, mapErr("store.PutClip", err)
	}
	var old Clip
	err = s.clips().FindOneAndReplace(ctx, bson.M{"_id": c.ID}, c,
		options.FindOneAndReplace().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&old)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, nil
	case err != nil:
		if uploaded {
			// The new bytes are unreachable: remove them, keep the old clip.
			_ = bucket.Delete(context.WithoutCancel(ctx), c.File)
		}
		return nil, mapErr("store.PutClip", err)
	}
	return &old, nil
}

// deleteUnusedClipFile deletes the GridFS file of a clip that was just
// replaced or removed, unless another clip still uses it. A file already
// gone is no error.
func (s *Store) deleteUnusedClipFile(ctx context.Context, old *Clip) error {
	defer s.lockDigest(old.SHA256)()
	// Every clip using the file has its digest: the query uses that index.
	n, err := s.clips().CountDocuments(ctx, bson.M{"sha256": old.SHA256, "file": old.File})
	if err != nil {
		return mapErr("store.deleteUnusedClipFile", err)
	}
	if n > 0 {
		return nil
	}
	if err := s.clipBucket().Delete(ctx, old.File); err != nil && !errors.Is(err, mongo.ErrFileNotFound) {
		return fmt.Errorf("store.deleteUnusedClipFile: %w", err)
	}
	return nil
}

// DeleteClip removes a question's recording in one language, and its
// bytes unless another clip uses them, and returns what it removed:
// ErrNotFound when there is none.
func (s *Store) DeleteClip(ctx context.Context, survey, question, language string) (*Clip, error) {
	id := ClipKey(survey, question, language)
	defer s.lockClip(id)()
	var old Clip
	if err := s.clips().FindOneAndDelete(ctx, bson.M{"_id": id}).Decode(&old); err != nil {
		return nil, mapErr("store.DeleteClip", err)
	}
	if err := s.deleteUnusedClipFile(context.WithoutCancel(ctx), &old); err != nil {
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
