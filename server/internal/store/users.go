package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
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
}

// NormaliseEmail is the form in which emails are stored and looked up.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser stores a new user with a fresh id; ErrConflict when the email
// is taken.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	u.ID = uuid.NewString()
	u.Email = NormaliseEmail(u.Email)
	u.CreatedAt = s.now().UTC()
	_, err := s.db.Collection(colUsers).InsertOne(ctx, u)
	return mapErr("store.CreateUser", err)
}

// UserByEmail finds a user by email; ErrNotFound when there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.Collection(colUsers).FindOne(ctx, bson.M{"email": NormaliseEmail(email)}).Decode(&u)
	if err != nil {
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
