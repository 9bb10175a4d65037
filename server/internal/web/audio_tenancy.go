package web

import (
	"context"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Until surveys have owners (branch authoring), every survey is national:
// visible to all staff, changed by platform admins only.

func (s *Server) visibleSurvey(ctx context.Context, u *store.User, id string, version int) (*survey.Definition, error) {
	return s.store.Survey(ctx, id, version)
}

func canEditSurvey(u *store.User, def *survey.Definition) bool {
	return u != nil && u.Role == store.RolePlatformAdmin
}

func surveyVisibleTo(u *store.User, def *survey.Definition) bool { return u != nil }

func surveyCouncil(def *survey.Definition) string { return "" }
