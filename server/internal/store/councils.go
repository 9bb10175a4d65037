package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Council is a local authority using the platform; its slug is its id.
type Council struct {
	Slug      string   `bson:"_id" json:"slug"`
	Name      string   `bson:"name" json:"name"`
	Languages []string `bson:"languages" json:"languages"`
	// MinCell is the minimum cell size for published figures (default 5,
	// never below 3).
	MinCell int `bson:"min_cell" json:"min_cell"`
	// Contacts are the council's own help contacts, shown on the survey's
	// thank-you page.
	Contacts  []Contact `bson:"contacts,omitempty" json:"contacts,omitempty"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`

	// RetentionMonths is how long after a wave closes its raw responses are
	// kept (0: DefaultRetentionMonths; see retention.go).
	RetentionMonths int `bson:"retention_months,omitempty" json:"retention_months,omitempty"`
}

// Contact is one way to reach help.
type Contact struct {
	Name  string `bson:"name" json:"name"`
	Phone string `bson:"phone,omitempty" json:"phone,omitempty"`
	Email string `bson:"email,omitempty" json:"email,omitempty"`
	URL   string `bson:"url,omitempty" json:"url,omitempty"`
	Hours string `bson:"hours,omitempty" json:"hours,omitempty"`
}

// CreateCouncil stores a new council; ErrConflict when the slug is taken.
func (s *Store) CreateCouncil(ctx context.Context, c *Council) error {
	c.CreatedAt = s.now().UTC()
	_, err := s.db.Collection(colCouncils).InsertOne(ctx, c)
	return mapErr("store.CreateCouncil", err)
}

// Council returns one council; ErrNotFound when there is none.
func (s *Store) Council(ctx context.Context, slug string) (*Council, error) {
	var c Council
	err := s.db.Collection(colCouncils).FindOne(ctx, bson.M{"_id": slug}).Decode(&c)
	if err != nil {
		return nil, mapErr("store.Council", err)
	}
	return &c, nil
}

// Councils lists every council by slug (a platform has tens, not thousands).
func (s *Store) Councils(ctx context.Context) ([]Council, error) {
	cur, err := s.db.Collection(colCouncils).Find(ctx, bson.M{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, mapErr("store.Councils", err)
	}
	var out []Council
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr("store.Councils", err)
	}
	return out, nil
}

// SetCouncilContacts replaces a council's help contacts.
func (s *Store) SetCouncilContacts(ctx context.Context, slug string, contacts []Contact) error {
	res, err := s.db.Collection(colCouncils).UpdateOne(ctx, bson.M{"_id": slug},
		bson.M{"$set": bson.M{"contacts": contacts}})
	if err != nil {
		return mapErr("store.SetCouncilContacts", err)
	}
	if res.MatchedCount == 0 {
		return mapErr("store.SetCouncilContacts", ErrNotFound)
	}
	return nil
}
