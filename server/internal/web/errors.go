package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// apiError is a failure a person can act on, in the contract's shape:
// {"error": {"code", "message", "field"}}. Message holds a go-i18n message
// id; it is translated into the request's language when written.
type apiError struct {
	Status     int
	Code       string
	MessageID  string
	Field      string
	Data       map[string]any
	RetryAfter int // seconds; set for 429 and 503
	// Rule, when set, is a survey rule's sentence for Data's "Problem".
	Rule *ruleSentence
	// Fields lists every field at fault when there are several.
	Fields []fieldProblem
}

// fieldProblem is one answer at fault, with its message's data.
type fieldProblem struct {
	Code, MessageID, Field string
	Data                   map[string]any
	Rule                   *ruleSentence // as apiError.Rule
}

// message is e's sentence in l's language.
func (e *apiError) message(l *locale.Localizer) string {
	return localizeWith(l, e.MessageID, e.Data, e.Rule)
}

// message is p's sentence in l's language.
func (p fieldProblem) message(l *locale.Localizer) string {
	return localizeWith(l, p.MessageID, p.Data, p.Rule)
}

func (e *apiError) Error() string { return e.Code }

// Errors the handlers share.
var (
	errNotFound       = &apiError{Status: http.StatusNotFound, Code: "not_found", MessageID: "ErrorNotFound"}
	errUnauthorized   = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", MessageID: "ErrorUnauthorized"}
	errForbidden      = &apiError{Status: http.StatusForbidden, Code: "forbidden", MessageID: "ErrorForbidden"}
	errNotJSON        = &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", MessageID: "ErrorNotJSON"}
	errBodyTooLarge   = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", MessageID: "ErrorBodyTooLarge"}
	errInvalidJSON    = &apiError{Status: http.StatusBadRequest, Code: "invalid_json", MessageID: "ErrorInvalidJSON"}
	errUnavailable    = &apiError{Status: http.StatusServiceUnavailable, Code: "store_unavailable", MessageID: "ErrorStoreUnavailable", RetryAfter: 5}
	errWaveClosed     = &apiError{Status: http.StatusGone, Code: "wave_closed", MessageID: "ErrorWaveClosed"}
	errCodeInvalid    = &apiError{Status: http.StatusForbidden, Code: "code_invalid", MessageID: "ErrorCodeInvalid", Field: "code"}
	errIdemMismatch   = &apiError{Status: http.StatusConflict, Code: "idempotency_mismatch", MessageID: "ErrorIdempotencyMismatch", Field: "Idempotency-Key"}
	errBadCredentials = &apiError{Status: http.StatusUnauthorized, Code: "invalid_credentials", MessageID: "ErrorInvalidCredentials"}
)

// invalid is a 400 about one field.
func invalid(code, messageID, field string, data map[string]any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, MessageID: messageID, Field: field, Data: data}
}

// conflict is a 409 about one field.
func conflict(code, messageID, field string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: code, MessageID: messageID, Field: field}
}

// fieldErrors turns survey validation failures into a 400 naming the first
// field at fault, with every one listed.
func fieldErrors(def *survey.Definition, errs survey.FieldErrors) *apiError {
	problems := make([]fieldProblem, len(errs))
	for i, fe := range errs {
		problems[i] = fieldProblem{Code: fe.Code, MessageID: fe.MessageID, Field: fe.Field, Data: fe.TemplateData(def)}
	}
	first := problems[0]
	return &apiError{Status: http.StatusBadRequest, Code: first.Code, MessageID: first.MessageID, Field: first.Field, Data: first.Data, Fields: problems}
}

type errorBody struct {
	Error  errorDetail   `json:"error"`
	Errors []errorDetail `json:"errors,omitempty"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// fail is the one error path of the JSON API. Domain failures are written
// as they are; anything else is logged and, since every such failure comes
// from the store, answered 503 with Retry-After: never a false success, and
// never the internal error's text.
func (s *Server) fail(c *gin.Context, op string, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, store.ErrNotFound):
		ae = errNotFound
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		c.Abort()
		return
	default:
		s.logger.Error("request failed", "op", op, "err", err)
		ae = errUnavailable
	}
	l := s.localizer(c)
	body := errorBody{Error: errorDetail{Code: ae.Code, Message: ae.message(l), Field: ae.Field}}
	if len(ae.Fields) > 1 {
		for _, fe := range ae.Fields {
			body.Errors = append(body.Errors, errorDetail{Code: fe.Code, Message: fe.message(l), Field: fe.Field})
		}
	}
	if ae.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	c.AbortWithStatusJSON(ae.Status, body)
}

func asAPIError(err error, target **apiError) bool { return errors.As(err, target) }

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
