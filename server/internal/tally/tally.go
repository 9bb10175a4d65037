// Package tally keeps the pre-aggregated counts that results are read from.
//
// One Writer per process applies every change to the tally documents, so no
// two goroutines update one document at once (STORE.md rule 2), and it
// coalesces the increments of many responses into one update per document.
// Responses stay the source of truth: Recount rebuilds a wave's tallies
// from them, and the waves a dead process may have left short are found
// through its marker and recounted.
package tally

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Options tune a Writer.
type Options struct {
	// Interval between flushes of forum votes: a presenter's screen lags a
	// vote by about this (default 250 ms).
	Interval time.Duration
	// ResponseInterval is between flushes of survey responses' tallies and
	// texts; results lag acknowledgements by about this. Default: 1 s, or
	// Interval when that is set. Each flush rewrites every tally document a
	// response touched (a dozen per wave, hundreds of counters each), so
	// flushing less often leaves the store free for the responses
	// themselves (docs/benchmarks.md).
	ResponseInterval time.Duration
	// Heartbeat is how often the writer says it is alive.
	Heartbeat time.Duration
	// StaleAfter is how long a marker may go without a heartbeat before its
	// process is taken for dead. Zero means every other marker is stale,
	// which is right for the embedded store: one process owns it.
	StaleAfter time.Duration
	// StaleCheck is about how often a running writer looks for other
	// writers' stale markers and repairs them (WatchStale), jittered by up
	// to a fifth either way so that servers started together do not check
	// together. Default 1 minute. There is no periodic check when
	// StaleAfter is zero: one process owns the store, and its start-up
	// repair finds every other marker.
	StaleCheck time.Duration
	// Now is the clock that markers' ages are judged by; nil means
	// time.Now. Markers are stamped by the store's clock.
	Now func() time.Time
	// Mask hides personal data in free text before it is queued for
	// moderation; nil queues text as written.
	Mask func(string) string
	// Observer, when set, is told of recounts (observe.go).
	Observer Observer
}

// entry is one response's contribution, kept until flushed so that a
// recount can drop exactly the responses it counted itself.
type entry struct {
	response string
	groups   []survey.Group
	keys     []string
	texts    []store.Text // free-text answers for the moderation queue
}

// Writer is the process's single writer of tallies.
type Writer struct {
	store  *store.Store
	logger *slog.Logger
	opts   Options
	id     string

	mu         sync.Mutex
	pending    map[string][]entry         // by wave: not yet taken by a flush
	recounting map[string]bool            // waves being recounted: their entries wait
	recent     map[string]recountedWindow // waves just recounted: responses they counted
	marked     map[string]bool            // waves this process's marker lists
	// owedWaves and owedSessions were claimed from dead writers' markers
	// and are not recounted yet (a recount failed or was cut short).
	owedWaves    map[string]bool
	owedSessions map[string]bool

	// markerMu makes this writer's updates of its own marker (Prepare,
	// BeginVote, the heartbeat, a repair adopting a dead writer's waves)
	// one at a time: the embedded store loses concurrent updates of one
	// document, which could drop a wave from the marker.
	markerMu sync.Mutex
	// repairMu makes repairs of dead writers (start-up, the periodic
	// check, -repair) one at a time.
	repairMu sync.Mutex
	watching sync.WaitGroup // the periodic check of WatchStale

	flushMu   sync.Mutex                  // one flush or tally replacement at a time
	unapplied map[string]map[string]int64 // tally id → increments a failed flush must retry
	unqueued  []store.Text                // texts a failed flush must retry
	wavesOf   map[string]string           // tally id → its wave (for unapplied)
	groupOf   map[string]survey.Group     // tally id → its group (for unapplied)

	votes voteState // forum sessions' vote tallies (votes.go)
	lag   lagState  // what Lag reads (observe.go)

	// onUncertain, when set, is told of a wave whose tally update failed
	// in a way that may or may not have been applied; see OnUncertain.
	onUncertain atomic.Value // func(wave string)

	stop chan struct{}
	done chan struct{}
	// stopOnce lets Stop be called again (App.Close after a Serve whose
	// Stop ran out of time) without closing stop twice.
	stopOnce sync.Once
}

