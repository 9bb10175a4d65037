package web_test

// Security controls, each with its test (docs/security.md lists them):
// tenancy on every staff route (a walk of the registered routes that fails
// when a route is added without being classified here), cross-origin form
// posts refused, the session cookie's flags, CSP and security headers on
// every page, token expiry and revocation over HTTP, passwords never
// logged or returned, and NoSQL operator injection refused in every path
// parameter and every JSON body.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/store"
	"yousaid/server/internal/web"
)

// access says who may use a route.
type access int

const (
	// public routes need no sign-in (anonymous young people, the public
	// pages, health checks, sign-in itself).
	public access = iota
	// tokenCouncil routes need a bearer token and act on one council's
	// things: another council's staff get 404, as if they did not exist.
	tokenCouncil
	// tokenPlatform routes need a bearer token but have no council in
	// scope: what another council's staff get is in cross.
	tokenPlatform
	// sessionCouncil pages need the sign-in cookie and show one council's
	// things: another council's staff get the 404 page.
	sessionCouncil
	// sessionPlatform pages need the sign-in cookie, no council in scope.
	sessionPlatform
)

// routeRule classifies one route. body is a valid JSON body (API) or form
// (pages) for it, so that a missing check shows as a success rather than
// hiding behind a 400; cross is the status another council's
// council_admin gets (default 404).
type routeRule struct {
	access access
	body   func(f *secFixture) any
	cross  int
}

