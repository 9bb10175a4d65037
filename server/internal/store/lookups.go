package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Lookups find a document by a unique key other than its _id with two
// finds by _id. FerretDB v1.24 puts a filter in SQL only when it is exactly
// {_id: <string>} (docs/store.md), so a find by join code or by email
// would read and decode every session or user of the platform, on every
// forum vote and every sign-in. A lookup collection has the key as its _id and names
// the document:
//
//	join_codes  {_id: "K7M2QX", session: "<session id>"}
//	user_emails {_id: "ana@council.example", user: "<user id>"}
//
// Both stores use them: one code path; on MongoDB they cost an insert per
// creation and a second find by _id.
//
// Without transactions, exactness rests on four rules:
//
//   - The lookup is written first, as a claim, then the document. So a
//     crash or a failed insert in between leaves a claim naming a document
//     that does not exist (a stale claim), never a document that cannot be
//     found. A reader takes a stale claim for "not found", and checks that
//     the document it reaches still has the key.
//   - The document's own unique index (sessions.join_code, users.email)
//     stays, on both stores, and is what decides who owns a key: a claim
//     can be stale, that index cannot.
//   - A claim is only ever replaced by a lookup naming the owner of its key
//     by that index. Sessions and users are never deleted and their join
//     code or email never changes, so that owner never changes: every
//     writer that changes a claim writes the same value, and FerretDB's
//     non-atomic updates (STORE.md) cannot make a wrong one. (A change that
//     deletes them or changes a key must move or remove the lookup with
//     it.) Claims are never deleted:
//     a delete there is a find, then a delete by _id, which could remove a
//     claim written in between.
//   - Open points the lookup of every session and user at it, when it is
//     missing or names another document (backfillLookups): data from before
//     lookups, a backup of that time, or a crash between a user's insert
//     and its taking over a stale claim.
//
// Join codes are random, so a stale claim just retires its code:
// CreateSession draws another. Emails are not: CreateUser takes a stale
// claim over.
type lookup struct {
	collection string // the lookup collection, keyed by the key
	ref        string // its field holding the document's _id
	target     string // the documents' collection
	key        string // the documents' field holding the key
}

var (
	joinCodeLookup = lookup{collection: colJoinCodes, ref: "session", target: colSessions, key: "join_code"}
	emailLookup    = lookup{collection: colUserEmails, ref: "user", target: colUsers, key: "email"}
)

// claim inserts the lookup of key naming id; a duplicate key error when key
// has a lookup already.
func (s *Store) claim(ctx context.Context, l lookup, key, id string) error {
	_, err := s.db.Collection(l.collection).InsertOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: l.ref, Value: id}})
	return err
}

// claimant returns the _id the lookup of key names; mongo.ErrNoDocuments
// when key has no lookup.
func (s *Store) claimant(ctx context.Context, l lookup, key string) (string, error) {
	raw, err := s.db.Collection(l.collection).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Raw()
	if err != nil {
		return "", err
	}
	id, _ := raw.Lookup(l.ref).StringValueOK()
	return id, nil
}

// point makes the lookup of key name id, whatever it named before. Only
// the owner of key by the target's unique index may call it (see lookup).
func (s *Store) point(ctx context.Context, l lookup, key, id string) error {
	_, err := s.db.Collection(l.collection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "_id", Value: key}, {Key: l.ref, Value: id}}, options.Replace().SetUpsert(true))
	return err
}

// byLookup decodes into out the document that has key, through its
// lookup; mongo.ErrNoDocuments when there is none, or the lookup is a
// stale claim.
func (s *Store) byLookup(ctx context.Context, l lookup, key string, out any) error {
	id, err := s.claimant(ctx, l, key)
	if err != nil {
		return err
	}
	raw, err := s.targetRaw(ctx, l, id)
	if err != nil {
		return err
	}
	if k, _ := raw.Lookup(l.key).StringValueOK(); k != key {
		return mongo.ErrNoDocuments
	}
	return bson.Unmarshal(raw, out)
}

// targetRaw reads the document with _id id; mongo.ErrNoDocuments when
// there is none.
func (s *Store) targetRaw(ctx context.Context, l lookup, id string) (bson.Raw, error) {
	return s.db.Collection(l.target).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
}

// backfillLookups gives every session and user a lookup naming it where
// it has none or its lookup names another document (a stale claim). It
// reads the four collections once each and writes only what is missing,
// so it is idempotent and, with nothing missing, costs four reads of
// collections that grow with councils' staff and sessions, never with
// responses or votes. Stale claims naming no document are left: they are
// harmless (see lookup), and a claim being made right now, by another
// server process on MongoDB, looks just like one.
func (s *Store) backfillLookups(ctx context.Context) error {
	for _, l := range []lookup{joinCodeLookup, emailLookup} {
		if err := s.backfill(ctx, l); err != nil {
			return fmt.Errorf("lookups of %s: %w", l.target, err)
		}
	}
	return nil
}

func (s *Store) backfill(ctx context.Context, l lookup) error {
	named := map[string]string{} // key → the _id its lookup names
	cur, err := s.db.Collection(l.collection).Find(ctx, bson.D{})
	if err != nil {
		return err
	}
	for cur.Next(ctx) {
		key, _ := cur.Current.Lookup("_id").StringValueOK()
		named[key], _ = cur.Current.Lookup(l.ref).StringValueOK()
	}
	if err := cur.Err(); err != nil {
		return err
	}
	_ = cur.Close(ctx)

	cur, err = s.db.Collection(l.target).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: l.key, Value: 1}}))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		id, _ := cur.Current.Lookup("_id").StringValueOK()
		key, _ := cur.Current.Lookup(l.key).StringValueOK()
		if id == "" || key == "" || named[key] == id {
			continue
		}
		// The document owns key by its unique index, so pointing the
		// lookup at it is right whatever the lookup said.
		if err := s.point(ctx, l, key, id); err != nil {
			return err
		}
	}
	return cur.Err()
}
