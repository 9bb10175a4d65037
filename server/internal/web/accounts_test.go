package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
)

// The staff account routes, classified for the route-walking security
// tests (security_test.go).
func init() {
	pathFixtures[":user"] = func(f *secFixture) string { return f.userID("fac@leeds.example") }
	pathFixtures[":token"] = func(f *secFixture) string { return "no-such-invitation-token" }
	pathFixtures[":invitation"] = func(f *secFixture) string {
		f.h.t.Helper()
		inv := &store.Invitation{Council: "leeds", Email: "pending@leeds.example", Role: store.RoleFacilitator, InvitedBy: f.leedsAdminID}
		if _, err := f.h.store.CreateInvitation(context.Background(), inv); err != nil {
			f.h.t.Fatal(err)
		}
		return inv.ID
	}
	for route, rule := range map[string]routeRule{
		"GET /invite/:token":  {access: public},
		"POST /invite/:token": {access: public},

		"GET /api/v1/councils/:council/users": {access: tokenCouncil},
		"POST /api/v1/councils/:council/invitations": {access: tokenCouncil, body: func(*secFixture) any {
			return map[string]any{"email": "invitee@leeds.example", "role": "facilitator"}
		}},
		"PATCH /api/v1/councils/:council/users/:user": {access: tokenCouncil, body: func(*secFixture) any {
			return map[string]any{"role": "co_producer", "active": false}
		}},
		// Each acts on the caller's own account: another council's admin
		// changes their own password, which the page route (walked first:
		// "POST /staff/account/password" sorts before it) changed already.
		"PUT /api/v1/auth/password": {access: tokenPlatform, cross: http.StatusNoContent, body: func(*secFixture) any {
			return map[string]any{"current_password": "a brand new long password", "new_password": "yet another long password"}
		}},
		"GET /api/v1/settings": {access: tokenPlatform, cross: http.StatusForbidden},
		"PUT /api/v1/settings": {access: tokenPlatform, cross: http.StatusForbidden, body: func(*secFixture) any {
			return map[string]any{"require_totp_council_admins": true}
		}},

		"GET /staff/councils/:council/users": {access: sessionCouncil},
		"POST /staff/councils/:council/invitations": {access: sessionCouncil, body: func(*secFixture) any {
			return url.Values{"email": {"invitee@leeds.example"}, "role": {"council_admin"}}
		}},
		"POST /staff/councils/:council/invitations/:invitation/withdraw": {access: sessionCouncil},
		"POST /staff/councils/:council/users/:user/role": {access: sessionCouncil, body: func(*secFixture) any {
			return url.Values{"role": {"council_admin"}}
		}},
		"POST /staff/councils/:council/users/:user/active": {access: sessionCouncil, body: func(*secFixture) any {
			return url.Values{"active": {"false"}}
		}},
		"GET /staff/account": {access: sessionPlatform, cross: http.StatusOK},
		"POST /staff/account/password": {access: sessionPlatform, cross: http.StatusSeeOther, body: func(*secFixture) any {
			return url.Values{"current_password": {"correct horse battery"}, "new_password": {"a brand new long password"}, "new_password_confirm": {"a brand new long password"}}
		}},
		"GET /staff/settings":      {access: sessionPlatform, cross: http.StatusForbidden},
		"POST /staff/settings":     {access: sessionPlatform, cross: http.StatusForbidden, body: func(*secFixture) any { return url.Values{"require_totp": {"on"}} }},
		"GET /staff/account/totp":  {access: sessionPlatform, cross: http.StatusOK},
		"POST /staff/account/totp": {access: sessionPlatform, cross: http.StatusSeeOther},
		// York's admin started setting up (the route above runs first) and
		// sends a wrong code.
		"POST /staff/account/totp/confirm": {access: sessionPlatform, cross: http.StatusUnprocessableEntity, body: func(*secFixture) any {
			return url.Values{"code": {"abcdef"}}
		}},
		// Without two-step sign-in there is nothing to turn off or renew.
		"POST /staff/account/totp/disable": {access: sessionPlatform, cross: http.StatusSeeOther, body: func(*secFixture) any {
			return url.Values{"password": {"correct horse battery"}}
		}},
		"POST /staff/account/recovery-codes": {access: sessionPlatform, cross: http.StatusSeeOther, body: func(*secFixture) any {
			return url.Values{"password": {"correct horse battery"}}
		}},
	} {
		routeRules[route] = rule
	}
}

// sessionCookieOf returns the session cookie an answer set, or "".
func sessionCookieOf(rec *httptest.ResponseRecorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "yousaid_session" && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

// auditActions lists a council's general audit log, oldest first.
func (h *harness) auditActions(council string) []string {
	h.t.Helper()
	entries, err := h.store.AuditLog(context.Background(), council, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, entries[i].Action)
	}
	return out
}

