package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Roles, from most to least rights. co_producer stands apart: a member of a
// council's Care Leavers' Forum, who sees that council's action items only.
const (
	RolePlatformAdmin = "platform_admin"
	RoleCouncilAdmin  = "council_admin"
	RoleFacilitator   = "facilitator"
	RoleCoProducer    = "co_producer"
)

// User is a member of staff or a forum co-producer. Young people have no
// accounts.
type User struct {
	ID           string    `bson:"_id" json:"id"`
	Email        string    `bson:"email" json:"email"`
	PasswordHash string    `bson:"password_hash" json:"-"`
	Role         string    `bson:"role" json:"role"`
	Council      string    `bson:"council,omitempty" json:"council,omitempty"` // empty for platform_admin
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	// DeactivatedAt is set when a council admin ended the account: it can
	// no longer sign in, and no token of it is accepted.
	DeactivatedAt *time.Time `bson:"deactivated_at,omitempty" json:"deactivated_at,omitempty"`
	// TOTPSecret is the shared secret of the user's authenticator app
	// (RFC 6238) once confirmed, sealed by the web layer with the
	// operator's key (package secretbox: "v1:..."), or the bare base32
	// secret if it was stored before sealing existed and no key has been
	// configured since; empty without two-step sign-in. The store never
	// sees the key. It is never written to JSON.
	TOTPSecret string `bson:"totp_secret,omitempty" json:"-"`
	// TOTPPending is a secret being set up, not yet confirmed by a code;
	// stored like TOTPSecret.
	TOTPPending string `bson:"totp_pending,omitempty" json:"-"`
}

// Active reports whether the account may sign in.
func (u *User) Active() bool { return u.DeactivatedAt == nil }

// HasTOTP reports whether the user signs in with a second step.
func (u *User) HasTOTP() bool { return u.TOTPSecret != "" }

// NormaliseEmail is the form in which emails are stored and looked up.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser stores a new user with a fresh id; ErrConflict when the email
// is taken. The email is claimed in user_emails before the user is stored
// (lookups.go), and the unique index on users.email decides who has it: of
// two creations with one email, exactly one succeeds.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	const op = "store.CreateUser"
	u.ID = uuid.NewString()
	u.Email = NormaliseEmail(u.Email)
	u.CreatedAt = s.now().UTC()
	takeover := false
	if err := s.claim(ctx, emailLookup, u.Email, u.ID); mongo.IsDuplicateKeyError(err) {
		// Claimed already: by a user (taken), or by a creation that never
		// stored its user (a stale claim), or one still under way. The
		// last two we take over if our user wins the unique index.
		owner, err := s.claimant(ctx, emailLookup, u.Email)
		if err != nil {
			return mapErr(op, err)
		}
		raw, err := s.targetRaw(ctx, emailLookup, owner)
		switch {
		case err == nil:
			if email, _ := raw.Lookup("email").StringValueOK(); email == u.Email {
				return mapErr(op, ErrConflict)
			}
		case !errors.Is(err, mongo.ErrNoDocuments):
			return mapErr(op, err)
		}
		takeover = true
	} else if err != nil {
		return mapErr(op, err)
	}
	if _, err := s.db.Collection(colUsers).InsertOne(ctx, u); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			// Another user has the email, though the claim did not name it
			// when we looked: a creation under way, a takeover whose
			// pointing failed, or (on MongoDB, during an upgrade) a user
			// stored by a server of an earlier version still running. Make
			// sure the claim names that user.
			return errors.Join(mapErr(op, err), mapErr(op+".repoint", s.repointEmail(ctx, u.Email)))
		}
		// Our claim, if we made one, stays: stale, which readers take for
		// "not found", and the next CreateUser takes over.
		return mapErr(op, err)
	}
	if takeover {
		// Should this fail, the user is stored but not yet found by email:
		// the next CreateUser with the email (repointEmail) or the next
		// Open points the lookup. Deleting the user instead would break
		// the rule that a key's owner never changes (lookups.go).
		if err := s.point(ctx, emailLookup, u.Email, u.ID); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// repointEmail makes the lookup of email name the user who has it, if any
// and if it does not already. Only when it does not (see CreateUser) does
// it find the user by email, which reads every user on the embedded store.
func (s *Store) repointEmail(ctx context.Context, email string) error {
	var u User
	err := s.byLookup(ctx, emailLookup, email, &u)
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return err
	}
	var owner struct {
		ID string `bson:"_id"`
	}
	err = s.db.Collection(colUsers).FindOne(ctx, bson.M{"email": email},
		options.FindOne().SetProjection(bson.M{"_id": 1})).Decode(&owner)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.point(ctx, emailLookup, email, owner.ID)
}

// UserByEmail finds a user by email, however it was typed; ErrNotFound
// when there is none. It runs on every sign-in: two finds by _id, through
// user_emails (lookups.go).
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := s.byLookup(ctx, emailLookup, NormaliseEmail(email), &u); err != nil {
		return nil, mapErr("store.UserByEmail", err)
	}
	return &u, nil
}

