package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AuditEntry is one line of the audit log: who changed what, and when.
// Action plan items keep their own event log (actions.go), which is also
// their source of truth; everything else a member of staff or the platform
// itself changes (accounts, retention, surveys, translations) is written
// here. An entry never holds an answer, an access code, a password, a token
// or a client address.
type AuditEntry struct {
	ID string `bson:"_id"`
	// Council is the council the change belongs to; empty for a
	// platform-wide change (a national survey, a platform admin).
	Council string    `bson:"council"`
	At      time.Time `bson:"at"`
	// ActorID and ActorEmail name the member of staff; ActorID is "system"
	// for the platform's own jobs (retention).
	ActorID    string `bson:"actor_id"`
	ActorEmail string `bson:"actor_email,omitempty"`
	// Action is a dotted machine-readable name, such as "user.invited" or
	// "responses.deleted"; pages translate it.
	Action string `bson:"action"`
	// Target is the id of the thing changed (a user, a wave, a survey).
	Target string `bson:"target,omitempty"`
	// Detail carries the facts of the change for people, such as
	// {"role": "facilitator"} or {"deleted": "1204"}.
	Detail map[string]string `bson:"detail,omitempty"`
}

// SystemActor is the ActorID of changes the platform makes by itself.
const SystemActor = "system"

// AppendAudit writes one entry, giving it an id and the current time.
// The id is a version 7 UUID, increasing within the process, so entries
// made in the same instant still list in the order they were made.
func (s *Store) AppendAudit(ctx context.Context, e *AuditEntry) error {
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("store.AppendAudit: %w", err)
	}
	e.ID = id.String()
	e.At = s.now().UTC()
	_, err = s.db.Collection(colAudit).InsertOne(ctx, e)
	return mapErr("store.AppendAudit", err)
}

// AuditLog returns a council's entries ("" for platform-wide ones), newest
// first, at most limit of them.
func (s *Store) AuditLog(ctx context.Context, council string, limit int64) ([]AuditEntry, error) {
	cur, err := s.db.Collection(colAudit).Find(ctx, bson.M{"council": council},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(limit))
	if err != nil {
		return nil, mapErr("store.AuditLog", err)
	}
	out := []AuditEntry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.AuditLog", err)
	}
	return out, nil
}
