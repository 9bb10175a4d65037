package store

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Submissions arriving together are written together: while one batch of
// a wave's responses is being inserted, the next ones wait and then go in
// one InsertMany. On the embedded store every write is a SQLite
// transaction with its own commit and fsync, serialised with every other
// write; a batch shares one, so a survey day's submissions reach the rate
// of bare inserts (docs/benchmarks.md). A lone submission is written at
// once: the batch is whatever arrived while the store was busy, never a
// wait for more.
//
// Exactness is kept per response: the batch is unordered, each response's
// own duplicate-key error reaches its own caller (an idempotent replay is
// still ErrConflict), and an error of the whole command reaches every
// caller of the batch, as it would have reached each alone.

// maxBatch bounds one InsertMany.
const maxBatch = 256

type insertBatch struct {
	docs []any
	errs []error
	err  error
	lead chan struct{} // closed when this batch may be written by its first member
	done chan struct{} // closed when it has been
}

// responseQueue batches the inserts of one collection. While busy, one
// batch is being written and the waiting ones (each at most maxBatch) go
// next, in order; while not busy, none waits.
type responseQueue struct {
	mu      sync.Mutex
	busy    bool
	waiting []*insertBatch
}

// insertBatched inserts doc into col along with whatever else is waiting
// for col, and returns doc's own outcome.
func (s *Store) insertBatched(ctx context.Context, col *mongo.Collection, doc any) error {
	qv, _ := s.queues.LoadOrStore(col.Name(), &responseQueue{})
	q := qv.(*responseQueue)

	q.mu.Lock()
	var b *insertBatch
	if n := len(q.waiting); n > 0 && len(q.waiting[n-1].docs) < maxBatch {
		b = q.waiting[n-1]
	} else {
		b = &insertBatch{lead: make(chan struct{}), done: make(chan struct{})}
		q.waiting = append(q.waiting, b)
	}
	i := len(b.docs)
	b.docs = append(b.docs, doc)
	if !q.busy {
		// Nothing is being written, so b is the only batch: write it now.
		q.busy = true
		q.waiting = q.waiting[1:]
		close(b.lead)
	}
	q.mu.Unlock()

	if i > 0 {
		select {
		case <-b.done:
			return b.outcome(i)
		case <-ctx.Done():
			// Maybe written, maybe not: the caller treats it as any
			// uncertain write (a recount of the wave).
			return ctx.Err()
		}
	}
	<-b.lead // b has left the queue: nobody joins it any more
	s.writeBatch(ctx, col, b)
	q.mu.Lock()
	if len(q.waiting) > 0 {
		next := q.waiting[0]
		q.waiting = q.waiting[1:]
		close(next.lead) // still busy: next's first member writes it
	} else {
		q.busy = false
	}
	q.mu.Unlock()
	return b.outcome(0)
}

func (s *Store) writeBatch(ctx context.Context, col *mongo.Collection, b *insertBatch) {
	defer close(b.done)
	b.errs = make([]error, len(b.docs))
	if len(b.docs) == 1 {
		_, b.errs[0] = col.InsertOne(ctx, b.docs[0])
		return
	}
	_, err := col.InsertMany(ctx, b.docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if err == nil {
		return
	}
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		b.err = err
		return
	}
	for _, we := range bwe.WriteErrors {
		if we.Index >= 0 && we.Index < len(b.errs) {
			b.errs[we.Index] = mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}}
		}
	}
}

func (b *insertBatch) outcome(i int) error {
	if b.err != nil {
		return b.err
	}
	return b.errs[i]
}
