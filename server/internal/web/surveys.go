package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"yousaid/survey"
)

type surveySummary struct {
	ID        string      `json:"id"`
	Version   int         `json:"version"`
	Title     survey.Text `json:"title"`
	Languages []string    `json:"languages"`
}

// listSurveys is GET /api/v1/surveys: the newest version of each.
func (s *Server) listSurveys(c *gin.Context) {
	defs, err := s.store.LatestSurveys(c.Request.Context())
	if err != nil {
		s.fail(c, "surveys.list", err)
		return
	}
	out := make([]surveySummary, 0, len(defs))
	for _, d := range defs {
		out = append(out, surveySummary{ID: d.ID, Version: d.Version, Title: d.Title, Languages: d.Languages})
	}
	c.JSON(http.StatusOK, gin.H{"surveys": out})
}

// getSurvey is GET /api/v1/surveys/{survey}: the newest definition.
func (s *Server) getSurvey(c *gin.Context) {
	d, err := s.store.Survey(c.Request.Context(), c.Param("survey"), 0)
	if err != nil {
		s.fail(c, "surveys.get", err)
		return
	}
	c.JSON(http.StatusOK, d)
}