// User finds a user by id; ErrNotFound when there is none.
func (s *Store) User(ctx context.Context, id string) (*User, error) {
	var u User
	err := s.db.Collection(colUsers).FindOne(ctx, bson.M{"_id": id}).Decode(&u)
	if err != nil {
		return nil, mapErr("store.User", err)
	}
	return &u, nil
}

// CouncilUsers lists a council's users by email.
func (s *Store) CouncilUsers(ctx context.Context, council string) ([]User, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.M{"council": council},
		options.Find().SetSort(bson.D{{Key: "email", Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, mapErr("store.CouncilUsers", err)
	}
	var out []User
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.CouncilUsers", err)
	}
	return out, nil
}

// setUser applies update to one user; ErrNotFound when there is none.
func (s *Store) setUser(ctx context.Context, op, id string, update bson.M) error {
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.M{"_id": id}, update)
	if err != nil {
		return mapErr(op, err)
	}
	if res.MatchedCount == 0 {
		return mapErr(op, ErrNotFound)
	}
	return nil
}

// SetUserRole changes a user's role. The caller checks the role is one a
// council may give and that the council keeps an active council_admin.
func (s *Store) SetUserRole(ctx context.Context, id, role string) error {
	return s.setUser(ctx, "store.SetUserRole", id, bson.M{"$set": bson.M{"role": role}})
}

// SetUserActive deactivates a user (now) or makes them active again.
// Deactivating does not end their tokens: DeleteUserTokens does, and
// TokenUser refuses a deactivated user's tokens anyway.
func (s *Store) SetUserActive(ctx context.Context, id string, active bool) error {
	update := bson.M{"$unset": bson.M{"deactivated_at": ""}}
	if !active {
		update = bson.M{"$set": bson.M{"deactivated_at": s.now().UTC()}}
	}
	return s.setUser(ctx, "store.SetUserActive", id, update)
}

// SetPasswordHash replaces a user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, id, hash string) error {
	return s.setUser(ctx, "store.SetPasswordHash", id, bson.M{"$set": bson.M{"password_hash": hash}})
}

// SetTOTPPending keeps a secret being set up until its first code
// confirms it.
func (s *Store) SetTOTPPending(ctx context.Context, id, secret string) error {
	return s.setUser(ctx, "store.SetTOTPPending", id, bson.M{"$set": bson.M{"totp_pending": secret}})
}

// EnableTOTP makes secret the user's confirmed TOTP secret.
func (s *Store) EnableTOTP(ctx context.Context, id, secret string) error {
	return s.setUser(ctx, "store.EnableTOTP", id, bson.M{
		"$set":   bson.M{"totp_secret": secret},
		"$unset": bson.M{"totp_pending": ""},
	})
}

// DisableTOTP removes the user's TOTP secret and any being set up; their
// recovery codes are deleted with DeleteRecoveryCodes.
func (s *Store) DisableTOTP(ctx context.Context, id string) error {
	return s.setUser(ctx, "store.DisableTOTP", id, bson.M{"$unset": bson.M{"totp_secret": "", "totp_pending": ""}})
}

// TOTPUsers lists the users with a TOTP secret or one being set up (staff
// only: a few per council).
func (s *Store) TOTPUsers(ctx context.Context) ([]User, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.M{"$or": bson.A{
		bson.M{"totp_secret": bson.M{"$exists": true}},
		bson.M{"totp_pending": bson.M{"$exists": true}},
	}})
	if err != nil {
		return nil, mapErr("store.TOTPUsers", err)
	}
	var out []User
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.TOTPUsers", err)
	}
	return out, nil
}

// ReplaceTOTPSecrets stores a user's TOTP secret and pending secret in a
// new form (sealed again) only while the user's document still holds the
// old ones, so that a change made meanwhile (turned off, set up again, by
// another server) is never overwritten. An empty value means absent.
// ErrNotFound when the user or the old values are gone.
func (s *Store) ReplaceTOTPSecrets(ctx context.Context, id, oldSecret, oldPending, newSecret, newPending string) error {
	filter := bson.M{"_id": id}
	set, unset := bson.M{}, bson.M{}
	for _, f := range []struct{ field, old, new string }{
		{"totp_secret", oldSecret, newSecret},
		{"totp_pending", oldPending, newPending},
	} {
		if f.old == "" {
			filter[f.field] = bson.M{"$exists": false}
		} else {
			filter[f.field] = f.old
		}
		if f.new == "" {
			unset[f.field] = ""
		} else {
			set[f.field] = f.new
		}
	}
	update := bson.M{}
	if len(set) > 0 {
		update["$set"] = set
	}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	if len(update) == 0 {
		return nil
	}
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, filter, update)
	if err != nil {
		return mapErr("store.ReplaceTOTPSecrets", err)
	}
	if res.MatchedCount == 0 {
		return mapErr("store.ReplaceTOTPSecrets", ErrNotFound)
	}
	return nil
}

// ActiveCouncilAdmins counts a council's active council_admins (a council
// has a handful).
func (s *Store) ActiveCouncilAdmins(ctx context.Context, council string) (int64, error) {
	n, err := s.db.Collection(colUsers).CountDocuments(ctx, bson.M{
		"council": council, "role": RoleCouncilAdmin, "deactivated_at": bson.M{"$exists": false},
	})
	return n, mapErr("store.ActiveCouncilAdmins", err)
}
