package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// TestClipGridFSRoundTrip stores, replaces and removes a recording in
// GridFS on the real store (the embedded FerretDB unless MONGODB_URI is
// set), with a clip larger than one GridFS chunk so that several chunks
// are written and read back in order.
func TestClipGridFSRoundTrip(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	first := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640,000 bytes: three chunks
	second := []byte("a second recording")

	clip := &store.Clip{Survey: "life-beyond-care", Question: "home_safe", Language: "ar", Ext: "opus", ContentType: "audio/ogg",
		UploadedBy: "u1", UploadedByEmail: "admin@leeds.example"}
	old, err := s.PutClip(ctx, clip, first)
	if err != nil {
		t.Fatalf("PutClip: %v", err)
	}
	if old != nil {
		t.Errorf("first PutClip replaced %+v", old)
	}
	sum := sha256.Sum256(first)
	if clip.SHA256 != hex.EncodeToString(sum[:]) || clip.Bytes != int64(len(first)) || clip.ID != "life-beyond-care/home_safe/ar" {
		t.Errorf("clip not filled in: %+v", clip)
	}

	got, err := s.ClipByDigest(ctx, clip.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(clip, got, cmpopts.EquateApproxTime(1e6)); diff != "" {
		t.Errorf("ClipByDigest mismatch (-want +got):\n%s", diff)
	}
	data, err := s.ClipData(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, first) {
		t.Fatalf("read back %d bytes, not the %d stored", len(data), len(first))
	}

	// Replacing: the new bytes are served, the old ones are gone from GridFS.
	replacement := &store.Clip{Survey: "life-beyond-care", Question: "home_safe", Language: "ar", Ext: "mp3", ContentType: "audio/mpeg", UploadedBy: "u2"}
	old, err = s.PutClip(ctx, replacement, second)
	if err != nil {
		t.Fatal(err)
	}
	if old == nil || old.SHA256 != clip.SHA256 {
		t.Fatalf("replaced %+v, want the first clip", old)
	}
	if _, err := s.ClipByDigest(ctx, clip.SHA256); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old digest: %v, want ErrNotFound", err)
	}
	if _, err := s.ClipData(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old bytes: %v, want ErrNotFound", err)
	}
	if data, err := s.ClipData(ctx, replacement); err != nil || !bytes.Equal(data, second) {
		t.Errorf("new bytes: %q %v", data, err)
	}

	// Another language of the same question, and another survey.
	other := &store.Clip{Survey: "life-beyond-care", Question: "home_safe", Language: "ps", Ext: "opus", ContentType: "audio/ogg"}
	if _, err := s.PutClip(ctx, other, second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutClip(ctx, &store.Clip{Survey: "other", Question: "q", Language: "en", Ext: "aac"}, first); err != nil {
		t.Fatal(err)
	}
	clips, err := s.SurveyClips(ctx, "life-beyond-care")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range clips {
		ids = append(ids, c.ID)
	}
	if diff := cmp.Diff([]string{"life-beyond-care/home_safe/ar", "life-beyond-care/home_safe/ps"}, ids); diff != "" {
		t.Errorf("SurveyClips mismatch (-want +got):\n%s", diff)
	}

	removed, err := s.DeleteClip(ctx, "life-beyond-care", "home_safe", "ar")
	if err != nil || removed.SHA256 != replacement.SHA256 {
		t.Fatalf("DeleteClip: %+v %v", removed, err)
	}
	if _, err := s.DeleteClip(ctx, "life-beyond-care", "home_safe", "ar"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteClip: %v, want ErrNotFound", err)
	}
	if _, err := s.ClipData(ctx, removed); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removed bytes: %v, want ErrNotFound", err)
	}
	// The Pashto clip shared the removed clip's bytes, not its file.
	if data, err := s.ClipData(ctx, other); err != nil || !bytes.Equal(data, second) {
		t.Errorf("the other language's bytes: %q %v", data, err)
	}
	// Nothing is left over in GridFS: one file and its chunks per clip.
	files, err := s.Database().Collection("audio.files").CountDocuments(ctx, bson.M{})
	if err != nil || files != 2 {
		t.Errorf("GridFS holds %d files, want 2 (Pashto and the other survey's): %v", files, err)
	}
	// The driver made GridFS's unique chunk index on its first upload.
	specs, err := s.Database().Collection("audio.chunks").Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unique := false
	for _, spec := range specs {
		unique = unique || (spec.Name == "files_id_1_n_1" && spec.Unique != nil && *spec.Unique)
	}
	if !unique {
		t.Errorf("audio.chunks lacks the unique files_id_1_n_1 index: %+v", specs)
	}
}
