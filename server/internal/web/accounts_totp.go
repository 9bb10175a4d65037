package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
)

// Two-step sign-in with time-based one-time passwords (RFC 6238): the
// usual authenticator-app settings (SHA-1, 6 digits, 30-second steps).
const (
	totpPeriod = 30
	totpIssuer = "yousaid"
	// challengeTTL is how long the second sign-in step waits for its code.
	challengeTTL = 5 * time.Minute
)

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Errors of the second sign-in step; the API answers them on
// POST /api/v1/auth/tokens with the field "totp".
var (
	errTOTPRequired      = &apiError{Status: http.StatusUnauthorized, Code: "totp_required", MessageID: "ErrorTOTPRequired", Field: "totp"}
	errTOTPInvalid       = &apiError{Status: http.StatusUnauthorized, Code: "totp_invalid", MessageID: "ErrorTOTPInvalid", Field: "totp"}
	errTOTPReplayed      = &apiError{Status: http.StatusUnauthorized, Code: "totp_replayed", MessageID: "ErrorTOTPReplayed", Field: "totp"}
	errTOTPSetupRequired = &apiError{Status: http.StatusForbidden, Code: "totp_setup_required", MessageID: "ErrorTOTPSetupRequired"}
)

func (s *Server) totpRoutes(staffPages *gin.RouterGroup) {
	staffPages.GET("/account/totp", s.totpPageHandler)
	staffPages.POST("/account/totp", s.crossOrigin, s.totpStart)
	staffPages.POST("/account/totp/confirm", s.crossOrigin, s.totpConfirm)
	staffPages.POST("/account/totp/disable", s.crossOrigin, s.totpDisable)
	staffPages.POST("/account/recovery-codes", s.crossOrigin, s.recoveryCodesRenew)
}

// totpSetupPaths are the only staff pages a council_admin who must set up
// two-step sign-in can reach before they have.
var totpSetupPaths = map[string]bool{
	"/staff/account/totp":         true,
	"/staff/account/totp/confirm": true,
}

// compactCode drops the spaces and dashes people type into codes.
func compactCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}

