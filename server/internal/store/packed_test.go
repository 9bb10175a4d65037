package store_test

import (
	"context"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// TestResponsesReadBackInEitherShape: a response is stored with its answers
// packed into one binary field on the embedded store and as a plain
// document on MongoDB; either way, and for a document of the other shape
// (a backup restored from the other kind of store, or data written before
// packing), it reads back with exactly the answers it was given, through
// every read path.
func TestResponsesReadBackInEitherShape(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	answers := map[string]any{
		"housing":   "good",
		"worries":   bson.A{"money", "loneliness"},
		"life_sat":  int32(7),
		"weight":    2.5,
		"free_text": "Mae'n iawn — ça va, شكرا",
	}
	want := store.Response{ID: "packed", Wave: "w1", Survey: "s", Version: 2, Language: "cy", Answers: answers, Week: "2027-W05"}
	in := want
	if err := s.InsertResponse(ctx, &in); err != nil {
		t.Fatal(err)
	}

	col, _ := s.ResponsesCollection("w1")
	var raw bson.M
	if err := col.FindOne(ctx, bson.M{"_id": "packed"}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	_, packed := raw["answers_bson"]
	_, plain := raw["answers"]
	if packed != s.PerWave() || plain == s.PerWave() {
		t.Fatalf("embedded store %v: stored fields %v; want the answers packed on the embedded store only", s.PerWave(), keys(raw))
	}

	// The other shape, inserted bare beside it.
	other := bson.M{"_id": "other", "wave": "w1", "survey": "s", "version": 2, "language": "cy", "week": "2027-W05"}
	if s.PerWave() {
		other["answers"] = answers
	} else {
		b, err := bson.Marshal(answers)
		if err != nil {
			t.Fatal(err)
		}
		other["answers_bson"] = b
	}
	if _, err := col.InsertOne(ctx, other); err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{"packed", "other"} {
		got, err := s.Response(ctx, "w1", id)
		if err != nil {
			t.Fatal(err)
		}
		want.ID = id
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Response(%s) = %#v\nwant %#v", id, *got, want)
		}
	}
	seen := 0
	err := s.EachResponse(ctx, "w1", func(r *store.Response) error {
		seen++
		if !reflect.DeepEqual(r.Answers, answers) {
			t.Errorf("EachResponse %s: answers %#v, want %#v", r.ID, r.Answers, answers)
		}
		return nil
	})
	if err != nil || seen != 2 {
		t.Fatalf("EachResponse read %d responses (%v), want 2", seen, err)
	}
}

// TestDamagedPackedAnswersAreAnError: packed answers that are not BSON are
// an error to the reader, never an empty response taken for a real one.
func TestDamagedPackedAnswersAreAnError(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	if err := s.InsertResponse(ctx, &store.Response{ID: "first", Wave: "w2", Answers: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	col, _ := s.ResponsesCollection("w2")
	if _, err := col.InsertOne(ctx, bson.M{"_id": "bad", "wave": "w2", "answers_bson": []byte{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Response(ctx, "w2", "bad"); err == nil {
		t.Fatal("damaged packed answers were read as a response")
	}
}

func keys(m bson.M) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
