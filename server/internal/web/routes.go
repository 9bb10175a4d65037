package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes registers every route. Middleware runs in the order written.
func (s *Server) routes() (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Client addresses are used only as keyed hashes by the limiters; no
	// proxy's headers are trusted for them unless configured.
	if err := r.SetTrustedProxies(s.trustedProxies); err != nil {
		return nil, fmt.Errorf("web.New: trusted proxies: %w", err)
	}
	r.HandleMethodNotAllowed = false
	r.RedirectTrailingSlash = false

	r.Use(s.recovery, s.accessLog, s.measure, securityHeaders, s.limitInFlight, limitBody, s.resolveLanguage, s.refuseOperatorParams, s.limitClients)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	api := r.Group("/api/v1")
	api.POST("/auth/tokens", s.createToken)
	// Public, but a staff token also shows its council's own surveys.
	api.GET("/surveys", s.optionalToken, s.listSurveys)
	api.GET("/surveys/:survey", s.optionalToken, s.getSurvey)
	api.POST("/waves/:wave/responses", s.postResponse)
	// One wildcard name per segment (a Gin rule): :id is the join code
	// here, the session's id under staff below.
	api.POST("/sessions/:id/votes", s.postVote)
	api.GET("/councils/:council/actions", s.publicActions)

	staff := api.Group("", s.requireToken)
	staff.DELETE("/auth/tokens", s.revokeToken)
	staff.POST("/councils", s.createCouncil)
	staff.POST("/councils/:council/users", s.createUser)
	staff.POST("/councils/:council/waves", s.createWave)
	staff.GET("/councils/:council/waves", s.listWaves)
	staff.POST("/waves/:wave/codes", s.createCodes)
	staff.POST("/waves/:wave/close", s.closeWave)
	staff.GET("/waves/:wave/texts", s.listTexts)
	staff.GET("/waves/:wave/results", s.getResults)
	staff.GET("/waves/:wave/results.csv", s.getResultsCSV)
	staff.GET("/waves/:wave/export.csv", s.exportCSV)
	staff.POST("/texts/:id", s.postTextDecision)
	staff.POST("/councils/:council/sessions", s.createSession)
	staff.GET("/councils/:council/sessions", s.listSessions)
	staff.GET("/sessions/:id/tally", s.getTally)
	staff.POST("/sessions/:id/close", s.closeSession)
	staff.POST("/councils/:council/actions", s.createAction)
	staff.GET("/actions/:id", s.getAction)
	staff.PATCH("/actions/:id", s.patchAction)
	staff.GET("/actions/:id/audit", s.getActionAudit)
	staff.POST("/actions/:id/updates", s.postActionUpdate)
	staff.POST("/actions/:id/verdicts", s.postVerdict)
	s.retentionRoutes(staff)
	s.accountRoutes(staff)
	s.surveyAuthoringRoutes(api, staff)
	s.translationRoutes(staff)
	s.audioAPIRoutes(staff)

	s.pageRoutes(r)

	r.NoRoute(func(c *gin.Context) {
		if isAPI(c) {
			s.fail(c, "noroute", errNotFound)
			return
		}
		s.errorPage(c, http.StatusNotFound)
	})
	return r, nil
}

// Routes lists every registered route (method, path template, handler):
// the security tests walk it so that no route goes unchecked.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }
