package store

// Action plans ("you said, we did").
//
// How concurrent changes stay safe. The embedded store loses concurrent
// updates to one document and its conditional updates are not atomic
// (STORE.md), so the item document cannot be the source of truth. Instead:
//
//   - Every change (create, patch, timeline update, publish, verdict) is an
//     ActionEvent inserted with _id "<action>|<seq>" (and a unique index on
//     action+seq). Of any number of writers racing for the next seq exactly
//     one insert succeeds, on FerretDB as on MongoDB: the event log is the
//     source of truth, and it is also the audit log (who, when, and each
//     field's before → after).
//   - The item document is a projection of the log: Apply(item, event) is
//     deterministic, and the document records the seq it reflects
//     (Version). Only the writer that won seq n writes version n, and in
//     one process all writes to one item's document are serialised by a
//     per-item mutex, so no two updates of one document ever run at once
//     here; across processes (MongoDB only, STORE.md rule 5) the write is
//     a replace filtered on the previous version, which MongoDB makes
//     atomic.
//   - A writer that lost the race re-reads, catches up and validates its
//     change again against the new state: a change that still makes sense
//     (another field, the next status) is applied on top, one that no
//     longer does (the same status move twice) is refused with a reason.
//     Nothing is lost silently.
//   - A process that died between the event insert and the projection
//     write leaves the document behind the log; every read for staff and
//     every change first applies the events past the document's Version,
//     so the document heals on its next use.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Statuses of an action plan item.
const (
	StatusProposed    = "proposed"
	StatusAgreed      = "agreed"
	StatusInProgress  = "in_progress"
	StatusDone        = "done"
	StatusNotPossible = "not_possible"
)

// Kinds of action events.
const (
	EventCreate    = "create"
	EventPatch     = "patch"
	EventUpdate    = "update"
	EventPublish   = "publish"
	EventUnpublish = "unpublish"
	EventVerdict   = "verdict"
)

// Evidence kinds.
const (
	EvidenceIndicator = "indicator"
	EvidenceSession   = "session"
	EvidenceQuote     = "quote"
)

// Verdicts a council's Care Leavers' Forum can give an item.
const (
	VerdictAgreed          = "agreed"
	VerdictNotYet          = "not_yet"
	VerdictNotWhatWeAsked  = "not_what_we_asked"
	maxActionChangeRetries = 8
)

// Action is one action plan item: the projection of its events.
type Action struct {
	ID      string            `bson:"_id"`
	Council string            `bson:"council"`
	YouSaid map[string]string `bson:"you_said"` // plain text by BCP 47 tag; "en" always
	WeWill  map[string]string `bson:"we_will"`  // plain text by BCP 47 tag; "en" always
	Owner   string            `bson:"owner"`
	Due     string            `bson:"due,omitempty"` // YYYY-MM-DD; empty when none
	Status  string            `bson:"status"`
	// Reason says why an item is not possible (plain text by tag).
	Reason      map[string]string `bson:"reason,omitempty"`
	Published   bool              `bson:"published"`
	PublishedAt *time.Time        `bson:"published_at,omitempty"` // the latest publication
	Evidence    []EvidenceRef     `bson:"evidence"`
	Timeline    []TimelineEntry   `bson:"timeline"`
	Verdict     *Verdict          `bson:"verdict,omitempty"` // the newest
	CreatedAt   time.Time         `bson:"created_at"`
	UpdatedAt   time.Time         `bson:"updated_at"`
	// Version is the seq of the last event the document reflects.
	Version int `bson:"version"`
}

// EvidenceRef points at what an item rests on: a wave's indicator, a
// session's tally or an approved quote. The figures are read, through the
// disclosure rules, when the item is shown.
type EvidenceRef struct {
	Kind      string `bson:"kind"`
	Wave      string `bson:"wave,omitempty"`
	Indicator string `bson:"indicator,omitempty"`
	Session   string `bson:"session,omitempty"`
	Quote     string `bson:"quote,omitempty"` // an approved text's id
}

