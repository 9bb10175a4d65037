package web_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/server/internal/htmltest"
	"yousaid/server/internal/secretbox"
	"yousaid/server/internal/store"
)

// rawUser is a user's document exactly as the store holds it.
func (h *harness) rawUser(id string) bson.Raw {
	h.t.Helper()
	raw, err := h.store.Database().Collection("users").FindOne(context.Background(), bson.M{"_id": id}).Raw()
	if err != nil {
		h.t.Fatal(err)
	}
	return raw
}

// assertNoSecretIn fails when the document holds the base32 secret or its
// bytes.
func assertNoSecretIn(t *testing.T, what string, raw []byte, secret string) {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, key) {
		t.Errorf("%s holds the TOTP secret", what)
	}
}

// nextCode moves the clock to the next time step, so that a new code is
// not refused as the last one replayed, and returns its code.
func (h *harness) nextCode(secret string) string {
	h.t.Helper()
	h.now = h.now.Add(30 * time.Second)
	code, err := totp.GenerateCode(secret, h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	return code
}

func boxOf(t *testing.T, keys ...byte) *secretbox.Box {
	t.Helper()
	var previous [][]byte
	for _, k := range keys[1:] {
		previous = append(previous, bytes.Repeat([]byte{k}, secretbox.KeySize))
	}
	b, err := secretbox.New(bytes.Repeat([]byte{keys[0]}, secretbox.KeySize), previous...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTOTPSecretSealedAtRest: neither the secret being set up nor the
// confirmed one is ever in the user's document or a log line, and signing
// in with a code works.
func TestTOTPSecretSealedAtRest(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	cookie := h.signIn("fac@leeds.example")
	if rec := h.form("/staff/account/totp", url.Values{}, cookie, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("start: %d", rec.Code)
	}
	u := h.userByEmail("fac@leeds.example")
	pending := h.openSecret(u.ID, u.TOTPPending)
	if !strings.HasPrefix(u.TOTPPending, "v1:") {
		t.Errorf("pending secret stored as %q", u.TOTPPending)
	}
	assertNoSecretIn(t, "the document while setting up", h.rawUser(u.ID), pending)

	secret, _ := h.enrolTOTP(cookie)
	u = h.userByEmail("fac@leeds.example")
	if !strings.HasPrefix(u.TOTPSecret, "v1:") || u.TOTPPending != "" {
		t.Errorf("stored secret %q, pending %q", u.TOTPSecret, u.TOTPPending)
	}
	assertNoSecretIn(t, "the document", h.rawUser(u.ID), secret)

	rec := h.signInWithCode("fac@leeds.example", h.nextCode(secret))
	if rec.Code != http.StatusSeeOther || sessionCookieOf(rec) == "" {
		t.Fatalf("sign-in with a code: %d", rec.Code)
	}
	rec = h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "correct horse battery", "totp": h.nextCode(secret)}})
	if rec.Code != http.StatusCreated {
		t.Errorf("API sign-in with a code: %d %s", rec.Code, rec.Body)
	}
	assertNoSecretIn(t, "the logs", []byte(h.logs.String()), secret)
	assertNoSecretIn(t, "the logs", []byte(h.logs.String()), pending)
}

// TestTOTPSecretBoundToUser: a sealed secret copied onto another user's
// document does not open there, so neither the copied secret's codes nor
// any other sign that user in.
func TestTOTPSecretBoundToUser(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("a@leeds.example", store.RoleFacilitator, "leeds")
	h.user("b@leeds.example", store.RoleFacilitator, "leeds")
	secretA, _ := h.enrolTOTP(h.signIn("a@leeds.example"))
	h.enrolTOTP(h.signIn("b@leeds.example"))
	a, b := h.userByEmail("a@leeds.example"), h.userByEmail("b@leeds.example")
	_, err := h.store.Database().Collection("users").UpdateOne(context.Background(),
		bson.M{"_id": b.ID}, bson.M{"$set": bson.M{"totp_secret": a.TOTPSecret}})
	if err != nil {
		t.Fatal(err)
	}
	rec := h.signInWithCode("b@leeds.example", h.nextCode(secretA))
	if rec.Code != http.StatusUnauthorized || sessionCookieOf(rec) != "" {
		t.Errorf("B with A's copied secret and code: %d", rec.Code)
	}
	if !strings.Contains(h.logs.String(), "a stored TOTP secret does not open") {
		t.Error("no log line tells the operator")
	}
	// A still signs in.
	if rec := h.signInWithCode("a@leeds.example", h.nextCode(secretA)); rec.Code != http.StatusSeeOther {
		t.Errorf("A: %d", rec.Code)
	}
}

