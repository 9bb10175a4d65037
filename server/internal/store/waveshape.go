package store

import (
	"context"
	"encoding/hex"
	"errors"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// On FerretDB v1.24 (the embedded store) a find filters in SQL on _id
// equality only: any other filter reads the whole collection and filters
// it in Go, and a limit reaches SQL only when there is no filter and no
// sort. So there a wave's responses live in a collection of their own
// (read whole by an export or a recount, with no filter), and each
// moderation status of a wave's free-text answers has a list collection
// of its own (read a page at a time, with only a limit). On MongoDB
// everything stays in the shared collections with real indexes. Callers
// never see the difference: every access goes through the functions
// below. docs/store.md has the measurements and the reasons.

// plainWave is what a wave id may hold to be used as is in a collection
// name; anything else (tests use free-form ids) is hex-encoded.
var plainWave = regexp.MustCompile(`^[a-z0-9]{1,64}$`)

func waveSuffix(wave string) string {
	if plainWave.MatchString(wave) {
		return wave
	}
	return "x" + hex.EncodeToString([]byte(wave))
}

// responsesOf returns the collection holding wave's responses and the
// filter that selects them in it.
func (s *Store) responsesOf(wave string) (*mongo.Collection, bson.M) {
	if s.perWave {
		return s.db.Collection(colResponses + "_" + waveSuffix(wave)), bson.M{}
	}
	return s.db.Collection(colResponses), bson.M{"wave": wave}
}

// textList is the embedded store's list of wave's texts with status: a
// copy of each, in the order they entered the status.
func (s *Store) textList(wave, status string) *mongo.Collection {
	return s.db.Collection(colTexts + "_" + status + "_" + waveSuffix(wave))
}

// waveCollections names every collection of wave's own (embedded store).
func (s *Store) waveCollections(wave string) []string {
	if !s.perWave {
		return nil
	}
	names := []string{colResponses + "_" + waveSuffix(wave)}
	for _, st := range []string{TextPending, TextApproved, TextRejected} {
		names = append(names, s.textList(wave, st).Name())
	}
	return names
}

// prepareWave makes sure wave's own collections exist and are indexed
// before the first write to them (once per wave and process). On MongoDB
// there is nothing to do.
func (s *Store) prepareWave(ctx context.Context, wave string) error {
	if !s.perWave {
		return nil
	}
	if _, ok := s.prepared.Load(wave); ok {
		return nil
	}
	for _, name := range s.waveCollections(wave) {
		if err := s.db.CreateCollection(ctx, name); err != nil && !namespaceExists(err) {
			return mapErr("store.prepareWave", err)
		}
	}
	if err := s.indexTables(ctx); err != nil {
		return mapErr("store.prepareWave", err)
	}
	s.prepared.Store(wave, true)
	return nil
}

// dropWaveCollections removes wave's own collections (embedded store):
// every response and moderation list of the wave at once.
func (s *Store) dropWaveCollections(ctx context.Context, wave string) error {
	for _, name := range s.waveCollections(wave) {
		if err := s.db.Collection(name).Drop(ctx); err != nil {
			return mapErr("store.dropWaveCollections", err)
		}
	}
	s.prepared.Delete(wave)
	return nil
}

// namespaceExists reports MongoDB's NamespaceExists (48): the collection
// was there already.
func namespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

// PerWave reports whether wave data lives in per-wave collections (the
// embedded store); tests and tools that look at raw documents use it.
func (s *Store) PerWave() bool { return s.perWave }

// ResponsesCollection returns the raw collection holding wave's responses
// and the filter selecting them, for tests and maintenance tools that must
// look at raw documents.
func (s *Store) ResponsesCollection(wave string) (*mongo.Collection, bson.M) {
	return s.responsesOf(wave)
}