// routeRules classifies every route. A route the server registers that is
// not here fails TestEveryRouteIsClassified: decide who may use it, and
// give it a body that would succeed.
var routeRules = map[string]routeRule{
	"GET /healthz":                          {access: public},
	"GET /readyz":                           {access: public},
	"GET /static/*file":                     {access: public},
	"GET /":                                 {access: public},
	"GET /signin":                           {access: public},
	"POST /signin":                          {access: public},
	"POST /signout":                         {access: public},
	"GET /w/:wave":                          {access: public},
	"POST /w/:wave":                         {access: public},
	"GET /w/:wave/thanks":                   {access: public},
	"GET /c/:council":                       {access: public},
	"GET /c/:council/feed.atom":             {access: public},
	"GET /j/:code":                          {access: public},
	"POST /j/:code":                         {access: public},
	"GET /j/:code/thanks":                   {access: public},
	"POST /api/v1/auth/tokens":              {access: public},
	"GET /api/v1/surveys":                   {access: public},
	"GET /api/v1/surveys/:survey":           {access: public},
	"POST /api/v1/waves/:wave/responses":    {access: public},
	"GET /api/v1/councils/:council/actions": {access: public},
	"POST /api/v1/sessions/:id/votes":       {access: public}, // :id is the join code

	"DELETE /api/v1/auth/tokens": {access: tokenPlatform, cross: http.StatusNoContent},
	"POST /api/v1/councils": {access: tokenPlatform, cross: http.StatusForbidden, body: func(*secFixture) any {
		return map[string]any{"slug": "hull", "name": "Hull City Council"}
	}},
	"POST /api/v1/councils/:council/users": {access: tokenCouncil, body: func(*secFixture) any {
		return map[string]any{"email": "new@leeds.example", "password": "a long enough password", "role": "facilitator"}
	}},
	"POST /api/v1/councils/:council/waves": {access: tokenCouncil, body: func(*secFixture) any {
		return map[string]any{"survey": "test-survey", "name": "Stolen wave", "access": "open"}
	}},
	"GET /api/v1/councils/:council/waves":     {access: tokenCouncil},
	"POST /api/v1/waves/:wave/codes":          {access: tokenCouncil, body: func(*secFixture) any { return map[string]any{"count": 2} }},
	"POST /api/v1/waves/:wave/close":          {access: tokenCouncil},
	"GET /api/v1/waves/:wave/texts":           {access: tokenCouncil},
	"POST /api/v1/texts/:id":                  {access: tokenCouncil, body: func(*secFixture) any { return map[string]any{"status": "approved"} }},
	"GET /api/v1/waves/:wave/results":         {access: tokenCouncil},
	"GET /api/v1/waves/:wave/results.csv":     {access: tokenCouncil},
	"GET /api/v1/waves/:wave/export.csv":      {access: tokenCouncil},
	"POST /api/v1/councils/:council/sessions": {access: tokenCouncil, body: func(*secFixture) any { return sessionBody() }},
	"GET /api/v1/councils/:council/sessions":  {access: tokenCouncil},
	"GET /api/v1/sessions/:id/tally":          {access: tokenCouncil},
	"POST /api/v1/sessions/:id/close":         {access: tokenCouncil},
	"POST /api/v1/councils/:council/actions":  {access: tokenCouncil, body: func(*secFixture) any { return actionBody() }},
	"PATCH /api/v1/actions/:id":               {access: tokenCouncil, body: func(*secFixture) any { return map[string]any{"owner": "Stolen"} }},
	"POST /api/v1/actions/:id/updates": {access: tokenCouncil, body: func(*secFixture) any {
		return map[string]any{"text": map[string]string{"en": "Stolen update"}}
	}},
	"POST /api/v1/actions/:id/verdicts": {access: tokenCouncil, body: func(*secFixture) any {
		return map[string]any{"verdict": "agreed", "comment": map[string]string{"en": "Stolen verdict"}}
	}},
	"GET /api/v1/actions/:id":       {access: tokenCouncil},
	"GET /api/v1/actions/:id/audit": {access: tokenCouncil},

	"GET /staff":                   {access: sessionPlatform, cross: http.StatusSeeOther},
	"GET /staff/councils/:council": {access: sessionCouncil},
	// The translation coverage of the interface and the seed surveys: no
	// council's data, any signed-in staff member may see it.
	"GET /staff/languages": {access: sessionPlatform, cross: http.StatusOK},
	"POST /staff/councils/:council/waves": {access: sessionCouncil, body: func(*secFixture) any {
		return url.Values{"survey": {"test-survey"}, "name": {"Stolen wave"}, "access": {"open"}}
	}},
	"POST /staff/waves/:wave/close":         {access: sessionCouncil},
	"POST /staff/waves/:wave/codes":         {access: sessionCouncil, body: func(*secFixture) any { return url.Values{"count": {"2"}} }},
	"GET /staff/waves/:wave/texts":          {access: sessionCouncil},
	"POST /staff/texts/:id":                 {access: sessionCouncil, body: func(*secFixture) any { return url.Values{"status": {"approved"}} }},
	"GET /staff/waves/:wave":                {access: sessionCouncil},
	"GET /staff/waves/:wave/results":        {access: sessionCouncil},
	"GET /staff/councils/:council/sessions": {access: sessionCouncil},
	"POST /staff/councils/:council/sessions": {access: sessionCouncil, body: func(*secFixture) any {
		return url.Values{"title": {"Stolen session"}, "options": {"housing\nmoney"}}
	}},
	"GET /staff/councils/:council/actions": {access: sessionCouncil},
	"POST /staff/councils/:council/actions": {access: sessionCouncil, body: func(*secFixture) any {
		return url.Values{"you_said": {"Stolen"}, "we_will": {"Stolen"}, "owner": {"Housing"}, "due": {"2027-03-31"}}
	}},
	"GET /staff/councils/:council/audit": {access: sessionCouncil},
	"GET /staff/actions/:id":             {access: sessionCouncil},
	"POST /staff/actions/:id": {access: sessionCouncil, body: func(*secFixture) any {
		return url.Values{"you_said": {"Stolen"}, "we_will": {"Stolen"}, "owner": {"Stolen"}, "due": {"2027-03-31"}, "version": {"1"}}
	}},
	"POST /staff/actions/:id/status":   {access: sessionCouncil, body: func(*secFixture) any { return url.Values{"status": {"agreed"}, "version": {"1"}} }},
	"POST /staff/actions/:id/updates":  {access: sessionCouncil, body: func(*secFixture) any { return url.Values{"text": {"Stolen update"}} }},
	"POST /staff/actions/:id/publish":  {access: sessionCouncil, body: func(*secFixture) any { return url.Values{"published": {"true"}, "version": {"1"}} }},
	"POST /staff/actions/:id/verdicts": {access: sessionCouncil, body: func(*secFixture) any { return url.Values{"verdict": {"agreed"}, "comment": {"Stolen"}} }},
	"GET /staff/sessions/:id/present":  {access: sessionCouncil},
	"GET /staff/sessions/:id/events":   {access: sessionCouncil},
	"POST /staff/sessions/:id/close":   {access: sessionCouncil},
}

// pathFixtures fill route parameters of features that keep their rules
// in their own test files (added from init there).
var pathFixtures = map[string]func(f *secFixture) string{}

func sessionBody() map[string]any {
	return map[string]any{"title": "Forum night", "options": []map[string]any{
		{"value": "housing", "label": map[string]string{"en": "Housing"}},
		{"value": "money", "label": map[string]string{"en": "Money"}},
	}, "max_choices": 1}
}

func actionBody() map[string]any {
	return map[string]any{
		"you_said": map[string]string{"en": "We don't feel safe at home."},
		"we_will":  map[string]string{"en": "Offer video doorbells."},
		"owner":    "Housing", "due": "2027-03-31",
	}
}