// TestTOTPWrongKeyFailsClosed: a server with another key, or none, refuses
// the code of a secret it cannot open, says why in the log without the
// secret, and still takes a recovery code.
func TestTOTPWrongKeyFailsClosed(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	secret, recovery := h.enrolTOTP(h.signIn("fac@leeds.example"))
	before := h.userByEmail("fac@leeds.example").TOTPSecret
	right := h.secrets

	for _, tc := range []struct {
		name string
		box  *secretbox.Box
	}{
		{"another key", boxOf(t, 9)},
		{"no key", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.withSecrets(tc.box)
			h.now = h.now.Add(5 * time.Minute) // a fresh sign-in budget
			rec := h.signInWithCode("fac@leeds.example", h.nextCode(secret))
			if rec.Code != http.StatusUnauthorized || sessionCookieOf(rec) != "" {
				t.Errorf("page sign-in: %d", rec.Code)
			} else if got := htmltest.Attr(htmltest.One(t, htmltest.Parse(t, rec.Body.String()), ".error-summary a"), "href"); got != "#code" {
				t.Errorf("error links to %q", got)
			}
			rec = h.do(request{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "fac@leeds.example", "password": "correct horse battery", "totp": h.nextCode(secret)}})
			if rec.Code != http.StatusUnauthorized || decodeErr(t, rec).Error.Code != "totp_invalid" {
				t.Errorf("API sign-in: %d %s", rec.Code, rec.Body)
			}
			// Starting up with it changes nothing stored.
			if err := h.srv.SealTOTPSecrets(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := h.userByEmail("fac@leeds.example").TOTPSecret; got != before {
				t.Error("the stored secret changed")
			}
		})
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "a stored TOTP secret does not open") || !strings.Contains(logs, `"sealed_with":"`+right.KeyID()+`"`) {
		t.Errorf("no log line tells the operator which key is needed:\n%s", logs)
	}
	if strings.Contains(logs, secret) || strings.Contains(logs, before) {
		t.Error("a log line holds the secret")
	}
	// Without the key, a recovery code still signs in.
	if rec := h.signInWithCode("fac@leeds.example", recovery[0]); rec.Code != http.StatusSeeOther {
		t.Errorf("a recovery code without the key: %d", rec.Code)
	}
	h.withSecrets(right)
	if rec := h.signInWithCode("fac@leeds.example", h.nextCode(secret)); rec.Code != http.StatusSeeOther {
		t.Errorf("with the right key again: %d", rec.Code)
	}
}

// TestTOTPClearSecretsSealedAtStart: secrets stored in the clear before
// sealing existed (confirmed, or being set up) still work, and are sealed
// when a server with a key starts.
func TestTOTPClearSecretsSealedAtStart(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("old@leeds.example", store.RoleFacilitator, "leeds")
	h.user("mid@leeds.example", store.RoleFacilitator, "leeds")
	ctx := context.Background()
	const secret, pending = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRUGS4ZANFZSA5DIMUQHAZLOMRUW4ZZA"
	old, mid := h.userByEmail("old@leeds.example"), h.userByEmail("mid@leeds.example")
	if err := h.store.EnableTOTP(ctx, old.ID, secret); err != nil {
		t.Fatal(err)
	}
	midCookie := h.signIn("mid@leeds.example")
	if err := h.store.SetTOTPPending(ctx, mid.ID, pending); err != nil {
		t.Fatal(err)
	}

	// No key yet: the clear secret signs in; start-up leaves it and warns.
	h.withSecrets(nil)
	if err := h.srv.SealTOTPSecrets(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "two-step sign-in needs SECRET_KEY") {
		t.Error("no warning at start-up without a key")
	}
	if rec := h.signInWithCode("old@leeds.example", h.nextCode(secret)); rec.Code != http.StatusSeeOther {
		t.Errorf("a clear secret without a key: %d", rec.Code)
	}

	// A key: the clear secret works, and start-up seals both.
	h.withSecrets(h.secrets)
	if rec := h.signInWithCode("old@leeds.example", h.nextCode(secret)); rec.Code != http.StatusSeeOther {
		t.Errorf("a clear secret with a key, before start-up: %d", rec.Code)
	}
	if err := h.srv.SealTOTPSecrets(ctx); err != nil {
		t.Fatal(err)
	}
	old, mid = h.userByEmail("old@leeds.example"), h.userByEmail("mid@leeds.example")
	assertNoSecretIn(t, "the document", h.rawUser(old.ID), secret)
	assertNoSecretIn(t, "the document being set up", h.rawUser(mid.ID), pending)
	if got := h.openSecret(old.ID, old.TOTPSecret); got != secret {
		t.Errorf("sealed secret opens to %q", got)
	}
	if rec := h.signInWithCode("old@leeds.example", h.nextCode(secret)); rec.Code != http.StatusSeeOther {
		t.Errorf("the sealed secret: %d", rec.Code)
	}
	// The set-up carries on with the same secret, sealed.
	doc := htmltest.Parse(t, h.page("/staff/account/totp", midCookie).Body.String())
	if got := strings.ReplaceAll(htmltest.Text(htmltest.One(t, doc, ".code-card-code code")), " ", ""); got != pending {
		t.Errorf("set-up page shows %q", got)
	}
	if rec := h.form("/staff/account/totp/confirm", url.Values{"code": {h.nextCode(pending)}}, midCookie, nil); rec.Code != http.StatusOK {
		t.Errorf("confirm: %d", rec.Code)
	}
	mid = h.userByEmail("mid@leeds.example")
	if got := h.openSecret(mid.ID, mid.TOTPSecret); got != pending || mid.TOTPPending != "" {
		t.Errorf("confirmed secret opens to %q, pending %q", got, mid.TOTPPending)
	}
	// A second start finds nothing to do.
	if err := h.srv.SealTOTPSecrets(ctx); err != nil {
		t.Fatal(err)
	}
	if again := h.userByEmail("old@leeds.example"); again.TOTPSecret != old.TOTPSecret {
		t.Error("a sealed secret was sealed again")
	}
}

