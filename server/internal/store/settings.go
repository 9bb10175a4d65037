package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// PlatformSettings are the platform administrators' choices that apply to
// every council.
type PlatformSettings struct {
	// RequireTOTPForCouncilAdmins sends every council_admin without
	// two-step sign-in to set it up before anything else.
	RequireTOTPForCouncilAdmins bool `bson:"require_totp_council_admins" json:"require_totp_council_admins"`
}

const platformSettingsID = "platform"

// PlatformSettings returns the settings; the zero value when none were
// ever saved.
func (s *Store) PlatformSettings(ctx context.Context) (PlatformSettings, error) {
	var out PlatformSettings
	err := s.db.Collection(colSettings).FindOne(ctx, bson.M{"_id": platformSettingsID}).Decode(&out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return PlatformSettings{}, nil
	}
	return out, mapErr("store.PlatformSettings", err)
}

// SetPlatformSettings replaces the settings. Only platform administrators
// change them, rarely: the one document is not a contended counter.
func (s *Store) SetPlatformSettings(ctx context.Context, ps PlatformSettings) error {
	_, err := s.db.Collection(colSettings).ReplaceOne(ctx, bson.M{"_id": platformSettingsID},
		bson.M{"_id": platformSettingsID, "require_totp_council_admins": ps.RequireTOTPForCouncilAdmins},
		options.Replace().SetUpsert(true))
	return mapErr("store.SetPlatformSettings", err)
}