// secFixture is two councils, their staff, and things of Leeds's for
// York's staff to reach for.
type secFixture struct {
	h                                     *harness
	leedsAdmin, leedsFac, leedsForum      string // API tokens
	platform                              string
	leedsAdminID, yorkAdminID, platformID string
	wave                                  *store.Wave
	text, session, joinCode, action       string
}

func newSecFixture(t *testing.T) *secFixture {
	t.Helper()
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	f := &secFixture{h: h}
	f.platform = h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	f.leedsAdmin = h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	f.leedsFac = h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	f.leedsForum = h.user("forum@leeds.example", store.RoleCoProducer, "leeds")
	h.user("admin@york.example", store.RoleCouncilAdmin, "york")
	f.leedsAdminID = f.userID("admin@leeds.example")
	f.yorkAdminID = f.userID("admin@york.example")
	f.platformID = f.userID("root@yousaid.example")
	f.wave = h.wave("leeds", store.AccessCodes)
	open := h.wave("leeds", store.AccessOpen)

	// A free-text answer for the moderation routes.
	rec := h.do(request{method: "POST", path: "/api/v1/waves/" + open.ID + "/responses",
		body: map[string]any{"language": "en", "answers": map[string]any{"age_band": "18-20", "anything_else": "I live in Leeds."}}})
	if rec.Code != 201 {
		t.Fatalf("fixture response: %d %s", rec.Code, rec.Body)
	}
	if err := h.tally.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	texts, err := h.store.Texts(context.Background(), open.ID, store.TextPending, 10)
	if err != nil || len(texts) != 1 {
		t.Fatalf("fixture text: %v %d", err, len(texts))
	}
	f.text = texts[0].ID

	routes := f.routes()
	if routes["POST /api/v1/councils/:council/sessions"] {
		var s struct {
			ID       string `json:"id"`
			JoinCode string `json:"join_code"`
		}
		rec := h.do(request{method: "POST", path: "/api/v1/councils/leeds/sessions", token: f.leedsFac, body: sessionBody()})
		if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &s) != nil {
			t.Fatalf("fixture session: %d %s", rec.Code, rec.Body)
		}
		f.session, f.joinCode = s.ID, s.JoinCode
	}
	if routes["POST /api/v1/councils/:council/actions"] {
		var a struct {
			ID string `json:"id"`
		}
		rec := h.do(request{method: "POST", path: "/api/v1/councils/leeds/actions", token: f.leedsFac, body: actionBody()})
		if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &a) != nil {
			t.Fatalf("fixture action: %d %s", rec.Code, rec.Body)
		}
		f.action = a.ID
	}
	return f
}

func (f *secFixture) userID(email string) string {
	f.h.t.Helper()
	u, err := f.h.store.UserByEmail(context.Background(), email)
	if err != nil {
		f.h.t.Fatal(err)
	}
	return u.ID
}

// token makes a fresh token of kind for a user: a route may revoke the
// one it is sent with.
func (f *secFixture) token(userID, kind string) string {
	f.h.t.Helper()
	tok, _, err := f.h.store.CreateToken(context.Background(), userID, kind, time.Hour)
	if err != nil {
		f.h.t.Fatal(err)
	}
	return tok
}

func (f *secFixture) routes() map[string]bool {
	out := map[string]bool{}
	for _, r := range f.h.srv.Routes() {
		out[r.Method+" "+r.Path] = true
	}
	return out
}

// path fills a route template with Leeds's things.
func (f *secFixture) path(route string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		switch {
		case p == ":council":
			parts[i] = "leeds"
		case p == ":wave":
			parts[i] = f.wave.ID
		case p == ":survey":
			parts[i] = "test-survey"
		case p == "*file" && parts[1] == "audio":
			parts[i] = strings.Repeat("0", 64) + ".opus" // no such clip: a public 404
		case p == "*file":
			parts[i] = "site.css"
		case p == ":question":
			parts[i] = "home_safe"
		case p == ":lang":
			parts[i] = "ar"
		case p == ":join_code" || p == ":code":
			parts[i] = f.joinCode
		case p == ":id":
			switch parts[i-1] {
			case "texts":
				parts[i] = f.text
			case "sessions":
				parts[i] = f.session
				if i+1 < len(parts) && parts[i+1] == "votes" {
					parts[i] = f.joinCode
				}
			case "actions":
				parts[i] = f.action
			default:
				f.h.t.Fatalf("%s: no fixture for :id after %q", route, parts[i-1])
			}
		case pathFixtures[p] != nil:
			parts[i] = pathFixtures[p](f)
		case strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*"):
			f.h.t.Fatalf("%s: no fixture for %s: add one to secFixture.path", route, p)
		}
	}
	return strings.Join(parts, "/")
}

