package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

type surveySummary struct {
	ID        string      `json:"id"`
	Version   int         `json:"version"`
	Title     survey.Text `json:"title"`
	Languages []string    `json:"languages"`
	// Council and Extends say whose survey it is; absent for national ones.
	Council string `json:"council,omitempty"`
	Extends string `json:"extends,omitempty"`
}

// listSurveys is GET /api/v1/surveys: the newest version of each survey
// the caller may see (national ones for anyone; with a bearer token, the
// council's own too, or every one for a platform administrator).
func (s *Server) listSurveys(c *gin.Context) {
	defs, err := s.surveysFor(c, currentUser(c))
	if err != nil {
		s.fail(c, "surveys.list", err)
		return
	}
	out := make([]surveySummary, 0, len(defs))
	for _, d := range defs {
		out = append(out, surveySummary{ID: d.ID, Version: d.Version, Title: d.Title, Languages: d.Languages, Council: d.Council, Extends: d.Extends})
	}
	if currentUser(c) != nil {
		c.Header("Cache-Control", "no-store")
	}
	c.JSON(http.StatusOK, gin.H{"surveys": out})
}

// surveysFor lists the newest version of each survey u (nil: anonymous)
// may see, national ones first, each group ordered by id.
func (s *Server) surveysFor(c *gin.Context, u *store.User) ([]*survey.Definition, error) {
	ctx := c.Request.Context()
	switch {
	case hasRole(u, store.RolePlatformAdmin):
		return s.store.AllLatestSurveys(ctx)
	case u != nil && u.Council != "" && hasRole(u, store.RoleFacilitator):
		return s.councilSurveys(ctx, u.Council)
	}
	return s.store.LatestSurveys(ctx)
}

// getSurvey is GET /api/v1/surveys/{survey}[?version=N]: the newest
// definition, or version N. A council survey is shown only to its
// council's staff and platform administrators (404 otherwise).
func (s *Server) getSurvey(c *gin.Context) {
	version, err := surveyVersionParam(c)
	if err != nil {
		s.fail(c, "surveys.get", err)
		return
	}
	d, err := s.visibleSurvey(c.Request.Context(), currentUser(c), c.Param("survey"), version)
	if err != nil {
		s.fail(c, "surveys.get", err)
		return
	}
	if d.Council != "" {
		c.Header("Cache-Control", "no-store")
	}
	c.JSON(http.StatusOK, d)
}