// TimelineEntry is one dated update. Text holds HTML sanitised by the one
// rich-text policy (package page) before it was stored, by BCP 47 tag.
type TimelineEntry struct {
	Seq  int               `bson:"seq"`
	At   time.Time         `bson:"at"`
	Text map[string]string `bson:"text"`
}

// Verdict is the forum's judgement of an item. Comment is plain text.
type Verdict struct {
	Verdict string            `bson:"verdict"`
	Comment map[string]string `bson:"comment,omitempty"`
	At      time.Time         `bson:"at"`
}

// ActionEvent is one change to an item: a line of the audit log and the
// source of truth the item document is projected from.
type ActionEvent struct {
	ID      string    `bson:"_id"` // ActionEventID(action, seq)
	Action  string    `bson:"action"`
	Council string    `bson:"council"`
	Seq     int       `bson:"seq"`
	Kind    string    `bson:"kind"`
	At      time.Time `bson:"at"`
	UserID  string    `bson:"user_id"`
	Email   string    `bson:"email"`
	// Changes says, field by field, what the event changed, for people.
	Changes []Change    `bson:"changes"`
	Delta   ActionDelta `bson:"delta"`
}

// Change is one field's before → after, as text for the audit page.
type Change struct {
	Field  string `bson:"field"`
	Before string `bson:"before"`
	After  string `bson:"after"`
}

// ActionDelta is what an event sets; nil fields are left as they were.
type ActionDelta struct {
	Create    *Action           `bson:"create,omitempty"` // the whole new item
	YouSaid   map[string]string `bson:"you_said,omitempty"`
	WeWill    map[string]string `bson:"we_will,omitempty"`
	Owner     *string           `bson:"owner,omitempty"`
	Due       *string           `bson:"due,omitempty"`
	Status    *string           `bson:"status,omitempty"`
	Reason    map[string]string `bson:"reason,omitempty"`
	Published *bool             `bson:"published,omitempty"`
	Update    *TimelineEntry    `bson:"update,omitempty"`
	Verdict   *Verdict          `bson:"verdict,omitempty"`
}

// ActionEventID names event seq of an action; zero-padded so ids sort.
func ActionEventID(action string, seq int) string {
	return fmt.Sprintf("%s|%08d", action, seq)
}

// Apply returns the item after event e. It is deterministic: applying the
// same event to the same item twice gives the same document.
func (a Action) Apply(e *ActionEvent) Action {
	d := e.Delta
	if d.Create != nil {
		n := *d.Create
		n.ID, n.Council = e.Action, e.Council
		n.CreatedAt, n.UpdatedAt, n.Version = e.At, e.At, e.Seq
		n.Timeline = slices.Clone(n.Timeline)
		if n.Timeline == nil {
			n.Timeline = []TimelineEntry{}
		}
		if n.Evidence == nil {
			n.Evidence = []EvidenceRef{}
		}
		return n
	}
	n := a
	n.Timeline = slices.Clone(a.Timeline)
	if d.YouSaid != nil {
		n.YouSaid = maps.Clone(d.YouSaid)
	}
	if d.WeWill != nil {
		n.WeWill = maps.Clone(d.WeWill)
	}
	if d.Owner != nil {
		n.Owner = *d.Owner
	}
	if d.Due != nil {
		n.Due = *d.Due
	}
	if d.Status != nil {
		n.Status = *d.Status
	}
	if d.Reason != nil {
		n.Reason = maps.Clone(d.Reason)
	}
	if d.Published != nil {
		n.Published = *d.Published
		if n.Published {
			at := e.At
			n.PublishedAt = &at
		}
	}
	if d.Update != nil {
		n.Timeline = append(n.Timeline, *d.Update)
	}
	if d.Verdict != nil {
		v := *d.Verdict
		n.Verdict = &v
	}
	n.UpdatedAt, n.Version = e.At, e.Seq
	return n
}

