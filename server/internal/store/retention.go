package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Retention periods, in months after a wave closes, for which its raw
// responses and free-text answers are kept (docs/privacy.md).
const (
	DefaultRetentionMonths = 24
	// MinRetentionMonths leaves time to moderate, analyse and publish.
	MinRetentionMonths = 3
	// MaxRetentionMonths: longer than ten years is no longer "as long as
	// necessary" for a survey of young adults.
	MaxRetentionMonths = 120
)

// colRetention holds one WaveRetention per wave whose raw data retention
// has frozen or deleted.
const colRetention = "wave_retention"

// WaveRetention records that a wave's tallies are frozen and its raw
// responses deleted (or about to be). It is written before anything is
// deleted, so that a recount never rebuilds the tallies from responses
// that are partly or wholly gone.
type WaveRetention struct {
	Wave    string `bson:"_id" json:"wave"`
	Council string `bson:"council" json:"council"`
	// Months is the council's retention period when the wave was frozen.
	Months   int       `bson:"months" json:"months"`
	ClosedAt time.Time `bson:"closed_at" json:"closed_at"`
	FrozenAt time.Time `bson:"frozen_at" json:"frozen_at"`
	// Responses and Texts are how many were stored at the freeze: the wave
	// was closed, so that is how many the deletion removes, even when an
	// interrupted deletion is finished by a later run.
	Responses int64 `bson:"responses" json:"responses"`
	Texts     int64 `bson:"texts" json:"texts"`
	// KeptQuotes are the approved quotes kept because an action plan item
	// cites them as evidence.
	KeptQuotes []string `bson:"kept_quotes" json:"kept_quotes"`
	// DeletedAt is set once every response and text is gone and the audit
	// log says so; nil while the deletion is unfinished.
	DeletedAt *time.Time `bson:"deleted_at,omitempty" json:"deleted_at,omitempty"`
}

// RetentionPeriod is the council's retention period in months, the default when it
// set none.
func (c *Council) RetentionPeriod() int {
	if c.RetentionMonths == 0 {
		return DefaultRetentionMonths
	}
	return c.RetentionMonths
}

// SetCouncilRetention sets how many months after a wave closes its raw
// responses are kept; ErrNotFound when there is no such council. Callers
// validate months against MinRetentionMonths and MaxRetentionMonths.
func (s *Store) SetCouncilRetention(ctx context.Context, slug string, months int) error {
	if months < MinRetentionMonths || months > MaxRetentionMonths {
		return fmt.Errorf("store.SetCouncilRetention: %d months is out of range", months)
	}
	res, err := s.db.Collection(colCouncils).UpdateOne(ctx, bson.M{"_id": slug},
		bson.M{"$set": bson.M{"retention_months": months}})
	if err != nil {
		return mapErr("store.SetCouncilRetention", err)
	}
	if res.MatchedCount == 0 {
		return mapErr("store.SetCouncilRetention", ErrNotFound)
	}
	return nil
}

// WaveClosedAt is when a wave stopped taking answers: the earlier of its
// closing by hand and its closing time, if that has passed by now.
func WaveClosedAt(w *Wave, now time.Time) (time.Time, bool) {
	var at time.Time
	if w.ClosedAt != nil {
		at = *w.ClosedAt
	}
	if w.ClosesAt != nil && !now.Before(*w.ClosesAt) && (at.IsZero() || w.ClosesAt.Before(at)) {
		at = *w.ClosesAt
	}
	return at, !at.IsZero()
}

// RetentionDue is when a wave closed at closedAt loses its raw data under
// a retention of months.
func RetentionDue(closedAt time.Time, months int) time.Time {
	return closedAt.UTC().AddDate(0, months, 0)
}

// WaveRetention returns a wave's retention record; ErrNotFound while its
// raw data is untouched.
func (s *Store) WaveRetention(ctx context.Context, wave string) (*WaveRetention, error) {
	var r WaveRetention
	if err := s.db.Collection(colRetention).FindOne(ctx, bson.M{"_id": wave}).Decode(&r); err != nil {
		return nil, mapErr("store.WaveRetention", err)
	}
	return &r, nil
}

