package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
)

// sessionCookie holds a staff member's sign-in token.
const sessionCookie = "yousaid_session"

// crossOrigin refuses cross-origin form posts (Sec-Fetch-Site, then Origin
// against Host): a hostile website cannot act with a signed-in staff
// member's cookie, nor post answers through a visitor's browser.
func (s *Server) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		s.errorPage(c, http.StatusForbidden)
		return
	}
	c.Next()
}

// secureRequest reports whether the request came over TLS, directly or
// through a proxy that says so; the session cookie is then Secure.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (s *Server) setSession(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secureRequest(c.Request), SameSite: http.SameSiteLaxMode,
	})
}

// requireSession authenticates a staff page by its cookie, sending anyone
// else to the sign-in page.
func (s *Server) requireSession(c *gin.Context) {
	cookie, err := c.Cookie(sessionCookie)
	if err == nil && cookie != "" {
		u, err := s.store.TokenUser(c.Request.Context(), cookie, store.TokenSession)
		if err == nil {
			c.Set(userKey, u)
			// A council_admin the platform requires two-step sign-in of
			// sets it up before anything else.
			need, err := s.totpSetupRequired(c.Request.Context(), u)
			if err != nil {
				s.pageError(c, "session", err)
				return
			}
			if need && !totpSetupPaths[c.FullPath()] {
				c.Redirect(http.StatusSeeOther, "/staff/account/totp")
				c.Abort()
				return
			}
			c.Next()
			return
		}
		if !errors.Is(err, store.ErrNotFound) {
			s.pageError(c, "session", err)
			return
		}
	}
	next := c.Request.URL.RequestURI()
	c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(next))
	c.Abort()
}

// staffBase is the Base of a staff page: the user and the staff menu.
func (s *Server) staffBase(c *gin.Context, titleID string, data ...any) page.Base {
	b := s.base(c, titleID, data...)
	u := currentUser(c)
	b.User = &page.StaffUser{Email: u.Email, Role: u.Role, Council: u.Council}
	l := s.localizer(c)
	home := "/staff"
	if u.Council != "" {
		home = "/staff/councils/" + u.Council
	}
	path := c.Request.URL.Path
	link := func(id, url string) page.NavLink {
		return page.NavLink{Label: l.T(id), URL: url, Current: path == url || strings.HasPrefix(path, url+"/")}
	}
	switch {
	case u.Council == "":
		b.Nav = []page.NavLink{link("CouncilsTitle", "/staff"), link("NavSettings", "/staff/settings")}
	case u.Role == store.RoleCoProducer:
		b.Nav = []page.NavLink{link("NavActions", home+"/actions")}
	default:
		b.Nav = []page.NavLink{
			{Label: l.T("NavCouncil"), URL: home, Current: path == home || strings.HasPrefix(path, "/staff/waves/")},
			link("NavSessions", home+"/sessions"),
			link("NavActions", home+"/actions"),
			link("NavAudit", home+"/audit"),
		}
		if u.Role == store.RoleCouncilAdmin {
			b.Nav = append(b.Nav, link("NavUsers", home+"/users"))
		}
	}
	if u.Role != store.RoleCoProducer {
		b.Nav = append(b.Nav, link("SurveysTitle", "/staff/surveys"))
	}
	b.Nav = append(b.Nav, link("NavLanguages", "/staff/languages"))
	if hasRole(u, store.RoleCouncilAdmin) {
		b.Nav = append(b.Nav, link("NavAudio", "/staff/audio"))
	}
	b.Nav = append(b.Nav, link("NavAccount", "/staff/account"))
	return b
}

// homePage is GET /.
type homePage struct {
	page.Base
	// Showcase is set only on a demonstration platform (-demo).
	Showcase *showcaseView
}

func (s *Server) home(c *gin.Context) {
	p := homePage{Base: s.base(c, "HomeTitle")}
	var err error
	if p.Showcase, err = s.showcase(c.Request.Context()); err != nil {
		s.pageError(c, "home", err)
		return
	}
	s.render(c, http.StatusOK, "home", p)
}

// signinPage is the staff sign-in form.
type signinPage struct {
	page.Base
	Email string
	Next  string
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/staff"
	}
	return next
}

func (s *Server) signinForm(c *gin.Context) {
	s.render(c, http.StatusOK, "signin", signinPage{Base: s.base(c, "SignInTitle"), Next: safeNext(c.Query("next"))})
}

