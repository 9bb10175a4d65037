package tally

import (
	"sync/atomic"
	"time"

	"yousaid/survey"
)

// Observer is told what the writer does that an operator watches (the
// metrics package implements it). Its methods must be quick and safe for
// concurrent use.
type Observer interface {
	// Recounted says a tally was rebuilt from its raw documents: kind is
	// "wave" or "session", cause one of the Cause constants, and corrected
	// whether any count changed.
	Recounted(kind, cause string, corrected bool)
}

// Why a tally is recounted.
const (
	// CauseRequested: a caller asked (-repair, the demo data, retention).
	CauseRequested = "requested"
	// CauseStaleWriter: a writer stopped uncleanly with counts unwritten.
	CauseStaleWriter = "stale_writer"
	// CauseCheckFailed: a tally failed its check sum, or a wave had none.
	CauseCheckFailed = "check_failed"
	// CauseUncertainWrite: a write failed in a way that may have been
	// applied, so it was not retried.
	CauseUncertainWrite = "uncertain_write"
)

func (w *Writer) recounted(kind, cause string, corrected bool) {
	if w.opts.Observer != nil {
		w.opts.Observer.Recounted(kind, cause, corrected)
	}
}

// Lag is what the writer holds that the store does not have yet.
type Lag struct {
	Responses int           // responses whose counts are not all written
	Votes     int           // votes whose counts are not written
	Oldest    time.Duration // how long the oldest of them may have waited; 0 when none
}

// lagState is what Lag reads without waiting for a flush in progress,
// which can take seconds when the store is slow.
type lagState struct {
	responses  atomic.Int64 // responses held by a flush or left for its retry
	votes      atomic.Int64 // votes likewise
	cleanSince atomic.Int64 // unix nanoseconds: start of the last flush that wrote everything
	failing    atomic.Bool  // the last flush had an error
}

// Lag reports the backlog: the responses and votes not yet taken by a
// flush, those a flush holds or must retry, and, while any wait or the
// last flush failed, the time since the start of the last flush that left
// nothing behind, which bounds the wait of the oldest (it is exact to
// within one flush interval).
func (w *Writer) Lag() Lag {
	w.mu.Lock()
	l := Lag{Responses: int(w.lag.responses.Load()), Votes: int(w.lag.votes.Load())}
	for _, es := range w.pending {
		l.Responses += len(es)
	}
	for _, es := range w.votes.pending {
		l.Votes += len(es)
	}
	w.mu.Unlock()
	if l.Responses > 0 || l.Votes > 0 || w.lag.failing.Load() {
		l.Oldest = max(0, time.Since(time.Unix(0, w.lag.cleanSince.Load())))
	}
	return l
}

// noteHeld publishes how many responses and votes the increments in hand
// stand for. A response adds survey.KeyResponses to every tally document
// of its wave, so a wave's largest such increment is its count of
// responses not fully written. The caller holds flushMu.
func (w *Writer) noteHeld() (responses, votes int64) {
	byWave := map[string]int64{}
	for id, inc := range w.unapplied {
		wave := w.wavesOf[id]
		byWave[wave] = max(byWave[wave], inc[survey.KeyResponses])
	}
	for _, n := range byWave {
		responses += n
	}
	for _, inc := range w.votes.unapplied {
		votes += inc[KeyVotes]
	}
	w.lag.responses.Store(responses)
	w.lag.votes.Store(votes)
	return responses, votes
}

// noteFlushed records the end of a flush that started at start: if it
// wrote everything without an error, nothing older than its start waits.
// (A failed update handed to a recount leaves nothing held, but the flush
// was not clean: the age keeps growing until one is.) The caller holds
// flushMu.
func (w *Writer) noteFlushed(start time.Time, ok bool) {
	responses, votes := w.noteHeld()
	w.lag.failing.Store(!ok)
	if !ok || responses > 0 || votes > 0 || len(w.unqueued) > 0 {
		return
	}
	// Entries added since start are younger than start; those of a wave
	// or session being recounted were skipped, and may be older.
	w.mu.Lock()
	defer w.mu.Unlock()
	for wave, es := range w.pending {
		if len(es) > 0 && w.recounting[wave] {
			return
		}
	}
	for session, es := range w.votes.pending {
		if len(es) > 0 && w.votes.recounting[session] {
			return
		}
	}
	w.lag.cleanSince.Store(start.UnixNano())
}
