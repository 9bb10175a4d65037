package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes registers every route. Middleware runs in the order written.
func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Client addresses are never used; trust no proxy headers for them.
	_ = r.SetTrustedProxies(nil)
	r.HandleMethodNotAllowed = false
	r.RedirectTrailingSlash = false

	r.Use(s.recovery, s.accessLog, securityHeaders, limitBody, s.resolveLanguage)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	api := r.Group("/api/v1")
	api.POST("/auth/tokens", s.createToken)
	api.GET("/surveys", s.listSurveys)
	api.GET("/surveys/:survey", s.getSurvey)
	api.POST("/waves/:wave/responses", s.postResponse)

	staff := api.Group("", s.requireToken)
	staff.DELETE("/auth/tokens", s.revokeToken)
	staff.POST("/councils", s.createCouncil)
	staff.POST("/councils/:council/users", s.createUser)
	staff.POST("/councils/:council/waves", s.createWave)
	staff.GET("/councils/:council/waves", s.listWaves)
	staff.POST("/waves/:wave/codes", s.createCodes)
	staff.POST("/waves/:wave/close", s.closeWave)
	staff.GET("/waves/:wave/texts", s.listTexts)
	staff.POST("/texts/:id", s.postTextDecision)

	s.pageRoutes(r)

	r.NoRoute(func(c *gin.Context) {
		if isAPI(c) {
			s.fail(c, "noroute", errNotFound)
			return
		}
		s.errorPage(c, http.StatusNotFound)
	})
	return r
}
