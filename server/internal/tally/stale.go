package tally

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// A writer that dies with counts unwritten leaves its marker, which lists
// the waves and sessions it touched. Another writer that finds the marker
// stale (not refreshed for StaleAfter) repairs it: at start-up
// (RepairStale) and, while it runs, every StaleCheck (WatchStale, on
// MongoDB with several servers). Both go through repairDead:
//
//  1. adopt: the dead writer's waves and sessions are added to this
//     writer's own marker, so that if this process dies before the
//     recounts are done, the next repair finds them there;
//  2. claim: the dead marker is deleted on condition that its seen is the
//     value read (store.ClaimWriterMarker). Of writers racing for it
//     exactly one deletes it, and a marker whose writer was seen again in
//     the meantime is left alone;
//  3. recount: the claimer recounts the waves and sessions. One that fails
//     stays owed, is retried at the next check, and keeps this writer's
//     marker at Stop so that the next start recounts it.
//
// A recount is harmless to repeat: it rebuilds the tallies from the stored
// responses and votes, so a wave recounted twice (by the loser of a race
// that adopted it, after its own death) ends with the same counts.
//
// A writer taken for dead may have been only paused: it finds its marker
// gone at its next marker update and recounts its own waves (updateMarker).

// stale reports whether m is another writer's marker that, at now, has
// gone StaleAfter without a heartbeat. With StaleAfter zero every other
// marker is stale.
func (w *Writer) stale(m store.WriterMarker, now time.Time) bool {
	return m.ID != w.id && (w.opts.StaleAfter == 0 || now.Sub(m.Seen) >= w.opts.StaleAfter)
}

// updateMarker applies update to this writer's own marker, one update at a
// time (markerMu). A marker that is gone was claimed by another writer
// that took this one for dead (it went StaleAfter without a heartbeat: a
// long pause, or cut off from the store) and recounted its waves then;
// the counts this writer still held are flushed on top of that recount
// and count some responses twice. So the marker is put back, listing what
// it listed, and those waves and sessions are owed a recount here (at the
// next check), which makes them exact again.
func (w *Writer) updateMarker(ctx context.Context, update func(context.Context) error) error {
	w.markerMu.Lock()
	defer w.markerMu.Unlock()
	err := update(ctx)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	w.mu.Lock()
	for wave := range w.marked {
		w.owedWaves[wave] = true
	}
	for session := range w.votes.marked {
		w.owedSessions[session] = true
	}
	waves, sessions := sortedKeys(w.owedWaves), sortedKeys(w.owedSessions)
	w.mu.Unlock()
	w.logger.Error("another server took this tally writer for dead and recounted its waves; they will be recounted here again",
		"writer", w.id, "waves", waves, "sessions", len(sessions))
	if err := w.store.PutWriterMarker(ctx, w.id); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	if err := w.store.AdoptWriterMarks(ctx, w.id, waves, sessions); err != nil {
		return err
	}
	return update(ctx)
}

// repairDead claims the markers of dead writers and recounts what they
// listed, and whatever earlier claims left owed. It logs one line when it
// recounted anything. The caller holds repairMu.
func (w *Writer) repairDead(ctx context.Context, def func(string, int) (*survey.Definition, error)) ([]Report, error) {
	all, err := w.store.WriterMarkers(ctx)
	if err != nil {
		return nil, err
	}
	now := w.opts.Now()
	var claimed []string
	for _, m := range all {
		if !w.stale(m, now) {
			continue
		}
		err := w.updateMarker(ctx, func(ctx context.Context) error {
			return w.store.AdoptWriterMarks(ctx, w.id, m.Waves, m.Sessions)
		})
		if err != nil {
			return nil, err
		}
		won, err := w.store.ClaimWriterMarker(ctx, m.ID, m.Seen)
		if err != nil {
			return nil, err
		}
		if !won {
			continue // another writer claimed it, or its own writer was seen again
		}
		claimed = append(claimed, m.ID)
		w.mu.Lock()
		for _, wave := range m.Waves {
			w.owedWaves[wave] = true
		}
		for _, session := range m.Sessions {
			w.owedSessions[session] = true
		}
		w.mu.Unlock()
	}
	reports, sessions, err := w.payOwed(ctx, def)
	if len(reports) > 0 || len(sessions) > 0 {
		var waves, corrected []string
		for _, r := range reports {
			waves = append(waves, r.Wave)
			if r.Corrected {
				corrected = append(corrected, r.Wave)
			}
		}
		// Wave ids and counts of things only: nothing a young person wrote.
		w.logger.Info("tally writers taken for dead; their waves recounted",
			"writers", claimed, "waves", waves, "corrected", corrected, "sessions", len(sessions))
	}
	return reports, err
}

