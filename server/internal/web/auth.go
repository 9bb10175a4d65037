package web

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"yousaid/server/internal/store"
)

// MinPasswordLength is the shortest password the platform accepts.
const MinPasswordLength = 12

// HashPassword hashes a password with bcrypt. The password is first reduced
// with SHA-256 (base64, so no NUL bytes) because bcrypt reads only 72 bytes:
// long passphrases keep all their strength.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(password), bcrypt.DefaultCost)
	return string(h), err
}

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// dummyHash is compared against when an email is unknown, so that a wrong
// email takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword(prehash("yousaid-no-such-user"), bcrypt.DefaultCost)

// checkCredentials returns the user whose email and password match, or
// errBadCredentials, taking the same time whether the email exists or not.
func (s *Server) checkCredentials(c *gin.Context, email, password string) (*store.User, error) {
	u, err := s.store.UserByEmail(c.Request.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, prehash(password))
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	// A deactivated account answers exactly as a wrong password does.
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), prehash(password)) != nil || !u.Active() {
		return nil, errBadCredentials
	}
	return u, nil
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// TOTP is the code from the user's authenticator app (or one of their
	// recovery codes), needed when they have two-step sign-in.
	TOTP string `json:"totp"`
}

// createToken is POST /api/v1/auth/tokens.
func (s *Server) createToken(c *gin.Context) {
	var in credentials
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "auth.createToken", err)
		return
	}
	attempt := s.startSignIn(c, in.Email)
	if !attempt.allowed {
		s.fail(c, "auth.createToken", errTooMany(attempt.wait))
		return
	}
	u, err := s.checkCredentials(c, in.Email, in.Password)
	if err == nil && u.HasTOTP() {
		// A wrong or missing code counts as a failed sign-in.
		err = s.checkSecondFactor(c.Request.Context(), u, in.TOTP)
	}
	if err != nil {
		s.fail(c, "auth.createToken", err)
		return
	}
	attempt.succeeded()
	if need, err := s.totpSetupRequired(c.Request.Context(), u); err != nil || need {
		if err == nil {
			err = errTOTPSetupRequired
		}
		s.fail(c, "auth.createToken", err)
		return
	}
	token, expires, err := s.store.CreateToken(c.Request.Context(), u.ID, store.TokenAPI, s.tokenTTL)
	if err != nil {
		s.fail(c, "auth.createToken", err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": token, "expires_at": expires.Format(time.RFC3339)})
}

// revokeToken is DELETE /api/v1/auth/tokens: the caller's own token ends.
func (s *Server) revokeToken(c *gin.Context) {
	token, _ := bearer(c)
	if err := s.store.RevokeToken(c.Request.Context(), token); err != nil {
		s.fail(c, "auth.revokeToken", err)
		return
	}
	c.Status(http.StatusNoContent)
}

func bearer(c *gin.Context) (string, bool) {
	h := c.GetHeader("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

const userKey = "yousaid.user"

// requireToken authenticates an API request by its bearer token.
func (s *Server) requireToken(c *gin.Context) {
	token, ok := bearer(c)
	if !ok {
		s.fail(c, "auth", errUnauthorized)
		return
	}
	u, err := s.store.TokenUser(c.Request.Context(), token, store.TokenAPI)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(c, "auth", errUnauthorized)
		return
	}
	if err != nil {
		s.fail(c, "auth", err)
		return
	}
	if need, err := s.totpSetupRequired(c.Request.Context(), u); err != nil || need {
		if err == nil {
			err = errTOTPSetupRequired
		}
		s.fail(c, "auth", err)
		return
	}
	c.Set(userKey, u)
	c.Next()
}

func currentUser(c *gin.Context) *store.User {
	u, _ := c.Get(userKey)
	user, _ := u.(*store.User)
	return user
}

// roleRank orders the staff roles; co_producer stands outside the order.
var roleRank = map[string]int{
	store.RoleFacilitator:   1,
	store.RoleCouncilAdmin:  2,
	store.RolePlatformAdmin: 3,
}

// hasRole reports whether u holds role or a role that includes it.
func hasRole(u *store.User, role string) bool {
	if u == nil {
		return false
	}
	if role == store.RoleCoProducer {
		return u.Role == store.RoleCoProducer
	}
	return roleRank[u.Role] >= roleRank[role] && roleRank[u.Role] > 0
}

// inCouncil reports whether u may see council's things at all. Anything of
// another council answers 404, as if it did not exist.
func inCouncil(u *store.User, council string) bool {
	return u != nil && (u.Role == store.RolePlatformAdmin || u.Council == council)
}

// authorize checks the signed-in user against a council's thing: 404 when
// it is another council's, 403 when the role is too low.
func authorize(u *store.User, council, role string) error {
	if !inCouncil(u, council) {
		return errNotFound
	}
	if !hasRole(u, role) {
		return errForbidden
	}
	return nil
}
