package web

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
)

// accountRoutes registers staff accounts: invitations, roles,
// deactivation, passwords, two-step sign-in (accounts_totp.go) and the
// platform settings.
func (s *Server) accountRoutes(staffAPI *gin.RouterGroup) {
	staffAPI.GET("/councils/:council/users", s.listUsersAPI)
	staffAPI.POST("/councils/:council/invitations", s.createInvitationAPI)
	staffAPI.PATCH("/councils/:council/users/:user", s.patchUserAPI)
	staffAPI.PUT("/auth/password", s.changePasswordAPI)
	staffAPI.GET("/settings", s.getSettingsAPI)
	staffAPI.PUT("/settings", s.putSettingsAPI)
}

// accountPageRoutes registers the account pages: the invitation link
// (public) and the staff pages.
func (s *Server) accountPageRoutes(r *gin.Engine, staffPages *gin.RouterGroup) {
	r.GET("/invite/:token", s.invitationForm)
	r.POST("/invite/:token", s.crossOrigin, s.invitationAccept)

	staffPages.GET("/councils/:council/users", s.usersPageHandler)
	staffPages.POST("/councils/:council/invitations", s.crossOrigin, s.inviteForm)
	staffPages.POST("/councils/:council/invitations/:invitation/withdraw", s.crossOrigin, s.withdrawForm)
	staffPages.POST("/councils/:council/users/:user/role", s.crossOrigin, s.roleForm)
	staffPages.POST("/councils/:council/users/:user/active", s.crossOrigin, s.activeForm)
	staffPages.GET("/account", s.accountPageHandler)
	staffPages.POST("/account/password", s.crossOrigin, s.passwordForm)
	staffPages.GET("/settings", s.settingsPageHandler)
	staffPages.POST("/settings", s.crossOrigin, s.settingsForm)
	s.totpRoutes(staffPages)
}

// Errors of the account routes.
var (
	errWrongPassword  = &apiError{Status: http.StatusBadRequest, Code: "wrong_password", MessageID: "ErrorCurrentPassword", Field: "current_password"}
	errInvitationUsed = &apiError{Status: http.StatusGone, Code: "invitation_used", MessageID: "InvitationUsed"}
	errInvitationOld  = &apiError{Status: http.StatusGone, Code: "invitation_expired", MessageID: "InvitationExpired"}
)

