package web

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
)

const localizerKey = "yousaid.localizer"

// pageNames are the pages the server renders; New fails without them.
var pageNames = []string{"error", "home", "signin", "councils", "council", "codes", "texts", "results", "languages", "survey", "thanks",
	"session-vote", "session-thanks", "sessions", "session-present", "actions", "action", "audit", "public-council",
	"survey-list", "survey-editor", "survey-question", "survey-translate", "survey-delete", "survey-diff",
	"retention", "translation",
	"users", "invite", "account", "settings", "totp", "recovery-codes", "signin-code",
	"audio-surveys", "audio", "audio-clip"}

// pageRoutes registers the HTML pages.
func (s *Server) pageRoutes(r *gin.Engine) {
	r.GET("/static/*file", s.static)
	r.GET("/", s.home)
	r.GET("/signin", s.signinForm)
	r.POST("/signin", s.crossOrigin, s.signin)
	r.POST("/signout", s.crossOrigin, s.signout)
	r.GET("/w/:wave", s.surveyForm)
	r.POST("/w/:wave", s.crossOrigin, s.surveySubmit)
	r.GET("/w/:wave/thanks", s.surveyThanks)

	r.GET("/j/:code", s.voteForm)
	r.POST("/j/:code", s.crossOrigin, s.voteSubmit)
	r.GET("/j/:code/thanks", s.voteThanks)
	r.GET("/c/:council", s.publicCouncil)
	r.GET("/c/:council/feed.atom", s.councilFeed)

	staff := r.Group("/staff", s.requireSession)
	staff.GET("", s.staffHome)
	staff.GET("/councils/:council", s.councilHome)
	staff.POST("/councils/:council/waves", s.crossOrigin, s.councilOpenWave)
	staff.POST("/waves/:wave/close", s.crossOrigin, s.councilCloseWave)
	staff.POST("/waves/:wave/codes", s.crossOrigin, s.councilCodes)
	staff.GET("/waves/:wave/texts", s.textsPageHandler)
	staff.GET("/waves/:wave", s.resultsPageHandler)
	staff.GET("/languages", s.languagesPageHandler)
	s.translationPages(staff)
	staff.POST("/texts/:id", s.crossOrigin, s.textsDecideForm)
	staff.GET("/councils/:council/sessions", s.sessionsList)
	staff.POST("/councils/:council/sessions", s.crossOrigin, s.sessionsCreate)
	staff.GET("/sessions/:id/present", s.presentScreen)
	staff.GET("/sessions/:id/events", s.sessionEvents)
	staff.POST("/sessions/:id/close", s.crossOrigin, s.sessionsClose)
	staff.GET("/councils/:council/actions", s.actionsBoard)
	staff.POST("/councils/:council/actions", s.crossOrigin, s.actionsCreateForm)
	staff.GET("/councils/:council/audit", s.councilAudit)
	staff.GET("/actions/:id", s.actionItemPage)
	staff.POST("/actions/:id", s.crossOrigin, s.actionEditForm)
	staff.POST("/actions/:id/status", s.crossOrigin, s.actionStatusForm)
	staff.POST("/actions/:id/updates", s.crossOrigin, s.actionUpdateForm)
	staff.POST("/actions/:id/publish", s.crossOrigin, s.actionPublishForm)
	staff.POST("/actions/:id/verdicts", s.crossOrigin, s.actionVerdictForm)
	s.surveyEditorRoutes(staff)
	s.retentionPageRoutes(staff)
	s.accountPageRoutes(r, staff)
	s.audioPageRoutes(r, staff)
}

// resolveLanguage gives the request its localizer: ?lang, then a form's
// lang field, then Accept-Language, among every interface language. Pages
// that offer fewer languages (a survey, a council's page) resolve again
// among theirs.
//
// Our forms post to URLs without ?lang and carry the page's language in
// a hidden lang field, so that a form shown again with its errors, or the
// page a 303 leads to, stays in the language the person chose rather than
// falling back to the browser's.
func (s *Server) resolveLanguage(c *gin.Context) {
	tag := s.locale.Resolve([]string{c.Query("lang"), s.formLang(c)}, c.GetHeader("Accept-Language"), s.allLanguages())
	c.Set(localizerKey, s.locale.Localizer(tag))
	c.Next()
}