// send makes one request: JSON or a same-origin form, with a bearer
// token or a session cookie.
func (f *secFixture) send(method, path string, body any, token, cookie string, header map[string]string) *httptest.ResponseRecorder {
	var req *http.Request
	switch b := body.(type) {
	case url.Values:
		req = httptest.NewRequest(method, path, strings.NewReader(b.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case nil:
		req = httptest.NewRequest(method, path, nil)
		if method != "GET" && strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
		}
		if method != "GET" && !strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	case string:
		req = httptest.NewRequest(method, path, strings.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
	default:
		j, _ := json.Marshal(b)
		req = httptest.NewRequest(method, path, strings.NewReader(string(j)))
		req.Header.Set("Content-Type", "application/json")
	}
	if method != "GET" {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "yousaid_session", Value: cookie})
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A stream (server-sent events) ends with its request.
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	f.h.srv.ServeHTTP(rec, req.WithContext(ctx))
	return rec
}

func (f *secFixture) bodyOf(rule routeRule) any {
	if rule.body == nil {
		return nil
	}
	return rule.body(f)
}

func sortedRoutes(routes map[string]bool) []string {
	out := make([]string, 0, len(routes))
	for r := range routes {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func TestEveryRouteIsClassified(t *testing.T) {
	f := newSecFixture(t)
	var missing []string
	for _, r := range sortedRoutes(f.routes()) {
		if _, ok := routeRules[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("routes nobody classified for the security tests: add each to routeRules in security_test.go (who may use it, and a valid body):\n  %s",
			strings.Join(missing, "\n  "))
	}
}

// TestTenancyOnEveryStaffRoute walks every registered route: without a
// sign-in a staff route answers 401 (API) or sends to the sign-in page;
// another council's council_admin gets 404 for Leeds's things, however
// valid the request; and Leeds's things are unchanged afterwards.
func TestTenancyOnEveryStaffRoute(t *testing.T) {
	f := newSecFixture(t)
	ctx := context.Background()
	checked := 0
	for _, route := range sortedRoutes(f.routes()) {
		rule, ok := routeRules[route]
		if !ok || rule.access == public {
			continue
		}
		method, tmpl, _ := strings.Cut(route, " ")
		path := f.path(tmpl)
		cross := rule.cross
		if cross == 0 {
			cross = http.StatusNotFound
		}
		checked++
		t.Run(route, func(t *testing.T) {
			switch rule.access {
			case tokenCouncil, tokenPlatform:
				if rec := f.send(method, path, f.bodyOf(rule), "", "", nil); rec.Code != http.StatusUnauthorized {
					t.Errorf("no token: %d, want 401: %s", rec.Code, rec.Body)
				}
				if rec := f.send(method, path, f.bodyOf(rule), "", f.token(f.leedsAdminID, store.TokenSession), nil); rec.Code != http.StatusUnauthorized {
					t.Errorf("a sign-in cookie on the API: %d, want 401 (the API takes bearer tokens only, so a hostile site cannot ride a cookie)", rec.Code)
				}
				if rec := f.send(method, path, f.bodyOf(rule), f.token(f.leedsAdminID, store.TokenSession), "", nil); rec.Code != http.StatusUnauthorized {
					t.Errorf("a session token as a bearer token: %d, want 401", rec.Code)
				}
				rec := f.send(method, path, f.bodyOf(rule), f.token(f.yorkAdminID, store.TokenAPI), "", nil)
				if rec.Code != cross {
					t.Errorf("another council's admin: %d, want %d: %s", rec.Code, cross, rec.Body)
				}
				if rec.Code >= 400 {
					decodeErr(t, rec)
				}
			case sessionCouncil, sessionPlatform:
				rec := f.send(method, path, f.bodyOf(rule), "", "", nil)
				if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/signin") {
					t.Errorf("no cookie: %d to %q, want 303 to /signin", rec.Code, rec.Header().Get("Location"))
				}
				rec = f.send(method, path, f.bodyOf(rule), "", f.token(f.leedsAdminID, store.TokenAPI), nil)
				if rec.Code != http.StatusSeeOther {
					t.Errorf("an API token as the cookie: %d, want 303 to /signin", rec.Code)
				}
				rec = f.send(method, path, f.bodyOf(rule), "", f.token(f.yorkAdminID, store.TokenSession), nil)
				if rec.Code != cross {
					t.Errorf("another council's admin: %d, want %d", rec.Code, cross)
				}
				if cross == http.StatusSeeOther && strings.Contains(rec.Header().Get("Location"), "leeds") {
					t.Errorf("another council's admin was sent to %q", rec.Header().Get("Location"))
				}
			}
		})
	}
	if checked < 10 {
		t.Fatalf("only %d staff routes checked: is the route walk broken?", checked)
	}

	// Nothing of Leeds's changed.
	w, err := f.h.store.Wave(ctx, f.wave.ID)
	if err != nil || w.Closed(f.h.now) {
		t.Errorf("Leeds's wave was closed by York: %v", err)
	}
	text, err := f.h.store.TextByID(ctx, f.text)
	if err != nil || text.Status != store.TextPending {
		t.Errorf("Leeds's text was moderated by York: %+v %v", text, err)
	}
	if _, err := f.h.store.UserByEmail(ctx, "new@leeds.example"); err == nil {
		t.Error("York added a user to Leeds")
	}
	waves, err := f.h.store.CouncilWaves(ctx, "leeds")
	if err != nil || len(waves) != 2 {
		t.Errorf("Leeds has %d waves, want its 2: %v", len(waves), err)
	}
	if f.action != "" {
		rec := f.send("GET", "/api/v1/actions/"+f.action, nil, f.leedsFac, "", nil)
		if strings.Contains(rec.Body.String(), "Stolen") {
			t.Errorf("York changed Leeds's action: %s", rec.Body)
		}
	}
}

// TestCrossOriginFormPostsRefused: every form POST, staff or anonymous,
// is refused when a browser says it comes from another site, with the
// victim's valid cookie, and changes nothing.
func TestCrossOriginFormPostsRefused(t *testing.T) {
	f := newSecFixture(t)
	checked := 0
	for _, route := range sortedRoutes(f.routes()) {
		method, tmpl, _ := strings.Cut(route, " ")
		if method == "GET" || strings.HasPrefix(tmpl, "/api/") {
			continue
		}
		path := f.path(tmpl)
		rule := routeRules[route]
		checked++
		t.Run(route, func(t *testing.T) {
			for name, header := range map[string]map[string]string{
				"Sec-Fetch-Site": {"Sec-Fetch-Site": "cross-site"},
				"Origin":         {"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
			} {
				cookie := f.token(f.leedsAdminID, store.TokenSession)
				rec := f.send(method, path, f.bodyOf(rule), "", cookie, header)
				if rec.Code != http.StatusForbidden {
					t.Errorf("%s cross-site: %d, want 403", name, rec.Code)
				}
				if len(rec.Result().Cookies()) > 0 {
					t.Errorf("%s cross-site: a cookie was set", name)
				}
			}
		})
	}
	if checked < 5 {
		t.Fatalf("only %d form posts checked", checked)
	}
	w, err := f.h.store.Wave(context.Background(), f.wave.ID)
	if err != nil || w.Closed(f.h.now) {
		t.Error("a cross-site post closed the wave")
	}
	if n := f.h.countResponses(f.wave.ID); n != 0 {
		t.Errorf("a cross-site post stored %d responses", n)
	}
}

// TestSessionCookieFlags: the sign-in cookie is HttpOnly, SameSite=Lax,
// site-wide, lives as long as the token, is Secure behind TLS, holds a
// token the store keeps only as a hash, and is cleared and revoked on
// sign-out.
func TestSessionCookieFlags(t *testing.T) {
	f := newSecFixture(t)
	signIn := func(header map[string]string) *http.Cookie {
		t.Helper()
		rec := f.send("POST", "/signin", url.Values{"email": {"admin@leeds.example"}, "password": {"correct horse battery"}}, "", "", header)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", rec.Code)
		}
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 || cookies[0].Name != "yousaid_session" {
			t.Fatalf("cookies: %+v", cookies)
		}
		return cookies[0]
	}
	c := signIn(nil)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.Secure {
		t.Errorf("cookie over http: %+v", c)
	}
	if c.MaxAge != int((12 * time.Hour).Seconds()) {
		t.Errorf("MaxAge = %d, want the token's lifetime", c.MaxAge)
	}
	if len(c.Value) < 40 {
		t.Errorf("a short session token: %d characters", len(c.Value))
	}
	if s := signIn(map[string]string{"X-Forwarded-Proto": "https"}); !s.Secure {
		t.Error("the cookie is not Secure behind TLS")
	}
	n, err := f.h.store.Database().Collection("tokens").CountDocuments(context.Background(), map[string]any{"_id": c.Value})
	if err != nil || n != 0 {
		t.Errorf("the session token is stored in the clear (%d, %v)", n, err)
	}
	out := f.send("POST", "/signout", url.Values{}, "", c.Value, nil)
	cleared := out.Result().Cookies()
	if out.Code != http.StatusSeeOther || len(cleared) != 1 || cleared[0].MaxAge >= 0 {
		t.Errorf("sign-out: %d %+v", out.Code, cleared)
	}
	if rec := f.send("GET", "/staff", nil, "", c.Value, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("the cookie still works after sign-out: %d", rec.Code)
	}
}

// cspDirectives parses a Content-Security-Policy.
func cspDirectives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// checkPageHeaders asserts the strict CSP and the other security headers.
func checkPageHeaders(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Header()
	csp := cspDirectives(h.Get("Content-Security-Policy"))
	want := map[string][]string{
		"default-src": {"'none'"}, "script-src": {"'self'"}, "style-src": {"'self'"},
		"frame-ancestors": {"'none'"}, "base-uri": {"'none'"}, "form-action": {"'self'"},
	}
	for d, v := range want {
		if !slices.Equal(csp[d], v) {
			t.Errorf("%s: CSP %s = %v, want %v", what, d, csp[d], v)
		}
	}
	for d, v := range csp {
		for _, src := range v {
			if strings.Contains(src, "unsafe") || src == "*" || strings.HasPrefix(src, "http") {
				t.Errorf("%s: CSP %s allows %s", what, d, src)
			}
		}
	}
	for name, value := range map[string]string{
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"Cross-Origin-Opener-Policy": "same-origin",
	} {
		if got := h.Get(name); got != value {
			t.Errorf("%s: %s = %q, want %q", what, name, got, value)
		}
	}
	if h.Get("Permissions-Policy") == "" {
		t.Errorf("%s: no Permissions-Policy", what)
	}
}

// checkNoInline asserts that an HTML page needs nothing the CSP forbids:
// no inline script, style or event handler.
func checkNoInline(t *testing.T, what, body string) {
	t.Helper()
	doc := htmltest.Parse(t, body)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" && !htmltest.HasAttr(n, "src") {
				t.Errorf("%s: an inline <script>", what)
			}
			if n.Data == "style" {
				t.Errorf("%s: an inline <style>", what)
			}
			for _, a := range n.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: <%s %s=…> is blocked by the CSP", what, n.Data, a.Key)
				}
				if (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					t.Errorf("%s: a javascript: URL", what)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// TestSecurityHeadersOnEveryPage walks every GET page route (signed in
// where it needs it) and the error pages.
func TestSecurityHeadersOnEveryPage(t *testing.T) {
	f := newSecFixture(t)
	cookie := f.token(f.leedsAdminID, store.TokenSession)
	checked := 0
	for _, route := range sortedRoutes(f.routes()) {
		method, tmpl, _ := strings.Cut(route, " ")
		if method != "GET" || strings.HasPrefix(tmpl, "/api/") || tmpl == "/healthz" || tmpl == "/readyz" || strings.HasSuffix(tmpl, "/events") {
			continue
		}
		path := f.path(tmpl)
		if tmpl == "/static/*file" {
			path = "/static/site.css"
		}
		rec := f.send("GET", path, nil, "", cookie, nil)
		checkPageHeaders(t, route, rec)
		if rec.Code == http.StatusOK && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			checked++
			checkNoInline(t, route, decodeBody(t, rec))
		}
	}
	for _, path := range []string{"/no/such/page", "/w/no-such-wave", "/staff/councils/york"} {
		rec := f.send("GET", path, nil, "", cookie, nil)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
		checkPageHeaders(t, path, rec)
		checkNoInline(t, path, decodeBody(t, rec))
	}
	for _, path := range []string{"/api/v1/surveys", "/api/v1/nothing", "/healthz"} {
		checkPageHeaders(t, path, f.send("GET", path, nil, "", "", nil))
	}
	if checked < 5 {
		t.Fatalf("only %d HTML pages checked", checked)
	}
}

// TestTokenExpiryAndRevocationOverHTTP: an API token or a sign-in cookie
// stops working at its expiry; a revoked one at once.
func TestTokenExpiryAndRevocationOverHTTP(t *testing.T) {
	f := newSecFixture(t)
	rec := f.send("POST", "/api/v1/auth/tokens", map[string]string{"email": "fac@leeds.example", "password": "correct horse battery"}, "", "", nil)
	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	if want := f.h.now.Add(12 * time.Hour); !tok.ExpiresAt.Equal(want) {
		t.Errorf("expires_at %s, want %s", tok.ExpiresAt, want)
	}
	cookie := f.token(f.leedsAdminID, store.TokenSession)
	if rec := f.send("GET", "/api/v1/councils/leeds/waves", nil, tok.Token, "", nil); rec.Code != 200 {
		t.Fatalf("fresh token: %d", rec.Code)
	}
	// The fixture's cookie lives an hour; the API token twelve.
	f.h.now = f.h.now.Add(time.Hour)
	if rec := f.send("GET", "/staff/councils/leeds", nil, "", cookie, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("an expired cookie: %d, want 303 to sign in", rec.Code)
	}
	if rec := f.send("GET", "/api/v1/councils/leeds/waves", nil, tok.Token, "", nil); rec.Code != 200 {
		t.Errorf("a token within its life: %d", rec.Code)
	}
	f.h.now = f.h.now.Add(11 * time.Hour)
	if rec := f.send("GET", "/api/v1/councils/leeds/waves", nil, tok.Token, "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("an expired token: %d, want 401", rec.Code)
	}

	fresh := f.token(f.leedsAdminID, store.TokenAPI)
	if rec := f.send("DELETE", "/api/v1/auth/tokens", nil, fresh, "", nil); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d", rec.Code)
	}
	if rec := f.send("GET", "/api/v1/councils/leeds/waves", nil, fresh, "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d, want 401", rec.Code)
	}
}