// lockCouncilAccounts serialises, in this process, the changes to one
// council's accounts, so that two admins demoting each other at once
// cannot leave the council without an active council_admin. (Across
// several processes the check can still race: rare, and a platform admin
// can mend it.)
func (s *Server) lockCouncilAccounts(council string) func() {
	m, _ := s.accountLocks.LoadOrStore(council, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// userView is a user in the API's answers: never a hash or a secret.
type userView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Council   string    `json:"council,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Active    bool      `json:"active"`
	TOTP      bool      `json:"totp"`
}

func viewUser(u *store.User) userView {
	return userView{ID: u.ID, Email: u.Email, Role: u.Role, Council: u.Council, CreatedAt: u.CreatedAt, Active: u.Active(), TOTP: u.HasTOTP()}
}

// councilUser returns one of council's users: errNotFound for anyone
// else's, platform administrators included.
func (s *Server) councilUser(ctx context.Context, council, id string) (*store.User, error) {
	u, err := s.store.User(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Council != council) {
		return nil, errNotFound
	}
	return u, err
}

type invitationInput struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// invite makes an invitation to council for the signed-in admin and
// returns it with its token.
func (s *Server) invite(c *gin.Context, council string, in invitationInput) (*store.Invitation, string, error) {
	ctx := c.Request.Context()
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != strings.TrimSpace(in.Email) || utf8.RuneCountInString(addr.Address) > 254 {
		return nil, "", invalid("invalid_email", "ErrorEmail", "email", nil)
	}
	if !slices.Contains(councilRoles, in.Role) {
		return nil, "", invalid("invalid_role", "ErrorRole", "role", nil)
	}
	if _, err := s.store.UserByEmail(ctx, addr.Address); err == nil {
		return nil, "", conflict("email_taken", "ErrorEmailTaken", "email")
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, "", err
	}
	actor := currentUser(c)
	inv := &store.Invitation{Council: council, Email: addr.Address, Role: in.Role, InvitedBy: actor.ID}
	token, err := s.store.CreateInvitation(ctx, inv)
	if err != nil {
		return nil, "", err
	}
	if err := s.audit(ctx, actor, council, "invitation.created", inv.ID, map[string]string{"email": inv.Email, "role": inv.Role}); err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// changeRole gives one of council's users another council role, keeping
// at least one active council_admin.
func (s *Server) changeRole(c *gin.Context, council, id, role string) (*store.User, error) {
	if !slices.Contains(councilRoles, role) {
		return nil, invalid("invalid_role", "ErrorRole", "role", nil)
	}
	ctx := c.Request.Context()
	defer s.lockCouncilAccounts(council)()
	u, err := s.councilUser(ctx, council, id)
	if err != nil || u.Role == role {
		return u, err
	}
	if u.Role == store.RoleCouncilAdmin && u.Active() {
		if err := s.keepsAnAdmin(ctx, council, "role"); err != nil {
			return nil, err
		}
	}
	if err := s.store.SetUserRole(ctx, u.ID, role); err != nil {
		return nil, err
	}
	from := u.Role
	u.Role = role
	return u, s.audit(ctx, currentUser(c), council, "user.role_changed", u.ID, map[string]string{"email": u.Email, "from": from, "to": role})
}

// keepsAnAdmin refuses to take away the council's last active
// council_admin (the one about to change is still counted).
func (s *Server) keepsAnAdmin(ctx context.Context, council, field string) error {
	n, err := s.store.ActiveCouncilAdmins(ctx, council)
	if err != nil {
		return err
	}
	if n <= 1 {
		return &apiError{Status: http.StatusConflict, Code: "last_council_admin", MessageID: "ErrorLastCouncilAdmin", Field: field}
	}
	return nil
}

// setActive deactivates one of council's users, ending every token and
// sign-in of theirs at once, or makes them active again.
func (s *Server) setActive(c *gin.Context, council, id string, active bool) (*store.User, error) {
	ctx := c.Request.Context()
	defer s.lockCouncilAccounts(council)()
	u, err := s.councilUser(ctx, council, id)
	if err != nil || u.Active() == active {
		return u, err
	}
	if !active && u.Role == store.RoleCouncilAdmin {
		if err := s.keepsAnAdmin(ctx, council, "active"); err != nil {
			return nil, err
		}
	}
	// Deactivated first: from this moment no token of theirs is accepted
	// (store.TokenUser), even one the deletion below might miss.
	if err := s.store.SetUserActive(ctx, u.ID, active); err != nil {
		return nil, err
	}
	action := "user.reactivated"
	if !active {
		action = "user.deactivated"
		if _, err := s.store.DeleteUserTokens(ctx, u.ID, ""); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		u.DeactivatedAt = &now
	} else {
		u.DeactivatedAt = nil
	}
	return u, s.audit(ctx, currentUser(c), council, action, u.ID, map[string]string{"email": u.Email})
}

// checkOwnPassword checks the signed-in user's password, throttled as
// sign-ins are.
func (s *Server) checkOwnPassword(c *gin.Context, password, field string) error {
	u := currentUser(c)
	attempt := s.startSignIn(c, u.Email)
	if !attempt.allowed {
		return errTooMany(attempt.wait)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), prehash(password)) != nil {
		e := *errWrongPassword
		e.Field = field
		return &e
	}
	attempt.succeeded()
	return nil
}

// changePassword replaces the signed-in user's password once their
// current one is right, and ends every other sign-in and token of theirs
// (keep is the caller's own token, which goes on working).
func (s *Server) changePassword(c *gin.Context, current, next, keep string) error {
	if utf8.RuneCountInString(next) < MinPasswordLength {
		return invalid("weak_password", "ErrorPasswordShort", "new_password", map[string]any{"Min": MinPasswordLength})
	}
	if err := s.checkOwnPassword(c, current, "current_password"); err != nil {
		return err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	u := currentUser(c)
	ctx := c.Request.Context()
	if err := s.store.SetPasswordHash(ctx, u.ID, hash); err != nil {
		return err
	}
	if _, err := s.store.DeleteUserTokens(ctx, u.ID, keep); err != nil {
		return err
	}
	return s.audit(ctx, u, u.Council, "user.password_changed", u.ID, map[string]string{"email": u.Email})
}

// listUsersAPI is GET /api/v1/councils/{council}/users (council_admin).
func (s *Server) listUsersAPI(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleCouncilAdmin); err != nil {
		s.fail(c, "users.list", err)
		return
	}
	users, err := s.store.CouncilUsers(c.Request.Context(), council)
	if err != nil {
		s.fail(c, "users.list", err)
		return
	}
	out := []userView{}
	for i := range users {
		out = append(out, viewUser(&users[i]))
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
}

// createInvitationAPI is POST /api/v1/councils/{council}/invitations
// (council_admin) → 201 with the link to pass on, shown this once.
func (s *Server) createInvitationAPI(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleCouncilAdmin); err != nil {
		s.fail(c, "invitations.create", err)
		return
	}
	if _, err := s.store.Council(c.Request.Context(), council); err != nil {
		s.fail(c, "invitations.create", err)
		return
	}
	var in invitationInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "invitations.create", err)
		return
	}
	inv, token, err := s.invite(c, council, in)
	if err != nil {
		s.fail(c, "invitations.create", err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{
		"id": inv.ID, "council": inv.Council, "email": inv.Email, "role": inv.Role,
		"expires_at": inv.ExpiresAt.Format(time.RFC3339), "url": siteURL(c) + "/invite/" + token,
	})
}

type userPatch struct {
	Role   *string `json:"role"`
	Active *bool   `json:"active"`
}

// patchUserAPI is PATCH /api/v1/councils/{council}/users/{user}
// (council_admin): {"role"} and/or {"active"}.
func (s *Server) patchUserAPI(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleCouncilAdmin); err != nil {
		s.fail(c, "users.patch", err)
		return
	}
	var in userPatch
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "users.patch", err)
		return
	}
	u, err := s.councilUser(c.Request.Context(), council, c.Param("user"))
	if err == nil && in.Role != nil {
		u, err = s.changeRole(c, council, u.ID, *in.Role)
	}
	if err == nil && in.Active != nil {
		u, err = s.setActive(c, council, u.ID, *in.Active)
	}
	if err != nil {
		s.fail(c, "users.patch", err)
		return
	}
	c.JSON(http.StatusOK, viewUser(u))
}

type passwordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePasswordAPI is PUT /api/v1/auth/password: the caller's own
// password; every other token and sign-in of theirs ends.
func (s *Server) changePasswordAPI(c *gin.Context) {
	var in passwordInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "auth.password", err)
		return
	}
	token, _ := bearer(c)
	if err := s.changePassword(c, in.CurrentPassword, in.NewPassword, token); err != nil {
		s.fail(c, "auth.password", err)
		return
	}
	c.Status(http.StatusNoContent)
}

// getSettingsAPI is GET /api/v1/settings (platform_admin).
func (s *Server) getSettingsAPI(c *gin.Context) {
	if !hasRole(currentUser(c), store.RolePlatformAdmin) {
		s.fail(c, "settings.get", errForbidden)
		return
	}
	ps, err := s.store.PlatformSettings(c.Request.Context())
	if err != nil {
		s.fail(c, "settings.get", err)
		return
	}
	c.JSON(http.StatusOK, ps)
}

type settingsInput struct {
	RequireTOTP *bool `json:"require_totp_council_admins"`
}

// putSettingsAPI is PUT /api/v1/settings (platform_admin).
func (s *Server) putSettingsAPI(c *gin.Context) {
	if !hasRole(currentUser(c), store.RolePlatformAdmin) {
		s.fail(c, "settings.put", errForbidden)
		return
	}
	var in settingsInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "settings.put", err)
		return
	}
	if in.RequireTOTP == nil {
		s.fail(c, "settings.put", invalid("missing_field", "ErrorSettingRequired", "require_totp_council_admins", nil))
		return
	}
	ps, err := s.saveSettings(c, store.PlatformSettings{RequireTOTPForCouncilAdmins: *in.RequireTOTP})
	if err != nil {
		s.fail(c, "settings.put", err)
		return
	}
	c.JSON(http.StatusOK, ps)
}

func (s *Server) saveSettings(c *gin.Context, ps store.PlatformSettings) (store.PlatformSettings, error) {
	ctx := c.Request.Context()
	old, err := s.store.PlatformSettings(ctx)
	if err != nil || old == ps {
		return ps, err
	}
	if err := s.store.SetPlatformSettings(ctx, ps); err != nil {
		return ps, err
	}
	return ps, s.audit(ctx, currentUser(c), "", "settings.changed", "platform", map[string]string{
		"require_totp_council_admins": boolText(ps.RequireTOTPForCouncilAdmins),
	})
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// ---- pages ----

// roleMessages name the roles in the pages.
var roleMessages = map[string]string{
	store.RolePlatformAdmin: "RolePlatformAdmin",
	store.RoleCouncilAdmin:  "RoleCouncilAdmin",
	store.RoleFacilitator:   "RoleFacilitator",
	store.RoleCoProducer:    "RoleCoProducer",
}

func roleLabel(l *locale.Localizer, role string) string {
	if id, ok := roleMessages[role]; ok {
		return l.T(id)
	}
	return role
}

type roleOption struct{ Value, Label string }

func roleOptions(l *locale.Localizer) []roleOption {
	out := make([]roleOption, len(councilRoles))
	for i, r := range councilRoles {
		out[i] = roleOption{Value: r, Label: roleLabel(l, r)}
	}
	return out
}

// usersPage is a council's accounts: who has one, pending invitations,
// and the forms to invite, change a role and deactivate.
type usersPage struct {
	page.Base
	Council     *store.Council
	Users       []userRow
	Invitations []invitationRow
	Roles       []roleOption
	// NewLink is the invitation link just made: shown this once.
	NewLink        string
	NewLinkEmail   string
	NewLinkExpires string
	FormEmail      string // the invite form, kept when shown again with errors
	FormRole       string
}

type userRow struct {
	ID, Email, Role, RoleLabel string
	Active, TOTP, Self         bool
}

type invitationRow struct {
	ID, Email, RoleLabel, Expires string
}

// formatDay is how the pages write a date and time for staff.
func formatDay(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

func (s *Server) usersPageData(c *gin.Context, council *store.Council) (usersPage, error) {
	ctx := c.Request.Context()
	l := s.localizer(c)
	p := usersPage{Base: s.staffBase(c, "UsersTitle", "Council", council.Name), Council: council, Roles: roleOptions(l), FormRole: store.RoleFacilitator}
	users, err := s.store.CouncilUsers(ctx, council.Slug)
	if err != nil {
		return p, err
	}
	me := currentUser(c)
	for _, u := range users {
		p.Users = append(p.Users, userRow{ID: u.ID, Email: u.Email, Role: u.Role, RoleLabel: roleLabel(l, u.Role),
			Active: u.Active(), TOTP: u.HasTOTP(), Self: u.ID == me.ID})
	}
	invs, err := s.store.PendingInvitations(ctx, council.Slug)
	if err != nil {
		return p, err
	}
	for _, inv := range invs {
		p.Invitations = append(p.Invitations, invitationRow{ID: inv.ID, Email: inv.Email, RoleLabel: roleLabel(l, inv.Role), Expires: formatDay(inv.ExpiresAt)})
	}
	return p, nil
}

// usersPageHandler is GET /staff/councils/{council}/users (council_admin).
func (s *Server) usersPageHandler(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.users", err)
		return
	}
	p, err := s.usersPageData(c, council)
	if err != nil {
		s.pageError(c, "staff.users", err)
		return
	}
	s.render(c, http.StatusOK, "users", p)
}

// usersFormError shows the accounts page again with one problem, or
// answers the error page when err is not a person's mistake.
func (s *Server) usersFormError(c *gin.Context, op string, council *store.Council, fieldID string, err error, keep func(*usersPage)) {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status == http.StatusNotFound || ae.Status == http.StatusForbidden {
		s.pageError(c, op, err)
		return
	}
	p, perr := s.usersPageData(c, council)
	if perr != nil {
		s.pageError(c, op, perr)
		return
	}
	if keep != nil {
		keep(&p)
	}
	p.Errors = []page.FieldError{{ID: fieldID, Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
	if ae.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	status := http.StatusUnprocessableEntity
	if ae.Status == http.StatusTooManyRequests {
		status = ae.Status
	}
	s.render(c, status, "users", p)
}

// inviteForm is POST /staff/councils/{council}/invitations: the accounts
// page again, with the new link shown once.
func (s *Server) inviteForm(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.invite", err)
		return
	}
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	in := invitationInput{Email: strings.TrimSpace(form.Get("email")), Role: form.Get("role")}
	inv, token, err := s.invite(c, council.Slug, in)
	if err != nil {
		s.usersFormError(c, "staff.invite", council, "invite-"+inviteField(err), err, func(p *usersPage) {
			p.FormEmail, p.FormRole = in.Email, in.Role
		})
		return
	}
	p, err := s.usersPageData(c, council)
	if err != nil {
		s.pageError(c, "staff.invite", err)
		return
	}
	p.NewLink, p.NewLinkEmail, p.NewLinkExpires = siteURL(c)+"/invite/"+token, inv.Email, formatDay(inv.ExpiresAt)
	s.render(c, http.StatusOK, "users", p)
}

func inviteField(err error) string {
	var ae *apiError
	if errors.As(err, &ae) && ae.Field != "" {
		return ae.Field
	}
	return "email"
}

// withdrawForm is POST /staff/councils/{council}/invitations/{id}/withdraw.
func (s *Server) withdrawForm(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.withdraw", err)
		return
	}
	ctx := c.Request.Context()
	inv, err := s.store.WithdrawInvitation(ctx, council.Slug, c.Param("invitation"))
	if err == nil {
		err = s.audit(ctx, currentUser(c), council.Slug, "invitation.withdrawn", inv.ID, map[string]string{"email": inv.Email, "role": inv.Role})
	}
	if err != nil {
		s.pageError(c, "staff.withdraw", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/councils/"+council.Slug+"/users")
}

// roleForm is POST /staff/councils/{council}/users/{user}/role.
func (s *Server) roleForm(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.role", err)
		return
	}
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	id := c.Param("user")
	if _, err := s.changeRole(c, council.Slug, id, form.Get("role")); err != nil {
		s.usersFormError(c, "staff.role", council, "role-"+id, err, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/councils/"+council.Slug+"/users")
}

// activeForm is POST /staff/councils/{council}/users/{user}/active:
// active=false deactivates, active=true reactivates.
func (s *Server) activeForm(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.active", err)
		return
	}
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	id := c.Param("user")
	var active bool
	switch form.Get("active") {
	case "true":
		active = true
	case "false":
	default:
		s.errorPage(c, http.StatusBadRequest)
		return
	}
	u, err := s.setActive(c, council.Slug, id, active)
	if err != nil {
		s.usersFormError(c, "staff.active", council, "active-"+id, err, nil)
		return
	}
	if u.ID == currentUser(c).ID && !active {
		// They ended their own sign-in too.
		s.setSession(c, "", -1)
		c.Redirect(http.StatusSeeOther, "/signin")
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/councils/"+council.Slug+"/users")
}

// invitePage is where an invited person sets their password.
type invitePage struct {
	page.Base
	// State is "open", "used", "expired", "unknown" or "taken".
	State       string
	CouncilName string
	Email       string
	RoleLabel   string
	Expires     string
	Token       string
}

func (s *Server) invitePageData(c *gin.Context) (invitePage, *store.Invitation, int) {
	token := c.Param("token")
	p := invitePage{Base: s.base(c, "InviteTitle"), Token: token}
	inv, err := s.store.InvitationByToken(c.Request.Context(), token)
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.State = "unknown"
		return p, nil, http.StatusNotFound
	case errors.Is(err, store.ErrInvitationUsed):
		p.State = "used"
		return p, nil, http.StatusGone
	case errors.Is(err, store.ErrInvitationExpired):
		p.State = "expired"
		return p, nil, http.StatusGone
	case err != nil:
		return p, nil, 0
	}
	p.State, p.Email, p.RoleLabel, p.Expires = "open", inv.Email, roleLabel(s.localizer(c), inv.Role), formatDay(inv.ExpiresAt)
	p.CouncilName = inv.Council
	if council, err := s.store.Council(c.Request.Context(), inv.Council); err == nil {
		p.CouncilName = council.Name
	}
	return p, inv, http.StatusOK
}

// invitationForm is GET /invite/{token}.
func (s *Server) invitationForm(c *gin.Context) {
	p, _, status := s.invitePageData(c)
	if status == 0 {
		s.errorPage(c, http.StatusServiceUnavailable)
		return
	}
	s.render(c, status, "invite", p)
}

// invitationAccept is POST /invite/{token}: the invitee's password; they
// are signed in at once.
func (s *Server) invitationAccept(c *gin.Context) {
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	p, inv, status := s.invitePageData(c)
	if status == 0 {
		s.errorPage(c, http.StatusServiceUnavailable)
		return
	}
	if inv == nil {
		s.render(c, status, "invite", p)
		return
	}
	password, confirm := form.Get("password"), form.Get("password_confirm")
	l := s.localizer(c)
	if utf8.RuneCountInString(password) < MinPasswordLength {
		p.Errors = append(p.Errors, page.FieldError{ID: "password", Message: l.T("ErrorPasswordShort", map[string]any{"Min": MinPasswordLength})})
	} else if password != confirm {
		p.Errors = append(p.Errors, page.FieldError{ID: "password_confirm", Message: l.T("ErrorPasswordsDiffer")})
	}
	if len(p.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "invite", p)
		return
	}
	hash, err := HashPassword(password)
	if err != nil {
		s.pageError(c, "invite.accept", err)
		return
	}
	ctx := c.Request.Context()
	_, u, err := s.store.AcceptInvitation(ctx, c.Param("token"), hash)
	switch {
	case errors.Is(err, store.ErrInvitationUsed):
		p.State = "used"
		s.render(c, http.StatusGone, "invite", p)
		return
	case errors.Is(err, store.ErrInvitationExpired):
		p.State = "expired"
		s.render(c, http.StatusGone, "invite", p)
		return
	case errors.Is(err, store.ErrConflict):
		p.State = "taken"
		s.render(c, http.StatusConflict, "invite", p)
		return
	case err != nil:
		s.pageError(c, "invite.accept", err)
		return
	}
	if err := s.audit(ctx, u, u.Council, "invitation.accepted", u.ID, map[string]string{"email": u.Email, "role": u.Role, "invitation": inv.ID}); err != nil {
		s.pageError(c, "invite.accept", err)
		return
	}
	token, _, err := s.store.CreateToken(ctx, u.ID, store.TokenSession, s.tokenTTL)
	if err != nil {
		// The account exists: they can sign in with their new password.
		c.Redirect(http.StatusSeeOther, "/signin")
		return
	}
	s.setSession(c, token, int(s.tokenTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, "/staff")
}

// accountPage is a signed-in person's own account: password and two-step
// sign-in.
type accountPage struct {
	page.Base
	Email, RoleLabel string
	TOTP             bool
	RecoveryLeft     int64
	Changed          bool // the password was just changed
}

func (s *Server) accountPageData(c *gin.Context) (accountPage, error) {
	u := currentUser(c)
	p := accountPage{Base: s.staffBase(c, "AccountTitle"), Email: u.Email, RoleLabel: roleLabel(s.localizer(c), u.Role), TOTP: u.HasTOTP()}
	if u.HasTOTP() {
		n, err := s.store.RecoveryCodesLeft(c.Request.Context(), u.ID)
		if err != nil {
			return p, err
		}
		p.RecoveryLeft = n
	}
	return p, nil
}

// accountPageHandler is GET /staff/account.
func (s *Server) accountPageHandler(c *gin.Context) {
	p, err := s.accountPageData(c)
	if err != nil {
		s.pageError(c, "staff.account", err)
		return
	}
	p.Changed = c.Query("changed") == "password"
	s.render(c, http.StatusOK, "account", p)
}

// passwordForm is POST /staff/account/password.
func (s *Server) passwordForm(c *gin.Context) {
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	current, next := form.Get("current_password"), form.Get("new_password")
	var err error
	if next != form.Get("new_password_confirm") && utf8.RuneCountInString(next) >= MinPasswordLength {
		err = invalid("passwords_differ", "ErrorPasswordsDiffer", "new_password_confirm", nil)
	} else {
		cookie, _ := c.Cookie(sessionCookie)
		err = s.changePassword(c, current, next, cookie)
	}
	var ae *apiError
	if errors.As(err, &ae) {
		p, perr := s.accountPageData(c)
		if perr != nil {
			s.pageError(c, "staff.password", perr)
			return
		}
		p.Errors = []page.FieldError{{ID: ae.Field, Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
		status := http.StatusUnprocessableEntity
		if ae.Status == http.StatusTooManyRequests {
			status = ae.Status
			c.Header("Retry-After", strconv.Itoa(ae.RetryAfter))
		}
		s.render(c, status, "account", p)
		return
	}
	if err != nil {
		s.pageError(c, "staff.password", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/account?changed=password")
}

// settingsPage is the platform's settings and its platform-wide audit
// log (platform_admin).
type settingsPage struct {
	page.Base
	RequireTOTP bool
	// NoKey: no SECRET_KEY, so requiring two-step sign-in would keep
	// council admins who lack it out of the staff pages.
	NoKey   bool
	Saved   bool
	General []generalAuditRow
}

func (s *Server) settingsPageHandler(c *gin.Context) {
	if !hasRole(currentUser(c), store.RolePlatformAdmin) {
		s.errorPage(c, http.StatusForbidden)
		return
	}
	ctx := c.Request.Context()
	ps, err := s.store.PlatformSettings(ctx)
	if err != nil {
		s.pageError(c, "staff.settings", err)
		return
	}
	entries, err := s.store.AuditLog(ctx, "", maxAuditListed)
	if err != nil {
		s.pageError(c, "staff.settings", err)
		return
	}
	p := settingsPage{Base: s.staffBase(c, "SettingsTitle"), RequireTOTP: ps.RequireTOTPForCouncilAdmins, NoKey: s.secrets == nil, Saved: c.Query("saved") == "1"}
	p.General = viewGeneralAudit(s.localizer(c), entries)
	s.render(c, http.StatusOK, "settings", p)
}

// settingsForm is POST /staff/settings.
func (s *Server) settingsForm(c *gin.Context) {
	if !hasRole(currentUser(c), store.RolePlatformAdmin) {
		s.errorPage(c, http.StatusForbidden)
		return
	}
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	if _, err := s.saveSettings(c, store.PlatformSettings{RequireTOTPForCouncilAdmins: form.Get("require_totp") == "on"}); err != nil {
		s.pageError(c, "staff.settings", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/settings?saved=1")
}

// generalAuditRow is one entry of the general audit log in a page.
type generalAuditRow struct {
	At, Email, What string
	Details         []auditDetail
}

type auditDetail struct{ Key, Value string }

// auditActions name the general audit log's actions in the pages.
var auditActions = map[string]string{
	"invitation.created":     "AuditInvitationCreated",
	"invitation.accepted":    "AuditInvitationAccepted",
	"invitation.withdrawn":   "AuditInvitationWithdrawn",
	"user.role_changed":      "AuditRoleChanged",
	"user.deactivated":       "AuditUserDeactivated",
	"user.reactivated":       "AuditUserReactivated",
	"user.password_changed":  "AuditPasswordChanged",
	"totp.enabled":           "AuditTOTPEnabled",
	"totp.disabled":          "AuditTOTPDisabled",
	"recovery_codes.renewed": "AuditRecoveryCodesRenewed",
	"recovery_code.used":     "AuditRecoveryCodeUsed",
	"settings.changed":       "AuditSettingsChanged",
}

func viewGeneralAudit(l *locale.Localizer, entries []store.AuditEntry) []generalAuditRow {
	out := make([]generalAuditRow, 0, len(entries))
	for _, e := range entries {
		what := e.Action
		if id, ok := auditActions[e.Action]; ok {
			what = l.T(id)
		}
		row := generalAuditRow{At: formatDay(e.At), Email: e.ActorEmail, What: what}
		if row.Email == "" {
			row.Email = e.ActorID
		}
		keys := make([]string, 0, len(e.Detail))
		for k := range e.Detail {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := e.Detail[k]
			if k == "role" || k == "from" || k == "to" {
				v = roleLabel(l, v)
			}
			row.Details = append(row.Details, auditDetail{Key: k, Value: v})
		}
		out = append(out, row)
	}
	return out
}