// WaveFrozen reports whether a wave's tallies are frozen: they must never
// again be recounted from its responses, which are (being) deleted.
func (s *Store) WaveFrozen(ctx context.Context, wave string) (bool, error) {
	_, err := s.WaveRetention(ctx, wave)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// RetentionRecords lists every wave's retention record (one per wave whose
// raw data was deleted: they grow with waves, never with responses).
func (s *Store) RetentionRecords(ctx context.Context) ([]WaveRetention, error) {
	cur, err := s.db.Collection(colRetention).Find(ctx, bson.M{}, options.Find().SetLimit(100000))
	if err != nil {
		return nil, mapErr("store.RetentionRecords", err)
	}
	out := []WaveRetention{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.RetentionRecords", err)
	}
	return out, nil
}

// FreezeWave records that wave w's tallies are frozen, before any of its
// raw data is deleted. It counts what is stored now and lists the quotes
// that action plan items cite, so that DeleteWaveRawData removes the
// rest. Freezing a frozen wave returns its record unchanged. The tally
// writer calls it (tally.Writer.Freeze) so that no recount of its own is
// half-way through the wave.
func (s *Store) FreezeWave(ctx context.Context, w *Wave, months int) (*WaveRetention, error) {
	if r, err := s.WaveRetention(ctx, w.ID); err == nil {
		return r, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	closedAt, ok := WaveClosedAt(w, s.now())
	if !ok {
		return nil, fmt.Errorf("store.FreezeWave: wave %s is open", w.ID)
	}
	responses, err := s.CountResponses(ctx, w.ID)
	if err != nil {
		return nil, mapErr("store.FreezeWave", err)
	}
	texts, err := s.db.Collection(colTexts).CountDocuments(ctx, bson.M{"wave": w.ID})
	if err != nil {
		return nil, mapErr("store.FreezeWave", err)
	}
	kept, err := s.citedQuotes(ctx, w.Council, w.ID)
	if err != nil {
		return nil, err
	}
	r := WaveRetention{
		Wave: w.ID, Council: w.Council, Months: months, ClosedAt: closedAt.UTC(), FrozenAt: s.now().UTC(),
		Responses: responses, Texts: texts - int64(len(kept)), KeptQuotes: kept,
	}
	// An insert guarded by the unique _id: of two freezes racing, one
	// record wins and both go on with it.
	if _, err := s.db.Collection(colRetention).InsertOne(ctx, r); err != nil && !mongo.IsDuplicateKeyError(err) {
		return nil, mapErr("store.FreezeWave", err)
	}
	return s.WaveRetention(ctx, w.ID)
}

// citedQuotes lists the texts of wave that any action plan item of the
// council cites as evidence (an item's evidence is fixed when it is
// created, so the items' documents list every citation).
func (s *Store) citedQuotes(ctx context.Context, council, wave string) ([]string, error) {
	cur, err := s.db.Collection(colActions).Find(ctx, bson.M{"council": council},
		options.Find().SetProjection(bson.M{"evidence": 1}).SetLimit(100000))
	if err != nil {
		return nil, mapErr("store.citedQuotes", err)
	}
	var docs []struct {
		Evidence []EvidenceRef `bson:"evidence"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("store.citedQuotes", err)
	}
	seen := map[string]bool{}
	kept := []string{}
	for _, d := range docs {
		for _, e := range d.Evidence {
			if e.Kind == EvidenceQuote && e.Wave == wave && e.Quote != "" && !seen[e.Quote] {
				seen[e.Quote] = true
				kept = append(kept, e.Quote)
			}
		}
	}
	// Count only the cited texts that exist, so that Texts stays exact.
	n := 0
	for _, id := range kept {
		err := s.db.Collection(colTexts).FindOne(ctx, bson.M{"_id": id}).Err()
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, mapErr("store.citedQuotes", err)
		}
		kept[n] = id
		n++
	}
	return kept[:n], nil
}

// RetentionAuditID is the _id of the audit entry of a wave's deletion:
// derived from the wave, so that a deletion finished twice (after a crash)
// is logged once.
func RetentionAuditID(wave string) string { return "retention|" + wave }

// DeleteWaveRawData deletes a frozen wave's raw responses and its free-text
// answers (except the quotes its record keeps), writes the deletion to the
// audit log as the system, and marks the record done. It is the one place
// raw data is deleted under retention. Every step is idempotent, so a run
// interrupted anywhere is finished by the next one; a wave not frozen
// first is refused (ErrNotFound), so tallies can never be recounted from
// half its responses.
func (s *Store) DeleteWaveRawData(ctx context.Context, wave string) (*WaveRetention, error) {
	r, err := s.WaveRetention(ctx, wave)
	if err != nil {
		return nil, err
	}
	if r.DeletedAt != nil {
		return r, nil
	}
	texts := bson.M{"wave": wave}
	if len(r.KeptQuotes) > 0 {
		texts["_id"] = bson.M{"$nin": r.KeptQuotes}
	}
	if _, err := s.db.Collection(colTexts).DeleteMany(ctx, texts); err != nil {
		return nil, mapErr("store.DeleteWaveRawData", err)
	}
	// Through the store's one way to delete a wave's responses: on the
	// embedded store they live in the wave's own collection (waveshape.go).
	if err := s.DeleteResponses(ctx, wave); err != nil {
		return nil, err
	}
	// On the embedded store that also dropped the wave's moderation lists:
	// the kept quotes go back on theirs, so staff still see them.
	if s.perWave {
		for _, id := range r.KeptQuotes {
			if err := s.relistText(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
	}
	now := s.now().UTC()
	entry := AuditEntry{
		ID: RetentionAuditID(wave), Council: r.Council, At: now, ActorID: SystemActor,
		Action: "responses.deleted", Target: wave,
		Detail: map[string]string{
			"responses":        strconv.FormatInt(r.Responses, 10),
			"texts":            strconv.FormatInt(r.Texts, 10),
			"kept_quotes":      strconv.Itoa(len(r.KeptQuotes)),
			"retention_months": strconv.Itoa(r.Months),
			"closed_at":        r.ClosedAt.Format("2006-01-02"),
		},
	}
	if _, err := s.db.Collection(colAudit).InsertOne(ctx, entry); err != nil && !mongo.IsDuplicateKeyError(err) {
		return nil, mapErr("store.DeleteWaveRawData", err)
	}
	if _, err := s.db.Collection(colRetention).UpdateOne(ctx, bson.M{"_id": wave},
		bson.M{"$set": bson.M{"deleted_at": now}}); err != nil {
		return nil, mapErr("store.DeleteWaveRawData", err)
	}
	r.DeletedAt = &now
	return r, nil
}
