package tally

// Forum session votes. The same single writer that keeps the waves'
// tallies keeps each session's: a vote is an insert (the source of truth),
// and its counts reach the session's tally document with the next flush,
// coalesced with every other vote of that flush into one $inc. Presenters
// are told after each flush that touched their session.
//
// Closing a session in this process freezes its tally: new votes are
// refused here at once, the votes already being stored are waited for, the
// session is marked closed in the store, and a final flush writes what is
// pending. Another process (MongoDB deployments) learns of the closing on
// its next read of the session and refuses from then on.

import (
	"context"
	"fmt"
	"sync"
	"time"

	"yousaid/server/internal/store"
)

// Counter keys of a session tally.
const (
	// KeyVotes counts the people who voted.
	KeyVotes = "n"
)

// KeyChoice is the counter of the votes that chose option value v.
func KeyChoice(v string) string { return "o:" + v }

// voteEntry is one stored vote's contribution, kept until flushed so that a
// recount can drop exactly the votes it counted itself.
type voteEntry struct {
	vote    string
	choices []string
}

// voteState is the Writer's part for sessions. Fields marked (mu) are
// guarded by Writer.mu, (flushMu) by Writer.flushMu.
type voteState struct {
	pending    map[string][]voteEntry     // (mu) by session: not yet taken by a flush
	inflight   map[string]int             // (mu) votes being stored, by session
	closing    map[string]bool            // (mu) sessions closed in this process
	idle       *sync.Cond                 // (mu) signalled when a session's inflight drops to 0
	recounting map[string]bool            // (mu) sessions being recounted: their entries wait
	recent     map[string]recountedWindow // (mu) sessions just recounted: votes they counted
	marked     map[string]bool            // (mu) sessions this process's marker lists

	unapplied map[string]map[string]int64 // (flushMu) session → increments to write

	subMu sync.Mutex
	subs  map[string]map[chan struct{}]struct{} // presenters waiting for news of a session
}

func newVoteState(mu *sync.Mutex) voteState {
	return voteState{
		pending: map[string][]voteEntry{}, inflight: map[string]int{}, closing: map[string]bool{},
		idle: sync.NewCond(mu), recounting: map[string]bool{}, recent: map[string]recountedWindow{},
		marked: map[string]bool{}, unapplied: map[string]map[string]int64{},
		subs: map[string]map[chan struct{}]struct{}{},
	}
}

// ErrSessionClosed means the session was closed in this process: the vote
// must be refused.
var ErrSessionClosed = fmt.Errorf("tally: session closed")

// BeginVote admits one vote to session and makes sure this process's
// marker lists the session (so that a crash before the next flush leads
// to a recount). Call done once the vote is stored and added, or has
// failed. ErrSessionClosed when the session was closed here.
func (w *Writer) BeginVote(ctx context.Context, session string) (done func(), err error) {
	w.mu.Lock()
	if w.votes.closing[session] {
		w.mu.Unlock()
		return nil, ErrSessionClosed
	}
	w.votes.inflight[session]++
	marked := w.votes.marked[session]
	w.mu.Unlock()
	done = func() {
		w.mu.Lock()
		w.votes.inflight[session]--
		if w.votes.inflight[session] <= 0 {
			delete(w.votes.inflight, session)
			w.votes.idle.Broadcast()
		}
		w.mu.Unlock()
	}
	if !marked {
		err := w.updateMarker(ctx, func(ctx context.Context) error {
			return w.store.MarkWriterSession(ctx, w.id, session)
		})
		if err != nil {
			done()
			return nil, fmt.Errorf("tally.BeginVote: %w", err)
		}
		w.mu.Lock()
		w.votes.marked[session] = true
		w.mu.Unlock()
	}
	return done, nil
}

// AddVote counts a stored vote. It returns at once; the count reaches the
// store with the next flush.
func (w *Writer) AddVote(v *store.Vote) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r, ok := w.votes.recent[v.Session]; ok {
		if time.Now().Before(r.until) {
			if r.counted[v.ID] {
				return // a recount has counted it already
			}
		} else {
			delete(w.votes.recent, v.Session)
		}
	}
	w.votes.pending[v.Session] = append(w.votes.pending[v.Session], voteEntry{vote: v.ID, choices: v.Choices})
}

// CloseSession closes a session and freezes its tally: votes are refused
// in this process from now on, the ones being stored are waited for, close
// marks the session closed in the store, and a final flush writes every
// pending count. If close fails the session takes votes again.
func (w *Writer) CloseSession(ctx context.Context, session string, close func(context.Context) error) error {
	w.mu.Lock()
	w.votes.closing[session] = true
	for w.votes.inflight[session] > 0 {
		w.votes.idle.Wait() // bounded: a vote's store work has a timeout
	}
	w.mu.Unlock()
	if err := close(ctx); err != nil {
		w.mu.Lock()
		delete(w.votes.closing, session)
		w.mu.Unlock()
		return err
	}
	err := w.Flush(ctx)
	w.notify(session)
	return err
}

// SessionClosedHere reports whether this process closed the session.
func (w *Writer) SessionClosedHere(session string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.votes.closing[session]
}