// payOwed recounts the owed waves and sessions, forgetting each once
// recounted. It stops at the first failure, leaving the rest owed.
func (w *Writer) payOwed(ctx context.Context, def func(string, int) (*survey.Definition, error)) ([]Report, []VoteReport, error) {
	w.mu.Lock()
	waves := sortedKeys(w.owedWaves)
	sessions := sortedKeys(w.owedSessions)
	w.mu.Unlock()
	var reports []Report
	for _, wave := range waves {
		rep, err := w.RecountBecause(ctx, wave, def, CauseStaleWriter)
		if err != nil {
			return reports, nil, fmt.Errorf("recounting wave %s: %w", wave, err)
		}
		reports = append(reports, rep)
		w.mu.Lock()
		delete(w.owedWaves, wave)
		w.mu.Unlock()
	}
	var votes []VoteReport
	for _, session := range sessions {
		rep, err := w.recountSession(ctx, session, CauseStaleWriter)
		if err != nil {
			return reports, votes, fmt.Errorf("recounting session %s: %w", session, err)
		}
		votes = append(votes, rep)
		w.mu.Lock()
		delete(w.owedSessions, session)
		w.mu.Unlock()
	}
	return reports, votes, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// owes reports whether waves or sessions claimed from dead writers are
// still to be recounted.
func (w *Writer) owes() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.owedWaves) > 0 || len(w.owedSessions) > 0
}

// RepairStale is the start-up repair: it recounts the waves and sessions
// that dead writers may have left short (repairDead) and the waves whose
// tallies fail their check (Suspect).
func (w *Writer) RepairStale(ctx context.Context, def func(string, int) (*survey.Definition, error)) ([]Report, error) {
	w.repairMu.Lock()
	defer w.repairMu.Unlock()
	reports, err := w.repairDead(ctx, def)
	if err != nil {
		return reports, err
	}
	suspect, err := w.Suspect(ctx)
	if err != nil {
		return reports, err
	}
	for _, wave := range suspect {
		if slices.ContainsFunc(reports, func(r Report) bool { return r.Wave == wave }) {
			continue
		}
		rep, err := w.RecountBecause(ctx, wave, def, CauseCheckFailed)
		if err != nil {
			return reports, fmt.Errorf("recounting wave %s: %w", wave, err)
		}
		reports = append(reports, rep)
	}
	return reports, nil
}

// CheckStale is one periodic check (WatchStale runs it; tests call it
// directly): it repairs the dead writers' markers as start-up does, but
// does not read every tally for Suspect.
func (w *Writer) CheckStale(ctx context.Context, def func(string, int) (*survey.Definition, error)) ([]Report, error) {
	w.repairMu.Lock()
	defer w.repairMu.Unlock()
	return w.repairDead(ctx, def)
}

// WatchStale runs CheckStale about every StaleCheck until Stop, so that a
// server that dies while others run has its waves recounted by one of
// them within about StaleAfter + StaleCheck. It does nothing when
// StaleAfter is zero (one process owns the store). Call it once, after
// Start and before Stop.
func (w *Writer) WatchStale(def func(string, int) (*survey.Definition, error)) {
	if w.opts.StaleAfter == 0 {
		return
	}
	w.watching.Add(1)
	go func() {
		defer w.watching.Done()
		for {
			d := w.opts.StaleCheck
			wait := time.NewTimer(d*4/5 + rand.N(d*2/5+1))
			select {
			case <-w.stop:
				wait.Stop()
				return
			case <-wait.C:
			}
			// Stop cuts a check short; what it claimed stays owed.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			go func() {
				select {
				case <-w.stop:
					cancel()
				case <-ctx.Done():
				}
			}()
			if _, err := w.CheckStale(ctx, def); err != nil && !errors.Is(err, context.Canceled) {
				w.logger.Warn("tally check for dead writers failed; will retry", "err", err)
			}
			cancel()
		}
	}()
}
