package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// ErrInvitationExpired and ErrInvitationUsed say why a known invitation
// can no longer be accepted.
var (
	ErrInvitationExpired = errors.New("invitation expired")
	ErrInvitationUsed    = errors.New("invitation used")
)

// Invitation is a council admin's offer of an account: whoever opens its
// link first, before it expires, sets a password and becomes the user.
// It is stored under the hash of its token, which exists in the clear
// only in the link shown once to the admin.
type Invitation struct {
	Hash      string    `bson:"_id" json:"-"`
	ID        string    `bson:"id" json:"id"` // names it in lists and the audit log
	Council   string    `bson:"council" json:"council"`
	Email     string    `bson:"email" json:"email"`
	Role      string    `bson:"role" json:"role"`
	InvitedBy string    `bson:"invited_by" json:"-"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	ExpiresAt time.Time `bson:"expires_at" json:"expires_at"`
}

func hashInvitation(token string) string {
	sum := sha256.Sum256([]byte("invitation\x00" + token))
	return hex.EncodeToString(sum[:])
}

// CreateInvitation stores inv (Council, Email, Role, InvitedBy set by the
// caller) with a fresh id, expiring after InvitationTTL, and returns its
// token in the clear: the only time it exists so.
func (s *Store) CreateInvitation(ctx context.Context, inv *Invitation) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store.CreateInvitation: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now().UTC().Truncate(time.Second)
	inv.Hash = hashInvitation(token)
	inv.ID = uuid.NewString()
	inv.Email = NormaliseEmail(inv.Email)
	inv.CreatedAt, inv.ExpiresAt = now, now.Add(InvitationTTL)
	if _, err := s.db.Collection(colInvitations).InsertOne(ctx, inv); err != nil {
		return "", mapErr("store.CreateInvitation", err)
	}
	return token, nil
}

// InvitationByToken returns the invitation a link's token opens:
// ErrNotFound for an unknown or withdrawn one, ErrInvitationUsed or
// ErrInvitationExpired (with the invitation) for one that can no longer
// be accepted.
func (s *Store) InvitationByToken(ctx context.Context, token string) (*Invitation, error) {
	var inv Invitation
	h := hashInvitation(token)
	if err := s.db.Collection(colInvitations).FindOne(ctx, bson.M{"_id": h}).Decode(&inv); err != nil {
		return nil, mapErr("store.InvitationByToken", err)
	}
	err := s.db.Collection(colSpentInvitations).FindOne(ctx, bson.M{"_id": h}).Err()
	switch {
	case err == nil:
		return &inv, fmt.Errorf("store.InvitationByToken: %w", ErrInvitationUsed)
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, mapErr("store.InvitationByToken", err)
	}
	if !s.now().Before(inv.ExpiresAt) {
		return &inv, fmt.Errorf("store.InvitationByToken: %w", ErrInvitationExpired)
	}
	return &inv, nil
}

// AcceptInvitation spends the invitation exactly once and creates its
// user with passwordHash. The spend is an insert into a collection keyed
// by the invitation's hash (STORE.md rule 1), so of two racing accepts one
// wins: the other gets ErrInvitationUsed. ErrConflict when the email has
// an account already; the invitation is then left unspent.
func (s *Store) AcceptInvitation(ctx context.Context, token, passwordHash string) (*Invitation, *User, error) {
	inv, err := s.InvitationByToken(ctx, token)
	if err != nil {
		return inv, nil, err
	}
	spent := s.db.Collection(colSpentInvitations)
	_, err = spent.InsertOne(ctx, bson.M{"_id": inv.Hash, "council": inv.Council, "at": s.now().UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return inv, nil, fmt.Errorf("store.AcceptInvitation: %w", ErrInvitationUsed)
	}
	if err != nil {
		return nil, nil, mapErr("store.AcceptInvitation", err)
	}
	u := &User{Email: inv.Email, PasswordHash: passwordHash, Role: inv.Role, Council: inv.Council}
	if err := s.CreateUser(ctx, u); err != nil {
		// Give the link back: the person can use it once the clash is
		// sorted out (or the admin withdraws it).
		if _, rerr := spent.DeleteOne(ctx, bson.M{"_id": inv.Hash}); rerr != nil {
			return nil, nil, errors.Join(fmt.Errorf("store.AcceptInvitation: %w", err), mapErr("store.AcceptInvitation.release", rerr))
		}
		return inv, nil, fmt.Errorf("store.AcceptInvitation: %w", err)
	}
	return inv, u, nil
}

// PendingInvitations lists a council's invitations that are neither used
// nor expired, newest first.
func (s *Store) PendingInvitations(ctx context.Context, council string) ([]Invitation, error) {
	cur, err := s.db.Collection(colInvitations).Find(ctx,
		bson.M{"council": council, "expires_at": bson.M{"$gt": s.now().UTC()}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(200))
	if err != nil {
		return nil, mapErr("store.PendingInvitations", err)
	}
	var all []Invitation
	if err := cur.All(ctx, &all); err != nil {
		return nil, mapErr("store.PendingInvitations", err)
	}
	if len(all) == 0 {
		return nil, nil
	}
	hashes := make([]string, len(all))
	for i, inv := range all {
		hashes[i] = inv.Hash
	}
	cur, err = s.db.Collection(colSpentInvitations).Find(ctx, bson.M{"_id": bson.M{"$in": hashes}})
	if err != nil {
		return nil, mapErr("store.PendingInvitations", err)
	}
	var used []struct {
		Hash string `bson:"_id"`
	}
	if err := cur.All(ctx, &used); err != nil {
		return nil, mapErr("store.PendingInvitations", err)
	}
	spent := map[string]bool{}
	for _, u := range used {
		spent[u.Hash] = true
	}
	var out []Invitation
	for _, inv := range all {
		if !spent[inv.Hash] {
			out = append(out, inv)
		}
	}
	return out, nil
}

// WithdrawInvitation deletes a council's invitation by its id, so its link
// no longer works; ErrNotFound when the council has no such invitation.
func (s *Store) WithdrawInvitation(ctx context.Context, council, id string) (*Invitation, error) {
	var inv Invitation
	err := s.db.Collection(colInvitations).FindOneAndDelete(ctx, bson.M{"council": council, "id": id}).Decode(&inv)
	if err != nil {
		return nil, mapErr("store.WithdrawInvitation", err)
	}
	return &inv, nil
}