func (s *Server) signin(c *gin.Context) {
	if c.PostForm("challenge") != "" {
		s.signinCode(c) // the second step: accounts_totp.go
		return
	}
	email, password := c.PostForm("email"), c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	attempt := s.startSignIn(c, email)
	if !attempt.allowed {
		wait := retryAfterSeconds(attempt.wait)
		p := signinPage{Base: s.base(c, "SignInTitle"), Email: email, Next: next}
		p.Errors = []page.FieldError{{ID: "email", Message: s.localizer(c).N("ErrorSignInThrottled", (wait+59)/60)}}
		c.Header("Retry-After", strconv.Itoa(wait))
		s.render(c, http.StatusTooManyRequests, "signin", p)
		return
	}
	u, err := s.checkCredentials(c, email, password)
	if errors.Is(err, errBadCredentials) {
		p := signinPage{Base: s.base(c, "SignInTitle"), Email: email, Next: next}
		p.Errors = []page.FieldError{{ID: "email", Message: s.localizer(c).T("ErrorInvalidCredentials")}}
		s.render(c, http.StatusUnauthorized, "signin", p)
		return
	}
	if err != nil {
		s.pageError(c, "signin", err)
		return
	}
	attempt.succeeded()
	if u.HasTOTP() {
		s.startSecondStep(c, u, next)
		return
	}
	token, _, err := s.store.CreateToken(c.Request.Context(), u.ID, store.TokenSession, s.tokenTTL)
	if err != nil {
		s.pageError(c, "signin", err)
		return
	}
	s.setSession(c, token, int(s.tokenTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) signout(c *gin.Context) {
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if err := s.store.RevokeToken(c.Request.Context(), cookie); err != nil {
			s.pageError(c, "signout", err)
			return
		}
	}
	s.setSession(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/signin")
}

// staffHome sends staff to their council, and a platform administrator to
// the list of councils.
func (s *Server) staffHome(c *gin.Context) {
	u := currentUser(c)
	if u.Role == store.RoleCoProducer {
		// A forum member's work is the action plan: the council page is staff's.
		c.Redirect(http.StatusSeeOther, "/staff/councils/"+u.Council+"/actions")
		return
	}
	if u.Council != "" {
		c.Redirect(http.StatusSeeOther, "/staff/councils/"+u.Council)
		return
	}
	councils, err := s.store.Councils(c.Request.Context())
	if err != nil {
		s.pageError(c, "staff.home", err)
		return
	}
	s.render(c, http.StatusOK, "councils", councilsPage{Base: s.staffBase(c, "CouncilsTitle"), Councils: councils})
}

type councilsPage struct {
	page.Base
	Councils []store.Council
}

// councilPage lists a council's waves, opens new ones and closes them.
type councilPage struct {
	page.Base
	Council    *store.Council
	Waves      []waveView
	Surveys    []surveyOption
	CanManage  bool   // council_admin and above: open, close, make codes
	FormName   string // the new-wave form, kept when shown again with errors
	FormSurvey string
	FormAccess string
}

type surveyOption struct {
	ID, Title string
}

func (s *Server) councilPageData(c *gin.Context, council *store.Council) (councilPage, error) {
	ctx := c.Request.Context()
	waves, err := s.store.CouncilWaves(ctx, council.Slug)
	if err != nil {
		return councilPage{}, err
	}
	defs, err := s.councilSurveys(ctx, council.Slug)
	if err != nil {
		return councilPage{}, err
	}
	p := councilPage{Base: s.staffBase(c, "CouncilTitle", "Council", council.Name), Council: council,
		CanManage: hasRole(currentUser(c), store.RoleCouncilAdmin), FormAccess: store.AccessOpen}
	for i := range waves {
		p.Waves = append(p.Waves, s.viewWave(&waves[i]))
	}
	lang := s.localizer(c).Tag()
	for _, d := range defs {
		title, _ := d.Title.In(lang)
		p.Surveys = append(p.Surveys, surveyOption{ID: d.ID, Title: title})
	}
	return p, nil
}

// staffCouncil loads the council of the URL for a staff page.
func (s *Server) staffCouncil(c *gin.Context, role string) (*store.Council, error) {
	slug := c.Param("council")
	if err := authorize(currentUser(c), slug, role); err != nil {
		return nil, err
	}
	return s.store.Council(c.Request.Context(), slug)
}

func (s *Server) councilHome(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.council", err)
		return
	}
	p, err := s.councilPageData(c, council)
	if err != nil {
		s.pageError(c, "staff.council", err)
		return
	}
	s.render(c, http.StatusOK, "council", p)
}

func (s *Server) councilOpenWave(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.openWave", err)
		return
	}
	in := waveInput{Survey: c.PostForm("survey"), Name: c.PostForm("name"), Access: c.PostForm("access")}
	_, err = s.openWave(c, council.Slug, in)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		p, perr := s.councilPageData(c, council)
		if perr != nil {
			s.pageError(c, "staff.openWave", perr)
			return
		}
		p.FormName, p.FormSurvey, p.FormAccess = in.Name, in.Survey, in.Access
		p.Errors = []page.FieldError{{ID: "wave-" + ae.Field, Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
		s.render(c, http.StatusUnprocessableEntity, "council", p)
		return
	}
	if err != nil {
		s.pageError(c, "staff.openWave", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/councils/"+council.Slug)
}

func (s *Server) councilCloseWave(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.closeWave", err)
		return
	}
	if _, err := s.store.CloseWave(c.Request.Context(), w.ID); err != nil {
		s.pageError(c, "staff.closeWave", err)
		return
	}
	s.forgetWave(w.ID)
	c.Redirect(http.StatusSeeOther, "/staff/councils/"+w.Council)
}

// codesPage shows freshly made codes as cut-out cards: the only time they
// exist in the clear.
type codesPage struct {
	page.Base
	Wave    waveView
	Codes   []string
	SiteURL string
}

func (s *Server) councilCodes(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.codes", err)
		return
	}
	count, err := strconv.Atoi(c.PostForm("count"))
	if err != nil {
		count = 0
	}
	codes, err := s.makeCodes(c, w, count)
	if err != nil {
		s.pageError(c, "staff.codes", err)
		return
	}
	scheme := "http"
	if secureRequest(c.Request) {
		scheme = "https"
	}
	s.render(c, http.StatusOK, "codes", codesPage{
		Base: s.staffBase(c, "CodesTitle", "Wave", w.Name), Wave: s.viewWave(w), Codes: codes,
		SiteURL: scheme + "://" + c.Request.Host + "/w/" + w.ID,
	})
}