func (h *harness) userByEmail(email string) *store.User {
	h.t.Helper()
	u, err := h.store.UserByEmail(context.Background(), email)
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// inviteLink makes an invitation through the page and returns its path.
func (h *harness) inviteLink(cookie, email, role string) string {
	h.t.Helper()
	rec := h.form("/staff/councils/leeds/invitations", url.Values{"email": {email}, "role": {role}}, cookie, nil)
	if rec.Code != http.StatusOK {
		h.t.Fatalf("invite: %d %s", rec.Code, rec.Body)
	}
	doc := htmltest.Parse(h.t, rec.Body.String())
	link := htmltest.Attr(htmltest.One(h.t, doc, "input#new-link[readonly]"), "value")
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/invite/") {
		h.t.Fatalf("invitation link %q", link)
	}
	return u.Path
}

func TestInvitationFlowEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	admin := h.signIn("admin@leeds.example")

	rec := h.page("/staff/councils/leeds/users", admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("accounts page: %d", rec.Code)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	htmltest.One(t, doc, `form[action="/staff/councils/leeds/invitations"] input#invite-email`)

	// A bad email is the form again, with the value kept.
	bad := h.form("/staff/councils/leeds/invitations", url.Values{"email": {"not an email"}, "role": {"facilitator"}}, admin, nil)
	if bad.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad email: %d", bad.Code)
	}
	doc = htmltest.Parse(t, bad.Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#invite-email" {
		t.Errorf("error summary links to %q", got)
	}
	if got := htmltest.Attr(htmltest.One(t, doc, "input#invite-email"), "value"); got != "not an email" {
		t.Errorf("email kept as %q", got)
	}
	// An invitation to someone who has an account is refused.
	if rec := h.form("/staff/councils/leeds/invitations", url.Values{"email": {"admin@leeds.example"}, "role": {"facilitator"}}, admin, nil); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("invite an existing account: %d", rec.Code)
	}

	path := h.inviteLink(admin, "new.fac@leeds.example", store.RoleFacilitator)
	token := strings.TrimPrefix(path, "/invite/")
	if len(token) < 40 {
		t.Errorf("a short invitation token: %q", token)
	}
	// The token is stored only as a hash.
	n, err := h.store.Database().Collection("invitations").CountDocuments(context.Background(), bson.M{"$or": bson.A{bson.M{"_id": token}, bson.M{"id": token}}})
	if err != nil || n != 0 {
		t.Errorf("the invitation token is stored in the clear (%d, %v)", n, err)
	}
	// The pending invitation is listed; the link is not shown again.
	doc = htmltest.Parse(t, h.page("/staff/councils/leeds/users", admin).Body.String())
	if len(htmltest.All(doc, "input#new-link")) != 0 || strings.Contains(htmltest.Text(doc), token) {
		t.Error("the invitation link is shown again")
	}
	if !strings.Contains(htmltest.Text(doc), "new.fac@leeds.example") {
		t.Error("the pending invitation is not listed")
	}

	// The invitee opens the link, without being signed in.
	rec = h.page(path, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("invitation page: %d", rec.Code)
	}
	doc = htmltest.Parse(t, rec.Body.String())
	htmltest.One(t, doc, `form[method=post] input#password[type=password]`)
	if got := htmltest.Attr(htmltest.One(t, doc, "input#invite-email"), "value"); got != "new.fac@leeds.example" {
		t.Errorf("the page names %q", got)
	}

	for name, tc := range map[string]struct {
		values url.Values
		field  string
	}{
		"short":     {url.Values{"password": {"short"}, "password_confirm": {"short"}}, "#password"},
		"different": {url.Values{"password": {"a long enough password"}, "password_confirm": {"another long password"}}, "#password_confirm"},
	} {
		rec := h.form(path, tc.values, "", nil)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, rec.Code)
			continue
		}
		doc := htmltest.Parse(t, rec.Body.String())
		if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != tc.field {
			t.Errorf("%s: error links to %q, want %q", name, got, tc.field)
		}
	}
	if _, err := h.store.UserByEmail(context.Background(), "new.fac@leeds.example"); err == nil {
		t.Fatal("a user was created from an invalid form")
	}

	const password = "my own long password"
	rec = h.form(path, url.Values{"password": {password}, "password_confirm": {password}}, "", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff" {
		t.Fatalf("accept: %d to %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	cookie := sessionCookieOf(rec)
	if cookie == "" {
		t.Fatal("the new user is not signed in")
	}
	if rec := h.page("/staff/councils/leeds", cookie); rec.Code != http.StatusOK {
		t.Errorf("the new facilitator's council page: %d", rec.Code)
	}
	u := h.userByEmail("new.fac@leeds.example")
	if u.Role != store.RoleFacilitator || u.Council != "leeds" || !u.Active() {
		t.Errorf("new user %+v", u)
	}
	// Their password signs them in.
	if rec := h.form("/signin", url.Values{"email": {"new.fac@leeds.example"}, "password": {password}}, "", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("sign in with the chosen password: %d", rec.Code)
	}
	// The link worked once.
	if rec := h.page(path, ""); rec.Code != http.StatusGone {
		t.Errorf("the used link: %d, want 410", rec.Code)
	}
	if diff := cmp.Diff([]string{"invitation.created", "invitation.accepted"}, h.auditActions("leeds")); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
	entries, _ := h.store.AuditLog(context.Background(), "leeds", 10)
	if entries[0].ActorID != u.ID || entries[1].Detail["email"] != "new.fac@leeds.example" || entries[1].Detail["role"] != "facilitator" {
		t.Errorf("audit entries %+v", entries)
	}
}

func TestInvitationAPI(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	admin := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	fac := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	body := map[string]any{"email": "someone@leeds.example", "role": "co_producer"}
	rec := h.do(request{method: "POST", path: "/api/v1/councils/leeds/invitations", token: admin, body: body})
	var inv struct {
		ID        string    `json:"id"`
		URL       string    `json:"url"`
		Role      string    `json:"role"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &inv) != nil {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body)
	}
	if !strings.HasPrefix(inv.URL, "http://example.com/invite/") || inv.Role != "co_producer" || !inv.ExpiresAt.Equal(h.now.Add(7*24*time.Hour)) {
		t.Errorf("invitation %+v", inv)
	}
	for name, tc := range map[string]struct {
		token string
		body  any
		code  int
		field string
	}{
		"facilitator":    {fac, body, http.StatusForbidden, ""},
		"platform role":  {admin, map[string]any{"email": "x@leeds.example", "role": "platform_admin"}, http.StatusBadRequest, "role"},
		"bad email":      {admin, map[string]any{"email": "x@", "role": "facilitator"}, http.StatusBadRequest, "email"},
		"existing email": {admin, map[string]any{"email": "fac@leeds.example", "role": "facilitator"}, http.StatusConflict, "email"},
	} {
		rec := h.do(request{method: "POST", path: "/api/v1/councils/leeds/invitations", token: tc.token, body: tc.body})
		if rec.Code != tc.code {
			t.Errorf("%s: %d, want %d", name, rec.Code, tc.code)
			continue
		}
		if e := decodeErr(t, rec); e.Error.Field != tc.field {
			t.Errorf("%s: field %q, want %q", name, e.Error.Field, tc.field)
		}
	}
	if got := h.auditActions("leeds"); len(got) != 1 {
		t.Errorf("audit %v, want the one invitation", got)
	}
}

func TestInvitationExpiredOrReusedRefused(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	admin := h.signIn("admin@leeds.example")
	accept := url.Values{"password": {"a long enough password"}, "password_confirm": {"a long enough password"}}

	t.Run("expired", func(t *testing.T) {
		path := h.inviteLink(admin, "late@leeds.example", store.RoleFacilitator)
		h.now = h.now.Add(7 * 24 * time.Hour)
		if rec := h.page(path, ""); rec.Code != http.StatusGone {
			t.Errorf("expired link: %d, want 410", rec.Code)
		}
		rec := h.form(path, accept, "", nil)
		if rec.Code != http.StatusGone || sessionCookieOf(rec) != "" {
			t.Errorf("accepting an expired link: %d", rec.Code)
		}
		if _, err := h.store.UserByEmail(context.Background(), "late@leeds.example"); err == nil {
			t.Error("an expired invitation made an account")
		}
		h.now = h.now.Add(-7 * 24 * time.Hour)
	})

	t.Run("reused at once", func(t *testing.T) {
		path := h.inviteLink(admin, "twice@leeds.example", store.RoleFacilitator)
		// Many tries at the same moment: exactly one account, one success.
		var wg sync.WaitGroup
		codes := make(chan int, 6)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- h.form(path, accept, "", nil).Code
			}()
		}
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if diff := cmp.Diff(map[int]int{http.StatusSeeOther: 1, http.StatusGone: 5}, got); diff != "" {
			t.Errorf("answers mismatch (-want +got):\n%s", diff)
		}
		// And later.
		if rec := h.form(path, accept, "", nil); rec.Code != http.StatusGone {
			t.Errorf("reused link: %d, want 410", rec.Code)
		}
		users, err := h.store.CouncilUsers(context.Background(), "leeds")
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for _, u := range users {
			if u.Email == "twice@leeds.example" {
				count++
			}
		}
		if count != 1 {
			t.Errorf("%d accounts from one invitation", count)
		}
	})

	t.Run("withdrawn", func(t *testing.T) {
		path := h.inviteLink(admin, "withdrawn@leeds.example", store.RoleFacilitator)
		invs, err := h.store.PendingInvitations(context.Background(), "leeds")
		if err != nil {
			t.Fatal(err)
		}
		id := ""
		for _, inv := range invs {
			if inv.Email == "withdrawn@leeds.example" {
				id = inv.ID
			}
		}
		if rec := h.form("/staff/councils/leeds/invitations/"+id+"/withdraw", url.Values{}, admin, nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", rec.Code)
		}
		if rec := h.form(path, accept, "", nil); rec.Code != http.StatusNotFound {
			t.Errorf("withdrawn link: %d, want 404", rec.Code)
		}
	})
	if rec := h.page("/invite/not-a-real-token", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown link: %d", rec.Code)
	}
}

func TestRoleChangeAndTenancy(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	adminTok := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	facTok := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	yorkTok := h.user("admin@york.example", store.RoleCouncilAdmin, "york")
	admin, fac, york := h.signIn("admin@leeds.example"), h.signIn("fac@leeds.example"), h.signIn("admin@york.example")
	facID := h.userByEmail("fac@leeds.example").ID
	adminID := h.userByEmail("admin@leeds.example").ID
	rolePath := "/staff/councils/leeds/users/" + facID + "/role"
	apiPath := "/api/v1/councils/leeds/users/" + facID

	// Another council's admin: 404, whether by York's URL or Leeds's.
	if rec := h.form(rolePath, url.Values{"role": {"council_admin"}}, york, nil); rec.Code != http.StatusNotFound {
		t.Errorf("York's admin on Leeds's page: %d, want 404", rec.Code)
	}
	if rec := h.form("/staff/councils/york/users/"+facID+"/role", url.Values{"role": {"council_admin"}}, york, nil); rec.Code != http.StatusNotFound {
		t.Errorf("York's admin with a Leeds user in York's URL: %d, want 404", rec.Code)
	}
	if rec := h.do(request{method: "PATCH", path: "/api/v1/councils/york/users/" + facID, token: yorkTok, body: map[string]any{"role": "council_admin"}}); rec.Code != http.StatusNotFound {
		t.Errorf("York's admin by API: %d, want 404", rec.Code)
	}
	// A facilitator: 403.
	if rec := h.form(rolePath, url.Values{"role": {"council_admin"}}, fac, nil); rec.Code != http.StatusForbidden {
		t.Errorf("a facilitator: %d, want 403", rec.Code)
	}
	if rec := h.page("/staff/councils/leeds/users", fac); rec.Code != http.StatusForbidden {
		t.Errorf("a facilitator on the accounts page: %d, want 403", rec.Code)
	}
	if rec := h.do(request{method: "PATCH", path: apiPath, token: facTok, body: map[string]any{"role": "council_admin"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a facilitator by API: %d, want 403", rec.Code)
	}
	if got := h.userByEmail("fac@leeds.example").Role; got != store.RoleFacilitator {
		t.Fatalf("the role changed to %s without a right", got)
	}

	// Never platform_admin.
	if rec := h.form(rolePath, url.Values{"role": {"platform_admin"}}, admin, nil); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("to platform_admin by page: %d, want 422", rec.Code)
	}
	rec := h.do(request{method: "PATCH", path: apiPath, token: adminTok, body: map[string]any{"role": "platform_admin"}})
	if rec.Code != http.StatusBadRequest || decodeErr(t, rec).Error.Code != "invalid_role" {
		t.Errorf("to platform_admin by API: %d %s", rec.Code, rec.Body)
	}

	// The only admin cannot step down nor be deactivated.
	rec = h.form("/staff/councils/leeds/users/"+adminID+"/role", url.Values{"role": {"facilitator"}}, admin, nil)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("last admin steps down: %d", rec.Code)
	}
	doc := htmltest.Parse(t, rec.Body.String())
	if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#role-"+adminID {
		t.Errorf("error links to %q", got)
	}
	htmltest.One(t, doc, "select#role-"+adminID+"[aria-invalid=true]")
	rec = h.do(request{method: "PATCH", path: "/api/v1/councils/leeds/users/" + adminID, token: adminTok, body: map[string]any{"active": false}})
	if rec.Code != http.StatusConflict || decodeErr(t, rec).Error.Code != "last_council_admin" {
		t.Errorf("deactivate the last admin: %d %s", rec.Code, rec.Body)
	}

	// A real change, by page and by API.
	if rec := h.form(rolePath, url.Values{"role": {"council_admin"}}, admin, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("promote: %d %s", rec.Code, rec.Body)
	}
	if got := h.userByEmail("fac@leeds.example").Role; got != store.RoleCouncilAdmin {
		t.Errorf("role %s after promotion", got)
	}
	// The new role is in force at once, on the same cookie.
	if rec := h.page("/staff/councils/leeds/users", fac); rec.Code != http.StatusOK {
		t.Errorf("the promoted user's accounts page: %d", rec.Code)
	}
	// Now the first admin may step down.
	rec = h.do(request{method: "PATCH", path: "/api/v1/councils/leeds/users/" + adminID, token: adminTok, body: map[string]any{"role": "co_producer"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("step down: %d %s", rec.Code, rec.Body)
	}
	var view map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &view)
	if view["role"] != "co_producer" || view["active"] != true || view["password_hash"] != nil || view["totp_secret"] != nil {
		t.Errorf("answer %v", view)
	}
	// A co-producer is no admin any more: the API says so at once.
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/users", token: adminTok}); rec.Code != http.StatusForbidden {
		t.Errorf("demoted admin lists users: %d", rec.Code)
	}
	entries, err := h.store.AuditLog(context.Background(), "leeds", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	for i := len(entries) - 1; i >= 0; i-- {
		got = append(got, map[string]string{"action": entries[i].Action, "from": entries[i].Detail["from"], "to": entries[i].Detail["to"], "by": entries[i].ActorEmail})
	}
	want := []map[string]string{
		{"action": "user.role_changed", "from": "facilitator", "to": "council_admin", "by": "admin@leeds.example"},
		{"action": "user.role_changed", "from": "council_admin", "to": "co_producer", "by": "admin@leeds.example"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
	if york, _ := h.store.AuditLog(context.Background(), "york", 10); len(york) != 0 {
		t.Errorf("York's audit log has %d entries", len(york))
	}

	// The audit page shows the general entries beside the action plan's.
	doc = htmltest.Parse(t, h.page("/staff/councils/leeds/audit", fac).Body.String())
	rows := htmltest.All(doc, "table.audit tbody tr")
	if len(rows) != 2 || !strings.Contains(htmltest.Text(rows[0]), "Role changed") {
		t.Errorf("audit page rows: %d", len(rows))
	}
}

func TestDeactivationEndsTokenAndCookieAtOnce(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	facTok := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	admin, fac := h.signIn("admin@leeds.example"), h.signIn("fac@leeds.example")
	facID := h.userByEmail("fac@leeds.example").ID
	live := func() (api, page int) {
		return h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: facTok}).Code,
			h.page("/staff/councils/leeds", fac).Code
	}
	if api, page := live(); api != 200 || page != 200 {
		t.Fatalf("before: API %d, page %d", api, page)
	}
	if rec := h.form("/staff/councils/leeds/users/"+facID+"/active", url.Values{"active": {"false"}}, admin, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("deactivate: %d %s", rec.Code, rec.Body)
	}
	if api, page := live(); api != http.StatusUnauthorized || page != http.StatusSeeOther {
		t.Errorf("after: API %d (want 401), page %d (want 303 to sign in)", api, page)
	}
	n, err := h.store.Database().Collection("tokens").CountDocuments(context.Background(), bson.M{"user": facID})
	if err != nil || n != 0 {
		t.Errorf("%d tokens left (%v)", n, err)
	}
	// Signing in answers as a wrong password does.
	wrong := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "not the password"}})
	right := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "correct horse battery"}})
	if right.Code != http.StatusUnauthorized || right.Body.String() != wrong.Body.String() {
		t.Errorf("a deactivated user's sign-in: %d %s (a wrong password: %s)", right.Code, right.Body, wrong.Body)
	}
	if rec := h.form("/signin", url.Values{"email": {"fac@leeds.example"}, "password": {"correct horse battery"}}, "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("a deactivated user's page sign-in: %d", rec.Code)
	}

	// Reactivated: they sign in again (old tokens stay gone).
	if rec := h.form("/staff/councils/leeds/users/"+facID+"/active", url.Values{"active": {"true"}}, admin, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("reactivate: %d", rec.Code)
	}
	if api, _ := live(); api != http.StatusUnauthorized {
		t.Errorf("an old token after reactivation: %d", api)
	}
	fresh := h.signIn("fac@leeds.example")

	// A token that survived the deletion is refused all the same.
	tok, _, err := h.store.CreateToken(context.Background(), facID, store.TokenAPI, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetUserActive(context.Background(), facID, false); err != nil {
		t.Fatal(err)
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: tok}); rec.Code != http.StatusUnauthorized {
		t.Errorf("a surviving token of a deactivated user: %d", rec.Code)
	}
	if rec := h.page("/staff/councils/leeds", fresh); rec.Code != http.StatusSeeOther {
		t.Errorf("a surviving cookie of a deactivated user: %d", rec.Code)
	}
	if diff := cmp.Diff([]string{"user.deactivated", "user.reactivated"}, h.auditActions("leeds")); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

func TestPasswordChange(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	apiTok := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	this, other := h.signIn("fac@leeds.example"), h.signIn("fac@leeds.example")
	const next = "a brand new long password"

	for name, tc := range map[string]struct {
		values url.Values
		field  string
	}{
		"wrong current": {url.Values{"current_password": {"wrong"}, "new_password": {next}, "new_password_confirm": {next}}, "#current_password"},
		"short new":     {url.Values{"current_password": {"correct horse battery"}, "new_password": {"short"}, "new_password_confirm": {"short"}}, "#new_password"},
		"different":     {url.Values{"current_password": {"correct horse battery"}, "new_password": {next}, "new_password_confirm": {next + "!"}}, "#new_password_confirm"},
	} {
		rec := h.form("/staff/account/password", tc.values, this, nil)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, rec.Code)
			continue
		}
		doc := htmltest.Parse(t, rec.Body.String())
		if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != tc.field {
			t.Errorf("%s: error links to %q, want %q", name, got, tc.field)
		}
	}
	if rec := h.page("/staff/councils/leeds", other); rec.Code != http.StatusOK {
		t.Fatal("a refused change ended a session")
	}
	rec := h.form("/staff/account/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {next}, "new_password_confirm": {next}}, this, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %s", rec.Code, rec.Body)
	}
	if rec := h.page("/staff/account?changed=password", this); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Your password has been changed") {
		t.Errorf("this session after the change: %d", rec.Code)
	}
	if rec := h.page("/staff/councils/leeds", other); rec.Code != http.StatusSeeOther {
		t.Errorf("the other session: %d, want 303 to sign in", rec.Code)
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: apiTok}); rec.Code != http.StatusUnauthorized {
		t.Errorf("the API token: %d, want 401", rec.Code)
	}
	if rec := h.form("/signin", url.Values{"email": {"fac@leeds.example"}, "password": {"correct horse battery"}}, "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("the old password: %d", rec.Code)
	}

	// By API: the caller's token goes on working, the cookie ends.
	rec = h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": next}})
	var tok struct{ Token string }
	if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
		t.Fatalf("token: %d", rec.Code)
	}
	rec = h.do(request{method: "PUT", path: "/api/v1/auth/password", token: tok.Token, body: map[string]string{"current_password": "wrong", "new_password": "yet another long password"}})
	if rec.Code != http.StatusBadRequest || decodeErr(t, rec).Error.Field != "current_password" {
		t.Errorf("API wrong current: %d %s", rec.Code, rec.Body)
	}
	rec = h.do(request{method: "PUT", path: "/api/v1/auth/password", token: tok.Token, body: map[string]string{"current_password": next, "new_password": "yet another long password"}})
	if rec.Code != http.StatusNoContent {
		t.Fatalf("API change: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: tok.Token}); rec.Code != 200 {
		t.Errorf("the caller's token after its change: %d", rec.Code)
	}
	if rec := h.page("/staff/councils/leeds", this); rec.Code != http.StatusSeeOther {
		t.Errorf("the cookie after an API change: %d", rec.Code)
	}
	if diff := cmp.Diff([]string{"user.password_changed", "user.password_changed"}, h.auditActions("leeds")); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
	if strings.Contains(h.logs.String(), next) {
		t.Error("a log line holds the password")
	}
}

// enrolTOTP sets up two-step sign-in through the pages and returns the
// secret and the recovery codes.
func (h *harness) enrolTOTP(cookie string) (secret string, recovery []string) {
	h.t.Helper()
	if rec := h.form("/staff/account/totp", url.Values{}, cookie, nil); rec.Code != http.StatusSeeOther {
		h.t.Fatalf("start: %d", rec.Code)
	}
	rec := h.page("/staff/account/totp", cookie)
	doc := htmltest.Parse(h.t, rec.Body.String())
	htmltest.One(h.t, doc, "svg.qr path")
	secret = strings.ReplaceAll(htmltest.Text(htmltest.One(h.t, doc, ".code-card-code code")), " ", "")
	if len(secret) < 16 {
		h.t.Fatalf("secret %q", secret)
	}
	code, err := totp.GenerateCode(secret, h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	rec = h.form("/staff/account/totp/confirm", url.Values{"code": {code}}, cookie, nil)
	if rec.Code != http.StatusOK {
		h.t.Fatalf("confirm: %d %s", rec.Code, rec.Body)
	}
	for _, li := range htmltest.All(htmltest.Parse(h.t, rec.Body.String()), "ol.recovery-codes li") {
		recovery = append(recovery, htmltest.Text(li))
	}
	return secret, recovery
}

// openSecret opens a user's stored TOTP secret with the harness's key,
// bound to the user as the server binds it.
func (h *harness) openSecret(userID, stored string) string {
	h.t.Helper()
	secret, err := h.secrets.Open(stored, "totp:"+userID)
	if err != nil {
		h.t.Fatalf("the stored secret does not open: %v", err)
	}
	return secret
}

// signInWithCode goes through both sign-in steps.
func (h *harness) signInWithCode(email, code string) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := h.form("/signin", url.Values{"email": {email}, "password": {"correct horse battery"}, "next": {"/staff/account"}}, "", nil)
	if rec.Code != http.StatusOK || sessionCookieOf(rec) != "" {
		h.t.Fatalf("password step: %d, cookie %q", rec.Code, sessionCookieOf(rec))
	}
	doc := htmltest.Parse(h.t, rec.Body.String())
	challenge := htmltest.Attr(htmltest.One(h.t, doc, `form[action="/signin"] input[name=challenge]`), "value")
	return h.form("/signin", url.Values{"challenge": {challenge}, "code": {code}, "next": {"/staff/account"}}, "", nil)
}

func TestTOTPEnrolAndSignIn(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	cookie := h.signIn("fac@leeds.example")

	// A wrong first code does not turn it on.
	if rec := h.form("/staff/account/totp", url.Values{}, cookie, nil); rec.Code != http.StatusSeeOther {
		t.Fatal(rec.Code)
	}
	rec := h.form("/staff/account/totp/confirm", url.Values{"code": {"000000"}}, cookie, nil)
	if rec.Code != http.StatusUnprocessableEntity || h.userByEmail("fac@leeds.example").HasTOTP() {
		t.Fatalf("wrong first code: %d", rec.Code)
	}
	secret, recovery := h.enrolTOTP(cookie)
	if len(recovery) != 10 {
		t.Fatalf("%d recovery codes", len(recovery))
	}
	u := h.userByEmail("fac@leeds.example")
	if got := h.openSecret(u.ID, u.TOTPSecret); got != secret || u.TOTPPending != "" {
		t.Fatalf("stored secret opens to %q, pending %q", got, u.TOTPPending)
	}
	// Recovery codes are stored only as hashes.
	for _, code := range recovery {
		n, _ := h.store.Database().Collection("recovery_codes").CountDocuments(context.Background(), bson.M{"_id": code})
		if n != 0 {
			t.Errorf("recovery code %s stored in the clear", code)
		}
	}
	// The secret is never in the API's answers.
	admin := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/users", token: admin}); strings.Contains(rec.Body.String(), secret) || !strings.Contains(rec.Body.String(), `"totp":true`) {
		t.Errorf("users answer: %s", rec.Body)
	}

	// The code that confirmed the set-up is spent: it cannot sign in.
	confirmed, _ := totp.GenerateCode(secret, h.now)
	if rec := h.signInWithCode("fac@leeds.example", confirmed); rec.Code != http.StatusUnauthorized {
		t.Errorf("the set-up code reused: %d", rec.Code)
	}
	h.now = h.now.Add(30 * time.Second)
	if rec := h.signInWithCode("fac@leeds.example", "123456"); rec.Code != http.StatusUnauthorized || sessionCookieOf(rec) != "" {
		t.Errorf("a wrong code: %d", rec.Code)
	} else {
		doc := htmltest.Parse(t, rec.Body.String())
		if got := htmltest.Attr(htmltest.One(t, doc, ".error-summary a"), "href"); got != "#code" {
			t.Errorf("error links to %q", got)
		}
	}
	code, _ := totp.GenerateCode(secret, h.now)
	rec = h.signInWithCode("fac@leeds.example", code)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/account" || sessionCookieOf(rec) == "" {
		t.Fatalf("the right code: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := h.page("/staff/account", sessionCookieOf(rec)); rec.Code != http.StatusOK {
		t.Errorf("signed in with the code: %d", rec.Code)
	}
	// The same code again, within its window: refused.
	h.now = h.now.Add(10 * time.Second)
	if rec := h.signInWithCode("fac@leeds.example", code); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "used already") {
		t.Errorf("a replayed code: %d", rec.Code)
	}

	// The API: no code, a wrong one, a right one, the same again. (Each
	// failure above counted against the email's sign-in budget: wait for
	// it to refill.)
	h.now = h.now.Add(5 * time.Minute)
	code, _ = totp.GenerateCode(secret, h.now)
	for _, tc := range []struct {
		name, totp, wantCode string
		status               int
	}{
		{"no code", "", "totp_required", http.StatusUnauthorized},
		{"wrong code", "999999", "totp_invalid", http.StatusUnauthorized},
		{"right code", code, "", http.StatusCreated},
		{"replayed code", code, "totp_replayed", http.StatusUnauthorized},
	} {
		rec := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "correct horse battery", "totp": tc.totp}})
		if rec.Code != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, rec.Code, tc.status, rec.Body)
			continue
		}
		if tc.wantCode != "" {
			if e := decodeErr(t, rec); e.Error.Code != tc.wantCode || e.Error.Field != "totp" {
				t.Errorf("%s: %+v", tc.name, e.Error)
			}
		}
	}
	// A wrong password with no code is the plain wrong-credentials answer.
	rec = h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "wrong password"}})
	if rec.Code != http.StatusUnauthorized || decodeErr(t, rec).Error.Code != "invalid_credentials" {
		t.Errorf("wrong password: %s", rec.Body)
	}

	// A recovery code works once, by page or API, in any case.
	h.now = h.now.Add(5 * time.Minute)
	if rec := h.signInWithCode("fac@leeds.example", strings.ToLower(recovery[0])); rec.Code != http.StatusSeeOther {
		t.Errorf("a recovery code: %d", rec.Code)
	}
	if rec := h.signInWithCode("fac@leeds.example", recovery[0]); rec.Code != http.StatusUnauthorized {
		t.Errorf("the same recovery code again: %d", rec.Code)
	}
	if rec := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "correct horse battery", "totp": recovery[0]}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("the same recovery code by API: %d", rec.Code)
	}
	if rec := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "correct horse battery", "totp": recovery[1]}}); rec.Code != http.StatusCreated {
		t.Errorf("another recovery code by API: %d", rec.Code)
	}
	if left, err := h.store.RecoveryCodesLeft(context.Background(), u.ID); err != nil || left != 8 {
		t.Errorf("recovery codes left %d (%v), want 8", left, err)
	}
	// The challenge token opens nothing else.
	h.now = h.now.Add(5 * time.Minute)
	rec = h.form("/signin", url.Values{"email": {"fac@leeds.example"}, "password": {"correct horse battery"}}, "", nil)
	challenge := htmltest.Attr(htmltest.One(t, htmltest.Parse(t, rec.Body.String()), "input[name=challenge]"), "value")
	if rec := h.page("/staff/account", challenge); rec.Code != http.StatusSeeOther {
		t.Errorf("the challenge as a cookie: %d", rec.Code)
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: challenge}); rec.Code != http.StatusUnauthorized {
		t.Errorf("the challenge as a token: %d", rec.Code)
	}
	// It expires.
	h.now = h.now.Add(6 * time.Minute)
	code, _ = totp.GenerateCode(secret, h.now)
	if rec := h.form("/signin", url.Values{"challenge": {challenge}, "code": {code}}, "", nil); rec.Code != http.StatusUnauthorized || sessionCookieOf(rec) != "" {
		t.Errorf("an expired challenge: %d", rec.Code)
	}

	// New recovery codes replace the old; turning it off needs the password.
	h.now = h.now.Add(5 * time.Minute)
	rec = h.form("/staff/account/recovery-codes", url.Values{"password": {"correct horse battery"}}, cookie, nil)
	if rec.Code != http.StatusOK || len(htmltest.All(htmltest.Parse(t, rec.Body.String()), "ol.recovery-codes li")) != 10 {
		t.Errorf("renew: %d", rec.Code)
	}
	if rec := h.signInWithCode("fac@leeds.example", recovery[2]); rec.Code != http.StatusUnauthorized {
		t.Errorf("an old recovery code after renewal: %d", rec.Code)
	}
	if rec := h.form("/staff/account/totp/disable", url.Values{"password": {"wrong"}}, cookie, nil); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("disable with a wrong password: %d", rec.Code)
	}
	if rec := h.form("/staff/account/totp/disable", url.Values{"password": {"correct horse battery"}}, cookie, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("disable: %d", rec.Code)
	}
	if h.userByEmail("fac@leeds.example").HasTOTP() {
		t.Error("still on after disabling")
	}
	want := []string{"totp.enabled", "recovery_code.used", "recovery_code.used", "recovery_codes.renewed", "totp.disabled"}
	if diff := cmp.Diff(want, h.auditActions("leeds")); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

// TestTOTPCodeStepIsThrottled: wrong codes count as failed sign-ins.
func TestTOTPCodeStepIsThrottled(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	h.enrolTOTP(h.signIn("fac@leeds.example"))
	rec := h.form("/signin", url.Values{"email": {"fac@leeds.example"}, "password": {"correct horse battery"}}, "", nil)
	challenge := htmltest.Attr(htmltest.One(t, htmltest.Parse(t, rec.Body.String()), "input[name=challenge]"), "value")
	var last int
	for range 8 {
		last = h.form("/signin", url.Values{"challenge": {challenge}, "code": {"000001"}}, "", nil).Code
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("after 8 wrong codes: %d, want 429", last)
	}
}

func TestRequiredTOTPForCouncilAdmins(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	adminTok := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	facTok := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	root, admin := h.signIn("root@yousaid.example"), h.signIn("admin@leeds.example")

	if rec := h.form("/staff/settings", url.Values{"require_totp": {"on"}}, admin, nil); rec.Code != http.StatusForbidden {
		t.Errorf("a council admin changes the settings: %d", rec.Code)
	}
	if rec := h.form("/staff/settings", url.Values{"require_totp": {"on"}}, root, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d", rec.Code)
	}
	rec := h.page("/staff/councils/leeds", admin)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/account/totp" {
		t.Errorf("an admin without it: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := h.page("/staff/account/totp", admin); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "requires two-step sign-in") {
		t.Errorf("the set-up page: %d", rec.Code)
	}
	rec = h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: adminTok})
	if rec.Code != http.StatusForbidden || decodeErr(t, rec).Error.Code != "totp_setup_required" {
		t.Errorf("the admin's API token: %d %s", rec.Code, rec.Body)
	}
	rec = h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "admin@leeds.example", "password": "correct horse battery"}})
	if rec.Code != http.StatusForbidden || decodeErr(t, rec).Error.Code != "totp_setup_required" {
		t.Errorf("a new token for the admin: %d %s", rec.Code, rec.Body)
	}
	// Others carry on.
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: facTok}); rec.Code != http.StatusOK {
		t.Errorf("a facilitator: %d", rec.Code)
	}
	if rec := h.page("/staff", root); rec.Code != http.StatusOK {
		t.Errorf("the platform admin: %d", rec.Code)
	}

	h.enrolTOTP(admin)
	if rec := h.page("/staff/councils/leeds", admin); rec.Code != http.StatusOK {
		t.Errorf("after setting it up: %d", rec.Code)
	}
	// It cannot be turned off while required.
	if rec := h.form("/staff/account/totp/disable", url.Values{"password": {"correct horse battery"}}, admin, nil); rec.Code != http.StatusForbidden {
		t.Errorf("turn off while required: %d", rec.Code)
	}
	if !h.userByEmail("admin@leeds.example").HasTOTP() {
		t.Error("turned off while required")
	}
	if diff := cmp.Diff([]string{"settings.changed"}, h.auditActions("")); diff != "" {
		t.Errorf("platform audit mismatch (-want +got):\n%s", diff)
	}
	doc := htmltest.Parse(t, h.page("/staff/settings", root).Body.String())
	htmltest.One(t, doc, "input#require_totp[checked]")
	if rows := htmltest.All(doc, "table.audit tbody tr"); len(rows) != 1 {
		t.Errorf("settings page audit rows: %d", len(rows))
	}
	// By API too.
	rootTok := h.user("root2@yousaid.example", store.RolePlatformAdmin, "")
	rec = h.do(request{method: "PUT", path: "/api/v1/settings", token: rootTok, body: map[string]any{"require_totp_council_admins": false}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"require_totp_council_admins":false`) {
		t.Errorf("API settings: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: adminTok}); rec.Code != http.StatusOK {
		t.Errorf("once not required: %d", rec.Code)
	}
}