// NewActionID returns a fresh random item id.
func NewActionID() string { return randomString(lowerAlphabet, 12) }

// actionLock returns the mutex that serialises writes to one item's
// document in this process.
func (s *Store) actionLock(id string) *sync.Mutex {
	m, _ := s.actionLocks.LoadOrStore(id, &sync.Mutex{})
	return m.(*sync.Mutex)
}

// CreateAction stores a new item as the first event of its log and writes
// its document. a.ID must be set (NewActionID); the event's Delta.Create
// is a. e.At is now unless the caller sets it (demo data, imports).
func (s *Store) CreateAction(ctx context.Context, a *Action, e ActionEvent) (*Action, error) {
	e.Action, e.Council, e.Seq, e.Kind = a.ID, a.Council, 1, EventCreate
	e.ID = ActionEventID(a.ID, 1)
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	e.Delta = ActionDelta{Create: a}
	if _, err := s.db.Collection(colActionEvents).InsertOne(ctx, e); err != nil {
		return nil, mapErr("store.CreateAction", err)
	}
	n := Action{}.Apply(&e)
	mu := s.actionLock(n.ID)
	mu.Lock()
	defer mu.Unlock()
	// The event is stored: the change is made. A failed projection write
	// heals on the next read (see the file's comment), so it is not an
	// error the client should retry.
	_ = s.writeProjection(ctx, &n, 0)
	return &n, nil
}

// writeProjection writes item n, which follows version prev. The caller
// holds the item's lock.
func (s *Store) writeProjection(ctx context.Context, n *Action, prev int) error {
	if prev == 0 {
		_, err := s.db.Collection(colActions).InsertOne(ctx, n)
		if mongo.IsDuplicateKeyError(err) {
			err = nil // written already by a catch-up
		}
		return mapErr("store.writeProjection", err)
	}
	_, err := s.db.Collection(colActions).ReplaceOne(ctx, bson.M{"_id": n.ID, "version": prev}, n)
	return mapErr("store.writeProjection", err)
}

