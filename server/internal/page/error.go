package page

import (
	"net/http"

	"yousaid/server/internal/locale"
)

// ErrorPage is the view model of the page "error": a plain title, one
// sentence saying what to do, a link home and the status code in small print.
type ErrorPage struct {
	Base
	Status int    // HTTP status code, e.g. 404
	Text   string // localized sentence
}

// errorMessages maps the statuses with wording of their own to their
// title and text message IDs in locales/active.en.toml.
var errorMessages = map[int][2]string{
	http.StatusBadRequest:            {"Error400Title", "Error400Text"},
	http.StatusForbidden:             {"Error403Title", "Error403Text"},
	http.StatusNotFound:              {"Error404Title", "Error404Text"},
	http.StatusGone:                  {"Error410Title", "Error410Text"},
	http.StatusRequestEntityTooLarge: {"Error413Title", "Error413Text"},
	http.StatusUnprocessableEntity:   {"Error422Title", "Error422Text"},
	http.StatusTooManyRequests:       {"Error429Title", "Error429Text"},
	http.StatusInternalServerError:   {"Error500Title", "Error500Text"},
	http.StatusServiceUnavailable:    {"Error503Title", "Error503Text"},
}

// ErrorMessageIDs returns the title and text message IDs for status. A
// status without wording of its own borrows its class's: 401 takes 403's,
// any other 4xx takes 400's, and everything else takes 500's.
func ErrorMessageIDs(status int) (title, text string) {
	if m, ok := errorMessages[status]; ok {
		return m[0], m[1]
	}
	switch {
	case status == http.StatusUnauthorized:
		status = http.StatusForbidden
	case status >= 400 && status < 500:
		status = http.StatusBadRequest
	default:
		status = http.StatusInternalServerError
	}
	m := errorMessages[status]
	return m[0], m[1]
}

// NewErrorPage returns the error page for status in l's language. The caller
// may add Languages (and User on staff pages) before rendering it as "error".
func (r *Renderer) NewErrorPage(l *locale.Localizer, status int) ErrorPage {
	title, text := ErrorMessageIDs(status)
	return ErrorPage{
		Base:   r.NewBase(l, l.T(title)),
		Status: status,
		Text:   l.T(text),
	}
}
