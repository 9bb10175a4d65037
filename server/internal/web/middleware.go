package web

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"yousaid/survey"
)

// MaxBodyBytes bounds every request body (the contract's 64 KiB).
const MaxBodyBytes = 64 << 10

// accessLog records what was asked and how it went: method, route
// template, status and duration. Never the client's address, user agent,
// query string, body or the concrete path (which can hold a join code).
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "(unmatched)"
	}
	s.logger.Info("request",
		"method", c.Request.Method,
		"route", route,
		"status", c.Writer.Status(),
		"duration_ms", time.Since(start).Milliseconds())
}

// recovery turns a panic into a plain 500 and logs the panic value and
// stack only: Gin's own Recovery dumps the request headers.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.Error("panic", "route", c.FullPath(), "value", fmt.Sprint(v), "stack", string(debug.Stack()))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			if isAPI(c) {
				s.fail(c, "panic", &apiError{Status: http.StatusInternalServerError, Code: "internal", MessageID: "ErrorInternal"})
				return
			}
			s.errorPage(c, http.StatusInternalServerError)
		}
	}()
	c.Next()
}

// contentSecurityPolicy allows nothing from other hosts and no inline
// script or style.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders go on every answer.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	c.Next()
}

// largeBodies are the routes (method and template) that take a file,
// and the most each may read instead of MaxBodyBytes.
var largeBodies = map[string]int64{
	clipAPIRoute:    survey.MaxClipBytes,
	clipUploadRoute: survey.MaxClipBytes + clipFormSlack,
}

// limitBody caps what any handler can read.
func limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		limit := int64(MaxBodyBytes)
		route := c.Request.Method + " " + c.FullPath()
		if surveyWriteRoutes[route] {
			limit = MaxSurveyBodyBytes
		}
		if n, ok := largeBodies[route]; ok {
			limit = n
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// isAPI tells JSON API requests from page requests.
func isAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// refuseOperatorParams answers 404 for a path parameter that no id, slug
// or code can hold: query-operator, path and quoting characters
// ($ . { } [ ] % \ " ' and spaces), control characters, or more than 200
// bytes. Every parameter becomes a
// plain string in a filter, which the driver never reads as an operator;
// this refuses such input at the door, so that a handler that one day
// builds a filter otherwise cannot be reached with it. Wildcards (a static
// file's name) are left to their handler.
func (s *Server) refuseOperatorParams(c *gin.Context) {
	for _, p := range c.Params {
		if strings.Contains(c.FullPath(), "/*"+p.Key) {
			continue // a wildcard: a file's name, which its handler checks
		}
		if len(p.Value) > 200 || strings.ContainsAny(p.Value, "$.{}[]%\\\"' ") || strings.IndexFunc(p.Value, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			if isAPI(c) {
				s.fail(c, "params", errNotFound)
				return
			}
			s.errorPage(c, http.StatusNotFound)
			return
		}
	}
	c.Next()
}