// OnUncertain makes a failed tally update hand its wave to fn (which must
// have it recounted) instead of retrying the update, which the store may
// already have applied. Without it, failed updates are retried.
func (w *Writer) OnUncertain(fn func(wave string)) { w.onUncertain.Store(fn) }

type recountedWindow struct {
	counted map[string]bool
	until   time.Time
}

// New makes a writer; Start it before use.
func New(s *store.Store, logger *slog.Logger, opts Options) *Writer {
	if opts.ResponseInterval == 0 {
		opts.ResponseInterval = time.Second
		if opts.Interval != 0 {
			opts.ResponseInterval = opts.Interval
		}
	}
	if opts.Interval == 0 {
		opts.Interval = 250 * time.Millisecond
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = 30 * time.Second
	}
	if opts.StaleCheck == 0 {
		opts.StaleCheck = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Mask == nil {
		opts.Mask = func(s string) string { return s }
	}
	w := &Writer{
		store: s, logger: logger, opts: opts, id: uuid.NewString(),
		pending: map[string][]entry{}, recounting: map[string]bool{}, recent: map[string]recountedWindow{},
		marked: map[string]bool{}, owedWaves: map[string]bool{}, owedSessions: map[string]bool{}, unapplied: map[string]map[string]int64{},
		wavesOf: map[string]string{}, groupOf: map[string]survey.Group{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	w.votes = newVoteState(&w.mu)
	w.lag.cleanSince.Store(time.Now().UnixNano())
	return w
}

// Start records this writer's marker and starts flushing in the background.
func (w *Writer) Start(ctx context.Context) error {
	if err := w.store.PutWriterMarker(ctx, w.id); err != nil {
		return fmt.Errorf("tally.Start: %w", err)
	}
	go w.loop()
	return nil
}

func (w *Writer) loop() {
	defer close(w.done)
	flush := time.NewTicker(w.opts.Interval)
	defer flush.Stop()
	beat := time.NewTicker(w.opts.Heartbeat)
	defer beat.Stop()
	lastResponses := time.Now()
	for {
		select {
		case <-w.stop:
			return
		case now := <-flush.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			var err error
			if now.Sub(lastResponses) >= w.opts.ResponseInterval-w.opts.Interval/2 {
				lastResponses = now
				err = w.Flush(ctx)
			} else {
				err = w.FlushVotes(ctx)
			}
			if err != nil {
				w.logger.Warn("tally flush failed; will retry", "err", err)
			}
			cancel()
		case <-beat.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := w.updateMarker(ctx, func(ctx context.Context) error {
				return w.store.TouchWriterMarker(ctx, w.id)
			}); err != nil {
				w.logger.Warn("tally heartbeat failed", "err", err)
			}
			cancel()
		}
	}
}

// Stop ends the background flushing, writes what is pending and, when all
// of it was written, removes the marker: a clean stop needs no recount.
func (w *Writer) Stop(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
	w.watching.Wait()
	for {
		err := w.Flush(ctx)
		if err == nil && w.empty() {
			if w.owes() {
				// The marker lists what was taken over from dead
				// writers (adopt): the next start recounts it.
				return errors.New("tally.Stop: waves taken over from a dead writer are not recounted yet; the marker stays for the next start")
			}
			return w.store.DeleteWriterMarker(ctx, w.id)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("tally.Stop: counts left unwritten (a recount at next start will fix them): %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (w *Writer) empty() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	for _, es := range w.pending {
		if len(es) > 0 {
			return false
		}
	}
	return len(w.unapplied) == 0 && len(w.unqueued) == 0 && w.votesEmpty()
}

// Prepare must be called before a response of wave is stored: it makes
// sure this process's marker lists the wave, so that if the process dies
// with the response's counts unwritten, the wave is recounted.
func (w *Writer) Prepare(ctx context.Context, wave string) error {
	w.mu.Lock()
	marked := w.marked[wave]
	w.mu.Unlock()
	if marked {
		return nil
	}
	err := w.updateMarker(ctx, func(ctx context.Context) error {
		return w.store.MarkWriterWave(ctx, w.id, wave)
	})
	if err != nil {
		return fmt.Errorf("tally.Prepare: %w", err)
	}
	w.mu.Lock()
	w.marked[wave] = true
	w.mu.Unlock()
	return nil
}

// texts returns a response's free-text answers as moderation queue entries.
func (w *Writer) texts(r *store.Response, def *survey.Definition, answers survey.Answers) []store.Text {
	var out []store.Text
	for _, q := range def.Questions() {
		text, ok := answers[q.ID].(string)
		if q.Type != survey.TypeText || !ok || text == "" {
			continue
		}
		out = append(out, store.Text{
			ID: store.TextID(r.ID, q.ID), Wave: r.Wave, Question: q.ID,
			Language: r.Language, Text: w.opts.Mask(text), Week: r.Week,
		})
	}
	return out
}

// Add counts a stored response and queues its free text for moderation.
// It returns at once; both reach the store with the next flush.
func (w *Writer) Add(r *store.Response, def *survey.Definition, answers survey.Answers) {
	wave, response := r.Wave, r.ID
	e := entry{
		response: response, groups: survey.Groups(def, r.Language, answers),
		keys: survey.Contributions(def, answers), texts: w.texts(r, def, answers),
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if r, ok := w.recent[wave]; ok {
		if time.Now().Before(r.until) {
			if r.counted[response] {
				return // a recount has counted it already
			}
		} else {
			delete(w.recent, wave)
		}
	}
	w.pending[wave] = append(w.pending[wave], e)
}

// Flush writes every pending count: one $inc per tally document touched.
// Counts that could not be written stay and are retried.
func (w *Writer) Flush(ctx context.Context) (err error) {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	start := time.Now()
	defer func() { w.noteFlushed(start, err == nil) }()

	w.mu.Lock()
	for wave, entries := range w.pending {
		if w.recounting[wave] || len(entries) == 0 {
			continue
		}
		for _, e := range entries {
			w.unqueued = append(w.unqueued, e.texts...)
			w.addUnapplied(wave, survey.Group{}, e.keys)
			for _, g := range e.groups {
				w.addUnapplied(wave, g, e.keys)
			}
		}
		delete(w.pending, wave)
	}
	w.mu.Unlock()
	w.noteHeld()

	var errs []error
	if len(w.unqueued) > 0 {
		if err := w.store.QueueTexts(ctx, w.unqueued); err != nil {
			errs = append(errs, err)
		} else {
			w.unqueued = nil
		}
	}
	uncertain, _ := w.onUncertain.Load().(func(string))
	for id, inc := range w.unapplied {
		g := w.groupOf[id]
		wave := w.wavesOf[id]
		if err := w.store.IncTally(ctx, wave, g.Dim, g.Value, inc, Check(inc)); err != nil {
			errs = append(errs, err)
			if uncertain != nil {
				// The store may have applied the $inc and lost its reply:
				// applying it again could count twice. Leave the wave to a
				// recount, which counts each stored response exactly once.
				for other, otherWave := range w.wavesOf {
					if otherWave == wave {
						w.dropUnapplied(other)
					}
				}
				uncertain(wave)
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		w.dropUnapplied(id)
	}
	errs = append(errs, w.flushVotes(ctx)...)
	return errors.Join(errs...)
}

// FlushVotes writes the forum votes' pending counts only.
func (w *Writer) FlushVotes(ctx context.Context) error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	return errors.Join(w.flushVotes(ctx)...)
}

// addUnapplied merges keys into the increments of one tally; flushMu held.
func (w *Writer) addUnapplied(wave string, g survey.Group, keys []string) {
	id := store.TallyID(wave, g.Dim, g.Value)
	inc := w.unapplied[id]
	if inc == nil {
		inc = map[string]int64{}
		w.unapplied[id] = inc
		w.wavesOf[id] = wave
		w.groupOf[id] = g
	}
	for _, k := range keys {
		inc[k]++
	}
}

func (w *Writer) dropUnapplied(id string) {
	delete(w.unapplied, id)
	delete(w.wavesOf, id)
	delete(w.groupOf, id)
}

// Report says what a recount found.
type Report struct {
	Wave      string
	Before    int64 // responses the tally counted
	After     int64 // responses stored
	Corrected bool  // any counter changed
	// Frozen: the wave's raw responses were deleted under its council's
	// retention period, and its tallies were left as they are.
	Frozen bool
}

// Freeze freezes a wave's tallies before its raw data is deleted
// (store.FreezeWave). It holds the writer's flush lock, as a recount does
// from its frozen check to its writes, so that no recount of this process
// writes tallies from a scan that saw part of the deletion; a recount in
// another process checks after its scan, which ended before the freeze.
func (w *Writer) Freeze(ctx context.Context, wave *store.Wave, months int) (*store.WaveRetention, error) {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	return w.store.FreezeWave(ctx, wave, months)
}

// Recount rebuilds a wave's tallies from its stored responses, while
// submissions go on: their counts wait, and those the recount counted
// itself are dropped so that each response is counted exactly once.
func (w *Writer) Recount(ctx context.Context, wave string, def func(surveyID string, version int) (*survey.Definition, error)) (Report, error) {
	return w.RecountBecause(ctx, wave, def, CauseRequested)
}

// RecountBecause is Recount, telling the Observer why.
func (w *Writer) RecountBecause(ctx context.Context, wave string, def func(surveyID string, version int) (*survey.Definition, error), cause string) (Report, error) {
	rep := Report{Wave: wave}
	if frozen, err := w.frozen(ctx, wave, &rep); err != nil || frozen {
		return rep, err
	}
	w.mu.Lock()
	w.recounting[wave] = true
	w.mu.Unlock()
	finished := false
	defer func() {
		if !finished {
			w.mu.Lock()
			delete(w.recounting, wave)
			w.mu.Unlock()
		}
	}()

	// Increments of this wave not yet written come from stored responses,
	// which the scan below counts.
	w.flushMu.Lock()
	for id, waveOf := range w.wavesOf {
		if waveOf == wave {
			w.dropUnapplied(id)
		}
	}
	w.flushMu.Unlock()

	before, err := w.store.TalliesByID(ctx, []string{store.TallyID(wave, "", "")})
	if err != nil {
		return rep, err
	}
	old := map[string]int64{}
	if len(before) == 1 {
		old = before[0].Counts
		rep.Before = old[survey.KeyResponses]
	}

	docs := map[string]*store.Tally{}
	add := func(g survey.Group, keys []string) {
		id := store.TallyID(wave, g.Dim, g.Value)
		t := docs[id]
		if t == nil {
			t = &store.Tally{Wave: wave, Dim: g.Dim, Group: g.Value, Counts: map[string]int64{}}
			docs[id] = t
		}
		for _, k := range keys {
			t.Counts[k]++
		}
	}
	add(survey.Group{}, []string{survey.KeyResponses})
	docs[store.TallyID(wave, "", "")].Counts[survey.KeyResponses] = 0
	counted := map[string]bool{}
	var texts []store.Text
	err = w.store.EachResponse(ctx, wave, func(r *store.Response) error {
		d, err := def(r.Survey, r.Version)
		if err != nil {
			return err
		}
		answers := survey.NormaliseStored(d, r.Answers)
		texts = append(texts, w.texts(r, d, answers)...)
		keys := survey.Contributions(d, answers)
		add(survey.Group{}, keys)
		for _, g := range survey.Groups(d, r.Language, answers) {
			add(g, keys)
		}
		counted[r.ID] = true
		return nil
	})
	if err != nil {
		return rep, err
	}
	all := make([]store.Tally, 0, len(docs))
	for _, t := range docs {
		t.Check = Check(t.Counts)
		all = append(all, *t)
	}
	fresh := docs[store.TallyID(wave, "", "")].Counts
	rep.After = fresh[survey.KeyResponses]
	rep.Corrected = !sameCounts(old, fresh)

	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	// Retention may have frozen the wave and begun deleting while the scan
	// ran: then neither its counts nor its texts may be written back.
	if frozen, err := w.frozen(ctx, wave, &rep); err != nil || frozen {
		return rep, err
	}
	// Texts already queued keep their moderation decisions.
	for start := 0; start < len(texts); start += 1000 {
		if err := w.store.QueueTexts(ctx, texts[start:min(start+1000, len(texts))]); err != nil {
			return rep, err
		}
	}
	if err := w.store.ReplaceTallies(ctx, wave, all); err != nil {
		return rep, err
	}
	w.mu.Lock()
	kept := w.pending[wave][:0]
	for _, e := range w.pending[wave] {
		if !counted[e.response] {
			kept = append(kept, e)
		}
	}
	w.pending[wave] = kept
	delete(w.recounting, wave)
	// A response stored just before the scan may be Added just after it.
	w.recent[wave] = recountedWindow{counted: counted, until: time.Now().Add(time.Minute)}
	w.mu.Unlock()
	finished = true
	w.recounted("wave", cause, rep.Corrected)
	return rep, nil
}

// frozen reports whether wave's tallies are frozen, and if so fills rep
// with what they count (unchanged).
func (w *Writer) frozen(ctx context.Context, wave string, rep *Report) (bool, error) {
	frozen, err := w.store.WaveFrozen(ctx, wave)
	if err != nil || !frozen {
		return false, err
	}
	ts, err := w.store.TalliesByID(ctx, []string{store.TallyID(wave, "", "")})
	if err != nil {
		return true, err
	}
	*rep = Report{Wave: wave, Frozen: true}
	if len(ts) == 1 {
		rep.Before = ts[0].Counts[survey.KeyResponses]
		rep.After = rep.Before
	}
	return true, nil
}

// Check is the weighted sum that a tally's check field must equal. Each
// counter's weight comes from its name, so an edit by hand that does not
// also know the weights is caught. Weights stay below 2^20, so the sum of
// counts up to 2^40 cannot overflow.
func Check(counts map[string]int64) int64 {
	var sum int64
	for k, n := range counts {
		sum += weight(k) * n
	}
	return sum
}

func weight(key string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return 1 + int64(h.Sum32()%(1<<20-1))
}

// Suspect lists the waves whose tallies fail their check, or that have no
// whole-wave tally at all: they need a recount. It reads the tallies only,
// never the responses.
func (w *Writer) Suspect(ctx context.Context) ([]string, error) {
	waves, err := w.store.AllWaveIDs(ctx)
	if err != nil {
		return nil, err
	}
	tallies, err := w.store.AllTallies(ctx)
	if err != nil {
		return nil, err
	}
	bad := map[string]bool{}
	whole := map[string]bool{}
	for _, t := range tallies {
		if t.Dim == "" {
			whole[t.Wave] = true
		}
		if Check(t.Counts) != t.Check {
			bad[t.Wave] = true
		}
	}
	var out []string
	for _, wave := range waves {
		if bad[wave] || !whole[wave] {
			out = append(out, wave)
		}
	}
	return out, nil
}

func sameCounts(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