func isSixDigits(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// totpStep finds the time step, of now's and the one either side (for a
// phone's clock a little off), whose code is code. ok is false when none.
func totpStep(secret, code string, now time.Time) (step uint64, ok bool) {
	code = compactCode(code)
	if !isSixDigits(code) || now.Unix() < totpPeriod {
		return 0, false
	}
	current := uint64(now.Unix()) / totpPeriod
	for _, st := range []uint64{current, current - 1, current + 1} {
		want, err := hotp.GenerateCodeCustom(secret, st, totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

// checkSecondFactor accepts u's TOTP code, each time step's once, or one
// of u's recovery codes, each once.
func (s *Server) checkSecondFactor(ctx context.Context, u *store.User, code string) error {
	code = compactCode(code)
	if code == "" {
		return errTOTPRequired
	}
	if isSixDigits(code) {
		secret, err := s.openTOTP(u.ID, u.TOTPSecret)
		if err != nil {
			// Fail closed: the person sees a wrong code, the operator why.
			s.logUnopened("auth.secondFactor", u.ID, u.TOTPSecret, err)
			return errTOTPInvalid
		}
		step, ok := totpStep(secret, code, s.now())
		if !ok {
			return errTOTPInvalid
		}
		err = s.store.SpendTOTPStep(ctx, u.ID, step)
		if errors.Is(err, store.ErrTOTPReplayed) {
			return errTOTPReplayed
		}
		return err
	}
	err := s.store.SpendRecoveryCode(ctx, u.ID, code)
	if errors.Is(err, store.ErrRecoveryCodeInvalid) {
		return errTOTPInvalid
	}
	if err != nil {
		return err
	}
	return s.audit(ctx, u, u.Council, "recovery_code.used", u.ID, map[string]string{"email": u.Email})
}

// totpSetupRequired reports whether u must set up two-step sign-in before
// anything else: a council_admin without it while the platform requires
// it.
func (s *Server) totpSetupRequired(ctx context.Context, u *store.User) (bool, error) {
	if u.Role != store.RoleCouncilAdmin || u.HasTOTP() {
		return false, nil
	}
	ps, err := s.store.PlatformSettings(ctx)
	return ps.RequireTOTPForCouncilAdmins, err
}

// signinCodePage is the second sign-in step: the code from the app.
type signinCodePage struct {
	page.Base
	Challenge string
	Next      string
}

// startSecondStep answers a right password of a user with two-step
// sign-in: the code form, carrying a short-lived challenge token that
// proves the password and opens nothing else.
func (s *Server) startSecondStep(c *gin.Context, u *store.User, next string) {
	challenge, _, err := s.store.CreateToken(c.Request.Context(), u.ID, store.TokenChallenge, challengeTTL)
	if err != nil {
		s.pageError(c, "signin.challenge", err)
		return
	}
	s.render(c, http.StatusOK, "signin-code", signinCodePage{Base: s.base(c, "SignInCodeTitle"), Challenge: challenge, Next: next})
}

// signinCode is the second step of POST /signin: the form carries the
// challenge and the code. Throttled as sign-ins are, on the user's email.
func (s *Server) signinCode(c *gin.Context) {
	ctx := c.Request.Context()
	challenge, next := c.PostForm("challenge"), safeNext(c.PostForm("next"))
	u, err := s.store.TokenUser(ctx, challenge, store.TokenChallenge)
	if errors.Is(err, store.ErrNotFound) {
		p := signinPage{Base: s.base(c, "SignInTitle"), Next: next}
		p.Errors = []page.FieldError{{ID: "email", Message: s.localizer(c).T("ErrorSignInStepExpired")}}
		s.render(c, http.StatusUnauthorized, "signin", p)
		return
	}
	if err != nil {
		s.pageError(c, "signin.code", err)
		return
	}
	again := func(status int, message string) {
		p := signinCodePage{Base: s.base(c, "SignInCodeTitle"), Challenge: challenge, Next: next}
		p.Errors = []page.FieldError{{ID: "code", Message: message}}
		s.render(c, status, "signin-code", p)
	}
	attempt := s.startSignIn(c, u.Email)
	if !attempt.allowed {
		wait := retryAfterSeconds(attempt.wait)
		c.Header("Retry-After", strconv.Itoa(wait))
		again(http.StatusTooManyRequests, s.localizer(c).N("ErrorSignInThrottled", (wait+59)/60))
		return
	}
	err = s.checkSecondFactor(ctx, u, c.PostForm("code"))
	var ae *apiError
	if errors.As(err, &ae) {
		again(ae.Status, s.localizer(c).T(ae.MessageID))
		return
	}
	if err != nil {
		s.pageError(c, "signin.code", err)
		return
	}
	attempt.succeeded()
	if err := s.store.RevokeToken(ctx, challenge); err != nil {
		s.pageError(c, "signin.code", err)
		return
	}
	token, _, err := s.store.CreateToken(ctx, u.ID, store.TokenSession, s.tokenTTL)
	if err != nil {
		s.pageError(c, "signin.code", err)
		return
	}
	s.setSession(c, token, int(s.tokenTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, next)
}

// totpPage sets up or manages two-step sign-in.
type totpPage struct {
	page.Base
	Enabled bool
	// Required: the platform requires it of this account and it is not
	// set up yet.
	Required bool
	// Secret (in groups of four) and QR are shown while setting up.
	Secret       string
	QR           qrCode
	RecoveryLeft int64
	// MayDisable is false when the platform requires it of this account.
	MayDisable bool
	// NoKey: it cannot be set up, as the platform has no SECRET_KEY to
	// seal the secret with.
	NoKey bool
}

func groupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Server) totpPageData(c *gin.Context) (totpPage, error) {
	u := currentUser(c)
	ctx := c.Request.Context()
	p := totpPage{Base: s.staffBase(c, "TOTPTitle"), Enabled: u.HasTOTP()}
	required := u.Role == store.RoleCouncilAdmin
	if required {
		ps, err := s.store.PlatformSettings(ctx)
		if err != nil {
			return p, err
		}
		required = ps.RequireTOTPForCouncilAdmins
	}
	p.Required, p.MayDisable = required && !u.HasTOTP(), !required
	p.NoKey = s.secrets == nil && !u.HasTOTP()
	if u.HasTOTP() {
		n, err := s.store.RecoveryCodesLeft(ctx, u.ID)
		if err != nil {
			return p, err
		}
		p.RecoveryLeft = n
		return p, nil
	}
	if u.TOTPPending != "" && !p.NoKey {
		secret, err := s.openTOTP(u.ID, u.TOTPPending)
		if err != nil {
			// Offer a fresh start rather than a secret that cannot work.
			s.logUnopened("staff.totp", u.ID, u.TOTPPending, err)
			return p, nil
		}
		qr, err := makeQR(keyURI(u.Email, secret))
		if err != nil {
			return p, err
		}
		p.Secret, p.QR = groupSecret(secret), qr
	}
	return p, nil
}

// keyURI is the otpauth:// URI of a secret, as authenticator apps read it
// (https://github.com/google/google-authenticator/wiki/Key-Uri-Format).
func keyURI(email, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", strconv.Itoa(totpPeriod))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + email, RawQuery: v.Encode()}
	return u.String()
}

// totpPageHandler is GET /staff/account/totp.
func (s *Server) totpPageHandler(c *gin.Context) {
	p, err := s.totpPageData(c)
	if err != nil {
		s.pageError(c, "staff.totp", err)
		return
	}
	s.render(c, http.StatusOK, "totp", p)
}

// totpNoKey answers a set-up step on a platform without SECRET_KEY: the
// page says to ask the operator, rather than storing a secret in the
// clear.
func (s *Server) totpNoKey(c *gin.Context, op string) {
	p, err := s.totpPageData(c)
	if err != nil {
		s.pageError(c, op, err)
		return
	}
	s.render(c, http.StatusServiceUnavailable, "totp", p)
}

// totpStart is POST /staff/account/totp: a new secret to set up, kept
// (sealed) until its first code confirms it.
func (s *Server) totpStart(c *gin.Context) {
	u := currentUser(c)
	if !u.HasTOTP() {
		if s.secrets == nil {
			s.totpNoKey(c, "staff.totpStart")
			return
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Email, Period: totpPeriod})
		var sealed string
		if err == nil {
			sealed, err = s.sealTOTP(u.ID, key.Secret())
		}
		if err == nil {
			err = s.store.SetTOTPPending(c.Request.Context(), u.ID, sealed)
		}
		if err != nil {
			s.pageError(c, "staff.totpStart", err)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/staff/account/totp")
}

// recoveryCodesPage shows new recovery codes: the only time they exist in
// the clear.
type recoveryCodesPage struct {
	page.Base
	Codes []string
}

// totpConfirm is POST /staff/account/totp/confirm: the first code from
// the app turns two-step sign-in on and makes the recovery codes.
func (s *Server) totpConfirm(c *gin.Context) {
	u := currentUser(c)
	ctx := c.Request.Context()
	if u.HasTOTP() || u.TOTPPending == "" {
		c.Redirect(http.StatusSeeOther, "/staff/account/totp")
		return
	}
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	if s.secrets == nil {
		s.totpNoKey(c, "staff.totpConfirm")
		return
	}
	pending, err := s.openTOTP(u.ID, u.TOTPPending)
	if err != nil {
		// The page offers a fresh start (totpPageData).
		c.Redirect(http.StatusSeeOther, "/staff/account/totp")
		return
	}
	step, ok := totpStep(pending, form.Get("code"), s.now())
	if ok {
		// Spent here, so the code that confirmed cannot also sign in.
		err = s.store.SpendTOTPStep(ctx, u.ID, step)
		ok = !errors.Is(err, store.ErrTOTPReplayed)
		if ok && err != nil {
			s.pageError(c, "staff.totpConfirm", err)
			return
		}
	}
	if !ok {
		p, perr := s.totpPageData(c)
		if perr != nil {
			s.pageError(c, "staff.totpConfirm", perr)
			return
		}
		p.Errors = []page.FieldError{{ID: "code", Message: s.localizer(c).T("ErrorTOTPInvalid")}}
		s.render(c, http.StatusUnprocessableEntity, "totp", p)
		return
	}
	// Sealed afresh: a pending secret stored in the clear before sealing
	// existed is sealed now too.
	sealed, err := s.sealTOTP(u.ID, pending)
	if err == nil {
		err = s.store.EnableTOTP(ctx, u.ID, sealed)
	}
	if err != nil {
		s.pageError(c, "staff.totpConfirm", err)
		return
	}
	s.showNewRecoveryCodes(c, u, "totp.enabled", "staff.totpConfirm")
}

// totpFormError shows the two-step page again with a problem.
func (s *Server) totpFormError(c *gin.Context, op, field string, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		s.pageError(c, op, err)
		return
	}
	p, perr := s.totpPageData(c)
	if perr != nil {
		s.pageError(c, op, perr)
		return
	}
	p.Errors = []page.FieldError{{ID: field, Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
	status := http.StatusUnprocessableEntity
	if ae.Status == http.StatusTooManyRequests {
		status = ae.Status
		c.Header("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	s.render(c, status, "totp", p)
}

// totpDisable is POST /staff/account/totp/disable (with the password);
// refused while the platform requires two-step sign-in of the account.
func (s *Server) totpDisable(c *gin.Context) {
	u := currentUser(c)
	ctx := c.Request.Context()
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	if !u.HasTOTP() {
		c.Redirect(http.StatusSeeOther, "/staff/account/totp")
		return
	}
	if u.Role == store.RoleCouncilAdmin {
		ps, err := s.store.PlatformSettings(ctx)
		if err != nil {
			s.pageError(c, "staff.totpDisable", err)
			return
		}
		if ps.RequireTOTPForCouncilAdmins {
			s.errorPage(c, http.StatusForbidden)
			return
		}
	}
	if err := s.checkOwnPassword(c, form.Get("password"), "disable-password"); err != nil {
		s.totpFormError(c, "staff.totpDisable", "disable-password", err)
		return
	}
	err := s.store.DisableTOTP(ctx, u.ID)
	if err == nil {
		err = s.store.DeleteRecoveryCodes(ctx, u.ID)
	}
	if err == nil {
		err = s.audit(ctx, u, u.Council, "totp.disabled", u.ID, map[string]string{"email": u.Email})
	}
	if err != nil {
		s.pageError(c, "staff.totpDisable", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/account/totp")
}

// recoveryCodesRenew is POST /staff/account/recovery-codes (with the
// password): ten new codes; the old ones stop working.
func (s *Server) recoveryCodesRenew(c *gin.Context) {
	u := currentUser(c)
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	if !u.HasTOTP() {
		c.Redirect(http.StatusSeeOther, "/staff/account/totp")
		return
	}
	if err := s.checkOwnPassword(c, form.Get("password"), "renew-password"); err != nil {
		s.totpFormError(c, "staff.recoveryCodes", "renew-password", err)
		return
	}
	s.showNewRecoveryCodes(c, u, "recovery_codes.renewed", "staff.recoveryCodes")
}

// showNewRecoveryCodes replaces u's recovery codes, records why (action),
// and shows the new ones: the only time they are ever shown.
func (s *Server) showNewRecoveryCodes(c *gin.Context, u *store.User, action, op string) {
	ctx := c.Request.Context()
	codes, err := s.store.ReplaceRecoveryCodes(ctx, u.ID)
	if err == nil {
		err = s.audit(ctx, u, u.Council, action, u.ID, map[string]string{"email": u.Email})
	}
	if err != nil {
		s.pageError(c, op, err)
		return
	}
	s.render(c, http.StatusOK, "recovery-codes", recoveryCodesPage{Base: s.staffBase(c, "RecoveryCodesTitle"), Codes: codes})
}
