package web

import (
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/store"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// DefaultMinCell is the minimum cell size when a council sets none.
const DefaultMinCell = 5

type councilInput struct {
	Slug      string   `json:"slug"`
	Name      string   `json:"name"`
	Languages []string `json:"languages"`
	MinCell   *int     `json:"min_cell"`
}

// validateCouncil checks a new council and fills defaults.
func validateCouncil(in councilInput) (*store.Council, error) {
	if !slugPattern.MatchString(in.Slug) {
		return nil, invalid("invalid_slug", "ErrorCouncilSlug", "slug", nil)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 120 {
		return nil, invalid("invalid_name", "ErrorName", "name", nil)
	}
	langs := []string{"en"}
	for _, l := range in.Languages {
		lang, ok := locale.Lookup(l)
		if !ok {
			return nil, invalid("unknown_language", "ErrorUnknownLanguage", "languages", map[string]any{"Language": l})
		}
		if !slices.Contains(langs, lang.Tag) {
			langs = append(langs, lang.Tag)
		}
	}
	minCell := DefaultMinCell
	if in.MinCell != nil {
		minCell = *in.MinCell
	}
	if minCell < 3 || minCell > 100 {
		return nil, invalid("out_of_range", "ErrorMinCell", "min_cell", nil)
	}
	return &store.Council{Slug: in.Slug, Name: name, Languages: langs, MinCell: minCell}, nil
}

// createCouncil is POST /api/v1/councils (platform_admin).
func (s *Server) createCouncil(c *gin.Context) {
	if !hasRole(currentUser(c), store.RolePlatformAdmin) {
		s.fail(c, "councils.create", errForbidden)
		return
	}
	var in councilInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "councils.create", err)
		return
	}
	council, err := validateCouncil(in)
	if err != nil {
		s.fail(c, "councils.create", err)
		return
	}
	if err := s.store.CreateCouncil(c.Request.Context(), council); err != nil {
		if isConflict(err) {
			err = conflict("slug_taken", "ErrorSlugTaken", "slug")
		}
		s.fail(c, "councils.create", err)
		return
	}
	c.JSON(http.StatusCreated, council)
}

type userInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// councilRoles are the roles a council admin may give.
var councilRoles = []string{store.RoleCouncilAdmin, store.RoleFacilitator, store.RoleCoProducer}

// newUser validates a user for a council and hashes the password.
func newUser(in userInput, council string) (*store.User, error) {
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != strings.TrimSpace(in.Email) {
		return nil, invalid("invalid_email", "ErrorEmail", "email", nil)
	}
	if utf8.RuneCountInString(in.Password) < MinPasswordLength {
		return nil, invalid("weak_password", "ErrorPasswordShort", "password", map[string]any{"Min": MinPasswordLength})
	}
	if !slices.Contains(councilRoles, in.Role) {
		return nil, invalid("invalid_role", "ErrorRole", "role", nil)
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	return &store.User{Email: addr.Address, PasswordHash: hash, Role: in.Role, Council: council}, nil
}

// createUser is POST /api/v1/councils/{council}/users (council_admin).
func (s *Server) createUser(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleCouncilAdmin); err != nil {
		s.fail(c, "users.create", err)
		return
	}
	if _, err := s.store.Council(c.Request.Context(), council); err != nil {
		s.fail(c, "users.create", err)
		return
	}
	var in userInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "users.create", err)
		return
	}
	u, err := newUser(in, council)
	if err != nil {
		s.fail(c, "users.create", err)
		return
	}
	if err := s.store.CreateUser(c.Request.Context(), u); err != nil {
		if isConflict(err) {
			err = conflict("email_taken", "ErrorEmailTaken", "email")
		}
		s.fail(c, "users.create", err)
		return
	}
	c.JSON(http.StatusCreated, u)
}