// TestPasswordsNeverLoggedOrReturned creates users, signs in right and
// wrong, and looks for the passwords and their hashes in every answer and
// every log line.
func TestPasswordsNeverLoggedOrReturned(t *testing.T) {
	f := newSecFixture(t)
	const newPassword = "Tr0ub4dor&3 horse staple"
	const wrongPassword = "n0t-the-right-password!"
	var answers []string
	record := func(rec *httptest.ResponseRecorder) {
		answers = append(answers, rec.Body.String())
		for k, v := range rec.Header() {
			answers = append(answers, k+": "+strings.Join(v, ","))
		}
	}
	rec := f.send("POST", "/api/v1/councils/leeds/users", map[string]string{"email": "pw@leeds.example", "password": newPassword, "role": "facilitator"}, f.leedsAdmin, "", nil)
	if rec.Code != 201 {
		t.Fatalf("create user: %d %s", rec.Code, rec.Body)
	}
	record(rec)
	record(f.send("POST", "/api/v1/councils/leeds/users", map[string]string{"email": "short@leeds.example", "password": "short", "role": "facilitator"}, f.leedsAdmin, "", nil))
	record(f.send("POST", "/api/v1/auth/tokens", map[string]string{"email": "pw@leeds.example", "password": newPassword}, "", "", nil))
	record(f.send("POST", "/api/v1/auth/tokens", map[string]string{"email": "pw@leeds.example", "password": wrongPassword}, "", "", nil))
	record(f.send("POST", "/signin", url.Values{"email": {"pw@leeds.example"}, "password": {wrongPassword}}, "", "", nil))
	record(f.send("POST", "/signin", url.Values{"email": {"pw@leeds.example"}, "password": {newPassword}}, "", "", nil))
	record(f.send("GET", "/staff/councils/leeds", nil, "", f.token(f.leedsAdminID, store.TokenSession), nil))
	u, err := f.h.store.UserByEmail(context.Background(), "pw@leeds.example")
	if err != nil {
		t.Fatal(err)
	}
	if u.PasswordHash == "" || strings.Contains(u.PasswordHash, newPassword) {
		t.Fatal("the password is not stored as a hash")
	}
	secrets := []string{newPassword, wrongPassword, "short", u.PasswordHash, "$2a$", "password_hash"}
	logs := f.h.logs.String()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("a log line contains %q", s)
		}
		for _, a := range answers {
			if s != "short" && strings.Contains(a, s) {
				t.Errorf("an answer contains %q: %.300s", s, a)
			}
		}
	}
	if strings.Contains(answers[0], "password") {
		t.Errorf("the created user's JSON mentions a password: %s", answers[0])
	}
}

