package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"yousaid/server/internal/store"
)

func TestTokenCredentials(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("staff@leeds.example", store.RoleFacilitator, "leeds")

	good := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "Staff@Leeds.example", "password": "correct horse battery"}})
	if good.Code != 201 {
		t.Fatalf("good credentials: %d %s", good.Code, good.Body)
	}
	var tok struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := json.Unmarshal(good.Body.Bytes(), &tok); err != nil || tok.Token == "" || tok.ExpiresAt == "" {
		t.Fatalf("token body: %s", good.Body)
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: tok.Token}); rec.Code != 200 {
		t.Fatalf("token not accepted: %d", rec.Code)
	}

	wrongPassword := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "staff@leeds.example", "password": "wrong password!"}})
	noSuchUser := h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "nobody@leeds.example", "password": "wrong password!"}})
	if wrongPassword.Code != 401 || noSuchUser.Code != 401 {
		t.Fatalf("statuses %d and %d, want 401", wrongPassword.Code, noSuchUser.Code)
	}
	if wrongPassword.Body.String() != noSuchUser.Body.String() {
		t.Fatalf("answers differ:\n%s\n%s", wrongPassword.Body, noSuchUser.Body)
	}

	if rec := h.do(request{method: "DELETE", path: "/api/v1/auth/tokens", token: tok.Token}); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d", rec.Code)
	}
	if rec := h.do(request{method: "GET", path: "/api/v1/councils/leeds/waves", token: tok.Token}); rec.Code != 401 {
		t.Fatalf("revoked token: %d, want 401", rec.Code)
	}
}

func TestTenancyAndRoles(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.council("york")
	platform := h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	leedsAdmin := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	leedsFacilitator := h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	leedsForum := h.user("forum@leeds.example", store.RoleCoProducer, "leeds")
	yorkAdmin := h.user("admin@york.example", store.RoleCouncilAdmin, "york")
	leedsCodes := h.wave("leeds", store.AccessCodes)

	waveBody := map[string]string{"survey": "test-survey", "name": "2027 baseline", "access": "open"}
	tests := []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		want   int
	}{
		{"no token", "GET", "/api/v1/councils/leeds/waves", "", nil, 401},
		{"bad token", "GET", "/api/v1/councils/leeds/waves", "nonsense", nil, 401},
		{"facilitator lists waves", "GET", "/api/v1/councils/leeds/waves", leedsFacilitator, nil, 200},
		{"co-producer may not list waves", "GET", "/api/v1/councils/leeds/waves", leedsForum, nil, 403},
		{"another council's waves are not found", "GET", "/api/v1/councils/leeds/waves", yorkAdmin, nil, 404},
		{"platform admin sees any council", "GET", "/api/v1/councils/leeds/waves", platform, nil, 200},
		{"facilitator may not open a wave", "POST", "/api/v1/councils/leeds/waves", leedsFacilitator, waveBody, 403},
		{"council admin opens a wave", "POST", "/api/v1/councils/leeds/waves", leedsAdmin, waveBody, 201},
		{"another council admin may not", "POST", "/api/v1/councils/leeds/waves", yorkAdmin, waveBody, 404},
		{"another council's codes are not found", "POST", "/api/v1/waves/" + leedsCodes.ID + "/codes", yorkAdmin, map[string]int{"count": 2}, 404},
		{"facilitator may not make codes", "POST", "/api/v1/waves/" + leedsCodes.ID + "/codes", leedsFacilitator, map[string]int{"count": 2}, 403},
		{"council admin makes codes", "POST", "/api/v1/waves/" + leedsCodes.ID + "/codes", leedsAdmin, map[string]int{"count": 2}, 201},
		{"too many codes", "POST", "/api/v1/waves/" + leedsCodes.ID + "/codes", leedsAdmin, map[string]int{"count": 5000}, 400},
		{"another council's wave cannot be closed", "POST", "/api/v1/waves/" + leedsCodes.ID + "/close", yorkAdmin, nil, 404},
		{"council admin may not create councils", "POST", "/api/v1/councils", leedsAdmin, map[string]any{"slug": "hull", "name": "Hull"}, 403},
		{"platform admin creates a council", "POST", "/api/v1/councils", platform, map[string]any{"slug": "hull", "name": "Hull City Council", "languages": []string{"en", "ar", "ps"}}, 201},
		{"slug taken", "POST", "/api/v1/councils", platform, map[string]any{"slug": "hull", "name": "Hull"}, 409},
		{"unknown language", "POST", "/api/v1/councils", platform, map[string]any{"slug": "bath", "name": "Bath", "languages": []string{"xx"}}, 400},
		{"council admin adds a facilitator", "POST", "/api/v1/councils/leeds/users", leedsAdmin, map[string]string{"email": "new@leeds.example", "password": "a long enough password", "role": "facilitator"}, 201},
		{"no platform admins from councils", "POST", "/api/v1/councils/leeds/users", leedsAdmin, map[string]string{"email": "x@leeds.example", "password": "a long enough password", "role": "platform_admin"}, 400},
		{"short password", "POST", "/api/v1/councils/leeds/users", leedsAdmin, map[string]string{"email": "y@leeds.example", "password": "short", "role": "facilitator"}, 400},
		{"email taken", "POST", "/api/v1/councils/leeds/users", leedsAdmin, map[string]string{"email": "new@leeds.example", "password": "a long enough password", "role": "facilitator"}, 409},
		{"another council's users", "POST", "/api/v1/councils/leeds/users", yorkAdmin, map[string]string{"email": "z@leeds.example", "password": "a long enough password", "role": "facilitator"}, 404},
		{"unknown survey", "POST", "/api/v1/councils/leeds/waves", leedsAdmin, map[string]string{"survey": "nope", "name": "x"}, 400},
		{"closes in the past", "POST", "/api/v1/councils/leeds/waves", leedsAdmin, map[string]string{"survey": "test-survey", "name": "x", "closes_at": "2020-01-01T00:00:00Z"}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.do(request{method: tt.method, path: tt.path, token: tt.token, body: tt.body})
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if rec.Code >= 400 {
				decodeErr(t, rec)
			}
			if rec.Code == 200 || rec.Code == 201 {
				if rec.Body.Len() == 0 || rec.Body.Bytes()[0] != '{' {
					t.Fatalf("body is not a JSON object: %s", rec.Body)
				}
			}
		})
	}
}

func TestCreateWaveAndCodes(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	admin := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	rec := h.do(request{method: "POST", path: "/api/v1/councils/leeds/waves", token: admin,
		body: map[string]string{"survey": "life-beyond-care", "name": "Leeds 2027 baseline", "access": "codes", "closes_at": "2027-06-30T23:00:00Z"}})
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var w struct {
		ID, Survey, Access, URL string
		Version                 int
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil {
		t.Fatal(err)
	}
	if w.Survey != "life-beyond-care" || w.Version != 1 || w.Access != "codes" || w.URL != "/w/"+w.ID {
		t.Fatalf("wave = %+v", w)
	}
	rec = h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/codes", token: admin, body: map[string]int{"count": 50}})
	if rec.Code != 201 {
		t.Fatalf("codes: %d %s", rec.Code, rec.Body)
	}
	var codes struct{ Codes []string }
	if err := json.Unmarshal(rec.Body.Bytes(), &codes); err != nil || len(codes.Codes) != 50 {
		t.Fatalf("codes: %s", rec.Body)
	}
	seen := map[string]bool{}
	for _, c := range codes.Codes {
		if seen[c] {
			t.Fatalf("code %s twice", c)
		}
		seen[c] = true
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("codes may be cached")
	}
}
