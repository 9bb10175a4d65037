package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
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
	// The Pashto clip has the removed clip's bytes, so it shares their
	// file (TestClipBytesStoredOncePerContent), which stays.
	if other.File != removed.File {
		t.Errorf("the same bytes in two languages are two files")
	}
	if data, err := s.ClipData(ctx, other); err != nil || !bytes.Equal(data, second) {
		t.Errorf("the other language's bytes: %q %v", data, err)
	}
	// Nothing is left over in GridFS: one file and its chunks per content.
	files, err := s.Database().Collection("audio.files").CountDocuments(ctx, bson.M{})
	if err != nil || files != 2 {
		t.Errorf("GridFS holds %d files, want 2 (Pashto's and the other survey's): %v", files, err)
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

// gridFSFiles counts the recordings' files and chunks in GridFS.
func gridFSFiles(t *testing.T, s *store.Store) (files, chunks int64) {
	t.Helper()
	ctx := context.Background()
	files, err := s.Database().Collection("audio.files").CountDocuments(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	chunks, err = s.Database().Collection("audio.chunks").CountDocuments(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return files, chunks
}

// TestClipBytesStoredOncePerContent: clips are served by their content's
// digest, so the same recording uploaded again (for the same question and
// language, or another) reuses the stored file rather than storing a
// second copy; and a file goes when the last clip using it is replaced
// or removed, not before.
func TestClipBytesStoredOncePerContent(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	recording := bytes.Repeat([]byte("a recording "), 30000) // 360,000 bytes: two chunks
	put := func(lang string, data []byte) (*store.Clip, *store.Clip) {
		t.Helper()
		c := &store.Clip{Survey: "life-beyond-care", Question: "home_safe", Language: lang, Ext: "opus", ContentType: "audio/ogg"}
		old, err := s.PutClip(ctx, c, data)
		if err != nil {
			t.Fatalf("PutClip %s: %v", lang, err)
		}
		return c, old
	}
	want := func(step string, files, chunks int64) {
		t.Helper()
		if gotFiles, gotChunks := gridFSFiles(t, s); gotFiles != files || gotChunks != chunks {
			t.Errorf("%s: GridFS holds %d files in %d chunks, want %d in %d", step, gotFiles, gotChunks, files, chunks)
		}
	}

	first, _ := put("ar", recording)
	want("one upload", 1, 2)
	again, old := put("ar", recording)
	want("the same clip again", 1, 2)
	if old == nil || again.File != first.File {
		t.Errorf("the same clip again: file %v replacing %+v, want the first file %v reused", again.File, old, first.File)
	}
	if data, err := s.ClipData(ctx, again); err != nil || !bytes.Equal(data, recording) {
		t.Fatalf("read back after the same clip again: %d bytes, %v", len(data), err)
	}
	ps, _ := put("ps", recording)
	want("the same clip in another language", 1, 2)
	if ps.File != first.File {
		t.Error("the same clip in another language stored a second copy")
	}

	// Arabic gets a new recording: Pashto still uses the old file.
	_, old = put("ar", []byte("a new Arabic recording"))
	want("Arabic replaced", 2, 3)
	if data, err := s.ClipData(ctx, ps); err != nil || !bytes.Equal(data, recording) {
		t.Errorf("Pashto after Arabic's replacement: %d bytes, %v", len(data), err)
	}
	// Pashto's replacement leaves the old file unused: it goes.
	put("ps", []byte("a new Pashto recording"))
	want("Pashto replaced", 2, 2)
	if _, err := s.ClipData(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the unused file: %v, want ErrNotFound", err)
	}

	// Removing one of two clips sharing a file keeps it; removing the
	// other deletes it.
	put("fr", []byte("a new Pashto recording"))
	want("French as Pashto", 2, 2)
	if _, err := s.DeleteClip(ctx, "life-beyond-care", "home_safe", "ps"); err != nil {
		t.Fatal(err)
	}
	want("Pashto removed", 2, 2)
	if _, err := s.DeleteClip(ctx, "life-beyond-care", "home_safe", "fr"); err != nil {
		t.Fatal(err)
	}
	want("French removed", 1, 1)
}

// TestClipSharedFilesUnderConcurrentWrites: languages uploading and
// replacing the same two recordings at once never leave a clip whose
// bytes were deleted (a file removed just as another clip reused it),
// nor a file no clip uses.
func TestClipSharedFilesUnderConcurrentWrites(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	recordings := [][]byte{[]byte("recording one"), []byte("recording two")}
	langs := []string{"ar", "ps", "fa", "ckb", "ti", "am"}
	var wg sync.WaitGroup
	errs := make(chan error, len(langs))
	for i, lang := range langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 6 {
				c := &store.Clip{Survey: "life-beyond-care", Question: "home_safe", Language: lang, Ext: "opus", ContentType: "audio/ogg"}
				if _, err := s.PutClip(ctx, c, recordings[(i+round)%2]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	clips, err := s.SurveyClips(ctx, "life-beyond-care")
	if err != nil || len(clips) != len(langs) {
		t.Fatalf("%d clips, %v", len(clips), err)
	}
	used := map[bson.ObjectID]bool{}
	for _, c := range clips {
		used[c.File] = true
		if data, err := s.ClipData(ctx, &c); err != nil || c.Bytes != int64(len(data)) {
			t.Errorf("%s: %d bytes, %v", c.ID, len(data), err)
		}
	}
	if files, _ := gridFSFiles(t, s); files != int64(len(used)) {
		t.Errorf("GridFS holds %d files; the clips use %d", files, len(used))
	}
}