// injections are values that would become query operators or paths into
// documents if they reached a filter as they are.
var injections = []string{`{"$ne":null}`, `{"$gt":""}`, `$where`, `$ne`, `a.b`, `..`, `{"$regex":".*"}`, `[$ne]`, `%00`}

// TestOperatorInjectionInPathParameters puts operator-like values in every
// route parameter, as the platform administrator (who may see anything
// that matches): never a success, never a 5xx.
func TestOperatorInjectionInPathParameters(t *testing.T) {
	f := newSecFixture(t)
	cookie := f.token(f.platformID, store.TokenSession)
	checked := 0
	for _, route := range sortedRoutes(f.routes()) {
		method, tmpl, _ := strings.Cut(route, " ")
		if !strings.Contains(tmpl, "/:") || strings.HasSuffix(tmpl, "/events") {
			continue
		}
		rule := routeRules[route]
		for _, inj := range injections {
			parts := strings.Split(f.path(tmpl), "/")
			for i, p := range strings.Split(tmpl, "/") {
				if strings.HasPrefix(p, ":") {
					parts[i] = url.PathEscape(inj)
				}
			}
			path := strings.Join(parts, "/")
			checked++
			rec := f.send(method, path, f.bodyOf(rule), f.token(f.platformID, store.TokenAPI), cookie, nil)
			// Every answer is a 4xx: no id, slug or code can hold these.
			bad := rec.Code < 400 || rec.Code >= 500
			if bad {
				t.Errorf("%s %s: %d %.200s", method, path, rec.Code, rec.Body)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d requests checked", checked)
	}
	if n := f.h.countResponses(f.wave.ID); n != 0 {
		t.Errorf("an injected path stored %d responses", n)
	}
}

// mutations returns copies of a JSON document, each with one operator
// smuggled in: a string or number replaced by {"$ne": null}, or an object
// given a "$where" or dotted key.
func mutations(doc any) []any {
	var out []any
	var walk func(v any, set func(any))
	walk = func(v any, set func(any)) {
		switch x := v.(type) {
		case map[string]any:
			for _, key := range []string{"$where", "a.b"} {
				x[key] = "1"
				out = append(out, deepCopy(doc))
				delete(x, key)
			}
			for k, child := range x {
				walk(child, func(nv any) { x[k] = nv })
			}
		case []any:
			for i, child := range x {
				walk(child, func(nv any) { x[i] = nv })
			}
		default:
			set(map[string]any{"$ne": nil})
			out = append(out, deepCopy(doc))
			set(x)
		}
	}
	walk(doc, func(any) {})
	return out
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// TestOperatorInjectionInJSONBodies sends every JSON endpoint its valid
// body with one operator smuggled in at a time: each is refused with a
// 4xx and nothing is created.
func TestOperatorInjectionInJSONBodies(t *testing.T) {
	f := newSecFixture(t)
	open := f.h.wave("leeds", store.AccessOpen)
	bodies := map[string]any{
		"POST /api/v1/auth/tokens": map[string]any{"email": "fac@leeds.example", "password": "correct horse battery"},
		"POST /api/v1/waves/:wave/responses": map[string]any{"language": "en", "code": "ABCD-EFGH",
			"answers": map[string]any{"age_band": "18-20", "areas": []any{"housing"}, "anxiety": 3, "anything_else": "text"}},
		"POST /api/v1/sessions/:id/votes": map[string]any{"choices": []any{"housing"}},
	}
	checked := 0
	for _, route := range sortedRoutes(f.routes()) {
		method, tmpl, _ := strings.Cut(route, " ")
		if !strings.HasPrefix(tmpl, "/api/") || method == "GET" || method == "DELETE" {
			continue
		}
		body, ok := bodies[route]
		if !ok {
			rule := routeRules[route]
			if rule.body == nil {
				continue
			}
			body = deepCopy(rule.body(f))
		}
		path := f.path(tmpl)
		if tmpl == "/api/v1/waves/:wave/responses" {
			path = "/api/v1/waves/" + open.ID + "/responses"
		}
		for _, m := range mutations(deepCopy(body)) {
			checked++
			rec := f.send(method, path, m, f.token(f.platformID, store.TokenAPI), "", nil)
			if rec.Code < 400 || rec.Code >= 500 {
				j, _ := json.Marshal(m)
				t.Errorf("%s %s: %d for %s: %.200s", method, path, rec.Code, j, rec.Body)
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d bodies checked", checked)
	}
	if n := f.h.countResponses(open.ID); n != 0 {
		t.Errorf("%d responses stored from injected bodies", n)
	}
	// Forms carry strings only, but a bracketed name must not become one.
	rec := f.send("POST", "/signin", url.Values{"email[$ne]": {"x"}, "password[$ne]": {"x"}}, "", "", nil)
	if rec.Code == http.StatusSeeOther {
		t.Error("a bracketed sign-in form signed someone in")
	}
	rec = f.send("POST", "/w/"+open.ID, url.Values{"lang": {"en"}, "age_band": {"18-20"}, "home_safe[$ne]": {"x"}}, "", "", nil)
	if rec.Code == http.StatusSeeOther {
		t.Error("a survey form with a bracketed field was stored")
	}
}

// TestAnonymousWritesAreLimited: every anonymous POST is either limited
// per client (clientLimitedRoutes) or has a limit of its own.
func TestAnonymousWritesAreLimited(t *testing.T) {
	f := newSecFixture(t)
	ownLimits := map[string]string{
		"POST /api/v1/auth/tokens": "sign-in throttling",
		"POST /signin":             "sign-in throttling",
		"POST /signout":            "acts on the caller's own cookie only",
	}
	for _, route := range sortedRoutes(f.routes()) {
		method, _, _ := strings.Cut(route, " ")
		rule, classified := routeRules[route]
		if method == "GET" || !classified || rule.access != public {
			continue
		}
		if !web.ClientLimited(route) && ownLimits[route] == "" {
			t.Errorf("%s is an anonymous write without a per-client limit: add it to clientLimitedRoutes in limits.go", route)
		}
	}
}

func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		t.Fatalf("gzip answer without Accept-Encoding")
	}
	return rec.Body.String()
}