// formErrKey holds the error of parsing a page's form in formLang, for
// postedForm to answer: a body can be read only once.
const formErrKey = "yousaid.formErr"

// formLang is the lang field of a page's URL-encoded form post, or "".
// The API speaks JSON, and a multipart upload is left to its handler,
// which bounds it itself.
func (s *Server) formLang(c *gin.Context) string {
	if c.Request.Method != http.MethodPost || isAPI(c) {
		return ""
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return ""
	}
	if err := c.Request.ParseForm(); err != nil {
		c.Set(formErrKey, err)
		return ""
	}
	return c.Request.PostForm.Get("lang")
}

// useLanguage re-resolves the request's language among allowed and makes
// it the request's localizer.
func (s *Server) useLanguage(c *gin.Context, allowed []string, explicit ...string) *locale.Localizer {
	tag := s.locale.Resolve(append([]string{c.Query("lang")}, explicit...), c.GetHeader("Accept-Language"), allowed)
	l := s.locale.Localizer(tag)
	c.Set(localizerKey, l)
	return l
}

func (s *Server) allLanguages() []string {
	var tags []string
	for _, l := range locale.Supported() {
		tags = append(tags, l.Tag)
	}
	return tags
}

func (s *Server) localizer(c *gin.Context) *locale.Localizer {
	if l, ok := c.Get(localizerKey); ok {
		return l.(*locale.Localizer)
	}
	return s.locale.Localizer("en")
}

// base starts a page's view model in the request's language.
func (s *Server) base(c *gin.Context, titleID string, data ...any) page.Base {
	l := s.localizer(c)
	b := s.pages.NewBase(l, l.T(titleID, data...))
	b.Languages = page.LanguageLinks(c.Request.URL, l.Tag(), s.allLanguages())
	return b
}

// render writes a whole page, or the error page if rendering fails.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.Render(&buf, name, data); err != nil {
		s.logger.Error("render failed", "page", name, "err", err)
		if name != "error" {
			s.errorPage(c, http.StatusInternalServerError)
		}
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Vary", "Accept-Encoding, Accept-Language")
	body := buf.Bytes()
	if len(body) > 1024 && acceptsGzip(c.Request) {
		c.Header("Content-Encoding", "gzip")
		body = gzipBytes(body)
	}
	c.Data(status, "text/html; charset=utf-8", body)
	c.Abort()
}

// errorPage is the one error path of the pages.
func (s *Server) errorPage(c *gin.Context, status int) {
	s.errorPageSaying(c, status, "")
}

// errorPageSaying is errorPage with text (already localized; "" the
// status's own) saying what went wrong when the status alone would not.
func (s *Server) errorPageSaying(c *gin.Context, status int, text string) {
	p := s.pages.NewErrorPage(s.localizer(c), status)
	if text != "" {
		p.Text = text
	}
	p.Languages = page.LanguageLinks(c.Request.URL, p.Lang, s.allLanguages())
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		c.Header("Retry-After", "5")
	}
	s.render(c, status, "error", p)
}

// postedForm reads a page's URL-encoded form post, answering the error
// page itself (415, 413 or 400) when it cannot; ok is false then.
func (s *Server) postedForm(c *gin.Context) (form url.Values, ok bool) {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.errorPage(c, http.StatusUnsupportedMediaType)
		return nil, false
	}
	err := c.Request.ParseForm()
	if early, ok := c.Get(formErrKey); ok {
		// resolveLanguage read the body first; ParseForm does not repeat
		// its error.
		err = early.(error)
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.errorPage(c, http.StatusRequestEntityTooLarge)
		} else {
			s.errorPage(c, http.StatusBadRequest)
		}
		return nil, false
	}
	return c.Request.PostForm, true
}

// pageError answers a page request that failed: a known status for
// domain errors, 503 for the store.
func (s *Server) pageError(c *gin.Context, op string, err error) {
	var ae *apiError
	switch {
	case asAPIError(err, &ae):
		s.errorPage(c, ae.Status)
	case isNotFound(err):
		s.errorPage(c, http.StatusNotFound)
	default:
		s.logger.Error("page failed", "op", op, "err", err)
		s.errorPage(c, http.StatusServiceUnavailable)
	}
}