// Subscribe returns a channel that receives (at most one pending signal)
// after each flush that changed the session's tally, and after it closes.
// Call cancel when done.
func (w *Writer) Subscribe(session string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.votes.subMu.Lock()
	if w.votes.subs[session] == nil {
		w.votes.subs[session] = map[chan struct{}]struct{}{}
	}
	w.votes.subs[session][ch] = struct{}{}
	w.votes.subMu.Unlock()
	return ch, func() {
		w.votes.subMu.Lock()
		delete(w.votes.subs[session], ch)
		if len(w.votes.subs[session]) == 0 {
			delete(w.votes.subs, session)
		}
		w.votes.subMu.Unlock()
	}
}

func (w *Writer) notify(session string) {
	w.votes.subMu.Lock()
	defer w.votes.subMu.Unlock()
	for ch := range w.votes.subs[session] {
		select {
		case ch <- struct{}{}:
		default: // a signal is waiting already
		}
	}
}

// flushVotes writes every pending vote count: one $inc per session. The
// caller holds flushMu. Counts that could not be written stay and are
// retried.
func (w *Writer) flushVotes(ctx context.Context) []error {
	w.mu.Lock()
	for session, entries := range w.votes.pending {
		if w.votes.recounting[session] || len(entries) == 0 {
			continue
		}
		inc := w.votes.unapplied[session]
		if inc == nil {
			inc = map[string]int64{}
			w.votes.unapplied[session] = inc
		}
		for _, e := range entries {
			inc[KeyVotes]++
			for _, c := range e.choices {
				inc[KeyChoice(c)]++
			}
		}
		delete(w.votes.pending, session)
	}
	w.mu.Unlock()
	w.noteHeld()

	var errs []error
	_, uncertain := w.onUncertain.Load().(func(string))
	for session, inc := range w.votes.unapplied {
		if err := w.store.IncSessionTally(ctx, session, inc, Check(inc)); err != nil {
			errs = append(errs, err)
			if uncertain {
				// As for waves (see Flush): the update may have been applied,
				// so the session is recounted from its votes instead.
				delete(w.votes.unapplied, session)
				go w.recountSessionSoon(session)
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		delete(w.votes.unapplied, session)
		w.notify(session)
	}
	return errs
}

// recountSessionSoon recounts a session whose tally update failed, once
// the store answers again; it gives up after an hour (a restart's repair,
// or -repair, then does it).
func (w *Writer) recountSessionSoon(session string) {
	deadline := time.Now().Add(time.Hour)
	for time.Now().Before(deadline) {
		time.Sleep(2 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := w.recountSession(ctx, session, CauseUncertainWrite)
		cancel()
		if err == nil {
			w.notify(session)
			return
		}
	}
	w.logger.Error("a session's votes were left uncounted after store failures; run -repair", "session", session)
}

// votesEmpty reports whether no vote count waits; the caller holds mu and
// flushMu.
func (w *Writer) votesEmpty() bool {
	for _, es := range w.votes.pending {
		if len(es) > 0 {
			return false
		}
	}
	return len(w.votes.unapplied) == 0
}

// VoteReport says what a session recount found.
type VoteReport struct {
	Session   string
	Before    int64 // votes the tally counted
	After     int64 // votes stored
	Corrected bool  // any counter changed
}

// RecountSession rebuilds a session's tally from its stored votes, while
// votes go on: their counts wait, and those the recount counted itself
// are dropped, so that each vote is counted exactly once.
func (w *Writer) RecountSession(ctx context.Context, session string) (VoteReport, error) {
	return w.recountSession(ctx, session, CauseRequested)
}

func (w *Writer) recountSession(ctx context.Context, session, cause string) (VoteReport, error) {
	rep := VoteReport{Session: session}
	w.mu.Lock()
	w.votes.recounting[session] = true
	w.mu.Unlock()
	finished := false
	defer func() {
		if !finished {
			w.mu.Lock()
			delete(w.votes.recounting, session)
			w.mu.Unlock()
		}
	}()
	// Increments not yet written come from stored votes, which the scan
	// below counts.
	w.flushMu.Lock()
	delete(w.votes.unapplied, session)
	w.flushMu.Unlock()

	before, err := w.store.SessionTally(ctx, session)
	if err != nil {
		return rep, err
	}
	rep.Before = before.Counts[KeyVotes]
	fresh := map[string]int64{KeyVotes: 0}
	counted := map[string]bool{}
	err = w.store.EachVote(ctx, session, func(v *store.Vote) error {
		fresh[KeyVotes]++
		for _, c := range v.Choices {
			fresh[KeyChoice(c)]++
		}
		counted[v.ID] = true
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.After = fresh[KeyVotes]
	rep.Corrected = !sameCounts(before.Counts, fresh)

	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	if err := w.store.ReplaceSessionTally(ctx, store.SessionTally{ID: session, Counts: fresh, Check: Check(fresh)}); err != nil {
		return rep, err
	}
	w.mu.Lock()
	kept := w.votes.pending[session][:0]
	for _, e := range w.votes.pending[session] {
		if !counted[e.vote] {
			kept = append(kept, e)
		}
	}
	w.votes.pending[session] = kept
	delete(w.votes.recounting, session)
	// A vote stored just before the scan may be added just after it.
	w.votes.recent[session] = recountedWindow{counted: counted, until: time.Now().Add(time.Minute)}
	w.mu.Unlock()
	finished = true
	w.notify(session)
	w.recounted("session", cause, rep.Corrected)
	return rep, nil
}
