package web_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
)

// TestSameClipUploadedTwiceIsStoredOnce: through the API, the same
// recording sent again (for the same question and language, or another
// language) is one GridFS file served at one URL, and a replacement
// deletes the old file only once no language plays it.
func TestSameClipUploadedTwiceIsStoredOnce(t *testing.T) {
	h := newHarness(t)
	root := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	data, other := seedClip(t), clipFile(t, "hello-id3.mp3")
	files := func() int64 {
		t.Helper()
		n, err := h.store.Database().Collection("audio.files").CountDocuments(context.Background(), bson.M{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	put := func(lang string, data []byte, want int) string {
		t.Helper()
		rec := h.putClip(root, "/api/v1/surveys/test-survey/audio/home_safe/"+lang, data, "")
		if rec.Code != want {
			t.Fatalf("PUT %s: %d, want %d: %s", lang, rec.Code, want, rec.Body)
		}
		return decodeClip(t, rec).URL
	}

	url := put("ar", data, http.StatusCreated)
	if again := put("ar", data, http.StatusOK); again != url || files() != 1 {
		t.Errorf("the same clip again: at %s (first %s), %d files, want one", again, url, files())
	}
	if en := put("en", data, http.StatusCreated); en != url || files() != 1 {
		t.Errorf("the same clip in English: at %s (first %s), %d files, want one", en, url, files())
	}
	put("ar", other, http.StatusOK)
	if n := files(); n != 2 {
		t.Errorf("Arabic replaced while English plays the old clip: %d files, want 2", n)
	}
	if rec := h.surveyGet(url, nil); rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), data) {
		t.Errorf("the clip English still plays: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	put("en", other, http.StatusOK)
	if n := files(); n != 1 {
		t.Errorf("both replaced: %d files, want 1 (the old one deleted)", n)
	}
}
