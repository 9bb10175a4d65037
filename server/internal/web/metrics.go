package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/metrics"
	"yousaid/server/internal/store"
)

// measure counts and times every request by method, route template and
// status, and keeps the count of requests in flight. Like accessLog, it
// never sees the concrete path, which can hold a join code.
func (s *Server) measure(c *gin.Context) {
	done := s.metrics.StartRequest()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = metrics.Unmatched
	}
	done(c.Request.Method, route, c.Writer.Status())
}

// countResponse records how a survey response ended: accepted when err is
// nil, else refused for the reason refusal names.
func (s *Server) countResponse(channel string, err error) {
	// A form sent again with changed answers (idempotency_mismatch) is
	// refused: its first sending was stored, and counted, already.
	if err == nil {
		s.metrics.ResponseAccepted(channel)
		return
	}
	s.metrics.ResponseRefused(channel, refusal(err))
}

// countVote records how a forum vote ended, as countResponse does.
func (s *Server) countVote(channel string, err error) {
	if err == nil {
		s.metrics.VoteAccepted(channel)
		return
	}
	s.metrics.VoteRefused(channel, refusal(err))
}

// refusal names why a submission was refused: the contract's error code,
// with every 400 (an answer, a field or the JSON at fault) counted as
// validation, so that the label takes only the few values the code
// defines.
func refusal(err error) string {
	var ae *apiError
	switch {
	case errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusUnprocessableEntity):
		return "validation"
	case errors.As(err, &ae):
		return ae.Code
	case errors.Is(err, store.ErrNotFound):
		return errNotFound.Code
	case errors.Is(err, context.Canceled):
		return "client_gone"
	default:
		return errUnavailable.Code
	}
}

// errFormInvalid stands for a form sent back with field errors (422), for
// counting only.
var errFormInvalid = &apiError{Status: http.StatusUnprocessableEntity, Code: "validation"}

// countRefusedEarly counts a response or vote refused before its handler
// ran (by the per-client limit).
func (s *Server) countRefusedEarly(c *gin.Context, err error) {
	switch c.Request.Method + " " + c.FullPath() {
	case "POST /api/v1/waves/:wave/responses":
		s.countResponse(metrics.ChannelAPI, err)
	case "POST /w/:wave":
		s.countResponse(metrics.ChannelForm, err)
	case "POST /api/v1/sessions/:id/votes":
		s.countVote(metrics.ChannelAPI, err)
	case "POST /j/:code":
		s.countVote(metrics.ChannelForm, err)
	}
}