// actionEventsAfter returns an item's events after seq, in order.
func (s *Store) actionEventsAfter(ctx context.Context, id string, seq int) ([]ActionEvent, error) {
	cur, err := s.db.Collection(colActionEvents).Find(ctx, bson.M{"action": id, "seq": bson.M{"$gt": seq}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetLimit(10000))
	if err != nil {
		return nil, mapErr("store.actionEventsAfter", err)
	}
	out := []ActionEvent{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.actionEventsAfter", err)
	}
	return out, nil
}

// Action returns an item as its log says it is now: the document, with any
// events it has not caught up with applied (and written back).
// ErrNotFound when there is no such item.
func (s *Store) Action(ctx context.Context, id string) (*Action, error) {
	a, err := s.actionDoc(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	version := 0
	if a != nil {
		version = a.Version
	}
	events, err := s.actionEventsAfter(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		if a == nil {
			return nil, mapErr("store.Action", ErrNotFound)
		}
		return a, nil
	}
	mu := s.actionLock(id)
	mu.Lock()
	defer mu.Unlock()
	return s.catchUp(ctx, id)
}

// catchUp re-reads an item and applies the events past its document's
// version, writing each step. The caller holds the item's lock.
func (s *Store) catchUp(ctx context.Context, id string) (*Action, error) {
	a, err := s.actionDoc(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	cur := Action{}
	if a != nil {
		cur = *a
	}
	events, err := s.actionEventsAfter(ctx, id, cur.Version)
	if err != nil {
		return nil, err
	}
	for i := range events {
		if events[i].Seq != cur.Version+1 {
			break // cannot happen: each seq is claimed after the one before it
		}
		next := cur.Apply(&events[i])
		if err := s.writeProjection(ctx, &next, cur.Version); err != nil {
			return nil, err
		}
		cur = next
	}
	if cur.ID == "" {
		return nil, mapErr("store.Action", ErrNotFound)
	}
	return &cur, nil
}

func (s *Store) actionDoc(ctx context.Context, id string) (*Action, error) {
	var a Action
	if err := s.db.Collection(colActions).FindOne(ctx, bson.M{"_id": id}).Decode(&a); err != nil {
		return nil, mapErr("store.Action", err)
	}
	return &a, nil
}

// ErrBusy means a change lost the race for its item's next event too many
// times in a row.
var ErrBusy = errors.New("busy")

// ChangeAction makes one change to an item. decide is shown the item as it
// is now and returns the event to record (Kind, UserID, Email, Changes,
// Delta; At only for demo data and imports, never before the item's last
// change), or an error to refuse the change with. If another writer records
// an event first, decide is asked again with the new state. It returns the
// item after the change.
func (s *Store) ChangeAction(ctx context.Context, id string, decide func(cur *Action) (*ActionEvent, error)) (*Action, error) {
	mu := s.actionLock(id)
	mu.Lock()
	defer mu.Unlock()
	for range maxActionChangeRetries {
		cur, err := s.catchUp(ctx, id)
		if err != nil {
			return nil, err
		}
		e, err := decide(cur)
		if err != nil {
			return nil, err
		}
		e.Action, e.Council, e.Seq = cur.ID, cur.Council, cur.Version+1
		e.ID = ActionEventID(cur.ID, e.Seq)
		if e.At.IsZero() || e.At.Before(cur.UpdatedAt) {
			e.At = s.now().UTC() // set by the caller only for demo data and imports
		}
		if e.Delta.Update != nil {
			e.Delta.Update.Seq, e.Delta.Update.At = e.Seq, e.At
		}
		if e.Delta.Verdict != nil {
			e.Delta.Verdict.At = e.At
		}
		_, err = s.db.Collection(colActionEvents).InsertOne(ctx, e)
		if mongo.IsDuplicateKeyError(err) {
			continue // another process took this seq: look again
		}
		if err != nil {
			return nil, mapErr("store.ChangeAction", err)
		}
		next := cur.Apply(e)
		// Recorded: see CreateAction on a failed projection write.
		_ = s.writeProjection(ctx, &next, cur.Version)
		return &next, nil
	}
	return nil, fmt.Errorf("store.ChangeAction: %w", ErrBusy)
}

// CouncilActions lists a council's items: published ones newest
// publication first when published is true, else every item newest first;
// at most limit. A council has tens of items, not thousands.
func (s *Store) CouncilActions(ctx context.Context, council string, published bool, limit int64) ([]Action, error) {
	filter := bson.M{"council": council}
	sort := bson.D{{Key: "created_at", Value: -1}}
	if published {
		filter["published"] = true
		sort = bson.D{{Key: "published_at", Value: -1}, {Key: "_id", Value: 1}}
	}
	cur, err := s.db.Collection(colActions).Find(ctx, filter, options.Find().SetSort(sort).SetLimit(limit))
	if err != nil {
		return nil, mapErr("store.CouncilActions", err)
	}
	out := []Action{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.CouncilActions", err)
	}
	return out, nil
}

// ActionEvents returns an item's audit log, oldest first.
func (s *Store) ActionEvents(ctx context.Context, id string) ([]ActionEvent, error) {
	return s.actionEventsAfter(ctx, id, 0)
}

// CouncilActionEvents returns a council's audit log, newest first, at most
// limit entries.
func (s *Store) CouncilActionEvents(ctx context.Context, council string, limit int64) ([]ActionEvent, error) {
	cur, err := s.db.Collection(colActionEvents).Find(ctx, bson.M{"council": council},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(limit))
	if err != nil {
		return nil, mapErr("store.CouncilActionEvents", err)
	}
	out := []ActionEvent{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.CouncilActionEvents", err)
	}
	return out, nil
}
