// Package retention deletes the raw responses and free-text answers of
// waves whose council's retention period has passed since they closed.
// Each wave's tallies are frozen first, so its results, comparisons and
// published evidence stay exactly as they were (docs/privacy.md).
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"yousaid/server/internal/store"
	"yousaid/server/internal/tally"
)

// Deleted is one wave whose raw data a run deleted (or finished deleting).
type Deleted struct {
	Wave      string
	Council   string
	Responses int64
	Texts     int64
}

// Run finds every closed wave whose close time plus its council's
// retention period is at or before now, and for each one freezes its
// tallies and then deletes its responses and texts. Waves done already
// are skipped; one left half-done by an interrupted run is finished. It
// returns what it deleted, and goes on past a failing wave to the others,
// returning their errors joined.
func Run(ctx context.Context, s *store.Store, w *tally.Writer, now time.Time) ([]Deleted, error) {
	records, err := s.RetentionRecords(ctx)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	var unfinished []string
	for _, r := range records {
		if r.DeletedAt != nil {
			done[r.Wave] = true
		} else {
			unfinished = append(unfinished, r.Wave)
		}
	}
	var out []Deleted
	var errs []error
	deleteRaw := func(wave string) {
		r, err := s.DeleteWaveRawData(ctx, wave)
		if err != nil {
			errs = append(errs, fmt.Errorf("retention: wave %s: %w", wave, err))
			return
		}
		done[wave] = true
		out = append(out, Deleted{Wave: wave, Council: r.Council, Responses: r.Responses, Texts: r.Texts})
	}
	// A wave frozen by a run that stopped before its deletion ended.
	for _, wave := range unfinished {
		deleteRaw(wave)
	}
	councils, err := s.Councils(ctx)
	if err != nil {
		return out, errors.Join(append(errs, err)...)
	}
	for _, c := range councils {
		months := c.RetentionPeriod()
		waves, err := s.CouncilWaves(ctx, c.Slug)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i := range waves {
			wave := &waves[i]
			closedAt, closed := store.WaveClosedAt(wave, now)
			if !closed || done[wave.ID] || now.Before(store.RetentionDue(closedAt, months)) {
				continue
			}
			if _, err := w.Freeze(ctx, wave, months); err != nil {
				errs = append(errs, fmt.Errorf("retention: freezing wave %s: %w", wave.ID, err))
				continue
			}
			deleteRaw(wave.ID)
		}
	}
	return out, errors.Join(errs...)
}

// Loop runs Run at once and then every interval until ctx ends, logging
// what it deleted (counts only) and what failed.
func Loop(ctx context.Context, s *store.Store, w *tally.Writer, logger *slog.Logger, interval time.Duration, now func() time.Time) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		runCtx, cancel := context.WithTimeout(ctx, 30*time.Minute)
		deleted, err := Run(runCtx, s, w, now())
		cancel()
		for _, d := range deleted {
			logger.Info("raw responses deleted under the council's retention period",
				"council", d.Council, "wave", d.Wave, "responses", d.Responses, "texts", d.Texts)
		}
		if err != nil && ctx.Err() == nil {
			logger.Warn("retention run failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