// TestTOTPKeyRotation: with the new key and the previous one, start-up
// seals every secret under the new key, after which the old key is no
// longer needed.
func TestTOTPKeyRotation(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	h.secrets = boxOf(t, 1)
	h.withSecrets(h.secrets)
	secret, _ := h.enrolTOTP(h.signIn("fac@leeds.example"))

	h.secrets = boxOf(t, 2, 1)
	h.withSecrets(h.secrets)
	if err := h.srv.SealTOTPSecrets(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.secrets = boxOf(t, 2)
	h.withSecrets(h.secrets)
	u := h.userByEmail("fac@leeds.example")
	if id, _ := secretbox.KeyIDOf(u.TOTPSecret); id != h.secrets.KeyID() {
		t.Errorf("sealed under %q, want the new key %q", id, h.secrets.KeyID())
	}
	if rec := h.signInWithCode("fac@leeds.example", h.nextCode(secret)); rec.Code != http.StatusSeeOther {
		t.Errorf("after rotation: %d", rec.Code)
	}
}

// TestTOTPSetUpRefusedWithoutKey: with no SECRET_KEY the page says to ask
// the operator, and nothing is stored.
func TestTOTPSetUpRefusedWithoutKey(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	h.user("fac@leeds.example", store.RoleFacilitator, "leeds")
	h.withSecrets(nil)
	cookie := h.signIn("fac@leeds.example")
	doc := htmltest.Parse(t, h.page("/staff/account/totp", cookie).Body.String())
	if got := htmltest.Text(htmltest.One(t, doc, "main p.warning")); !strings.Contains(got, "SECRET_KEY") {
		t.Errorf("warning %q", got)
	}
	if n := len(htmltest.All(doc, `form[action="/staff/account/totp"]`)); n != 0 {
		t.Errorf("%d set-up forms offered", n)
	}
	rec := h.form("/staff/account/totp", url.Values{}, cookie, nil)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("start: %d", rec.Code)
	}
	htmltest.One(t, htmltest.Parse(t, rec.Body.String()), "main p.warning")
	if u := h.userByEmail("fac@leeds.example"); u.TOTPPending != "" || u.TOTPSecret != "" {
		t.Error("a secret was stored without a key")
	}
	// The platform admin is warned before requiring it of council admins.
	h.user("root@yousaid.example", store.RolePlatformAdmin, "")
	root := h.signIn("root@yousaid.example")
	doc = htmltest.Parse(t, h.page("/staff/settings", root).Body.String())
	htmltest.One(t, doc, "fieldset p.warning")
	h.withSecrets(h.secrets)
	doc = htmltest.Parse(t, h.page("/staff/settings", root).Body.String())
	if n := len(htmltest.All(doc, "fieldset p.warning")); n != 0 {
		t.Errorf("with a key: %d warnings", n)
	}
}
