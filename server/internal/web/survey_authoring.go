package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/store"
	"yousaid/survey"
)

// MaxSurveyBodyBytes bounds the body of a request that writes a survey
// definition. A national survey in thirteen languages is about 400 KB, and
// a whole extension (as GET returns it) carries all of it, so these routes
// take more than the contract's 64 KiB for every other request.
const MaxSurveyBodyBytes = 1 << 20

// surveyWriteRoutes are the routes that take a whole definition (method and
// path template); limitBody allows them MaxSurveyBodyBytes.
var surveyWriteRoutes = map[string]bool{
	"POST /api/v1/surveys":                   true,
	"POST /api/v1/councils/:council/surveys": true,
	"PUT /api/v1/surveys/:survey":            true,
}

// surveyAuthoringRoutes registers the survey authoring API. The public
// survey routes (list and get) stay in routes.go, behind optionalToken.
func (s *Server) surveyAuthoringRoutes(api, staff *gin.RouterGroup) {
	api.GET("/surveys/:survey/versions", s.optionalToken, s.getSurveyVersions)
	staff.POST("/surveys", s.postNationalSurvey)
	staff.POST("/councils/:council/surveys", s.postCouncilSurvey)
	staff.PUT("/surveys/:survey", s.putSurvey)
}

// canSeeSurvey reports whether u (nil: anonymous) may see def: anyone a
// national survey; a council survey its own council's staff and platform
// administrators only.
func canSeeSurvey(u *store.User, def *survey.Definition) bool {
	if def.Council == "" {
		return true
	}
	return inCouncil(u, def.Council) && hasRole(u, store.RoleFacilitator)
}

// canEditSurvey reports whether u may change def: a platform administrator
// a national survey; the council_admin of its council (or a platform
// administrator) a council survey.
func canEditSurvey(u *store.User, def *survey.Definition) bool {
	if def.Council == "" {
		return hasRole(u, store.RolePlatformAdmin)
	}
	return authorize(u, def.Council, store.RoleCouncilAdmin) == nil
}

// visibleSurvey returns a version of a survey (0: the newest) if u (nil:
// anonymous) may see it. A survey that does not exist, a version that does
// not, and another council's survey all come back as an error for which
// isNotFound is true, so that nobody learns of another council's surveys.
// It reads the store every time: a version no wave uses yet may change, and
// a preview must show it as it is now.
func (s *Server) visibleSurvey(ctx context.Context, u *store.User, id string, version int) (*survey.Definition, error) {
	def, err := s.store.Survey(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if !canSeeSurvey(u, def) {
		return nil, fmt.Errorf("web.visibleSurvey %s: %w", id, store.ErrNotFound)
	}
	return def, nil
}

// councilSurveys lists the newest version of every survey a council can
// open a wave on: the national ones, then its own.
func (s *Server) councilSurveys(ctx context.Context, council string) ([]*survey.Definition, error) {
	national, err := s.store.LatestSurveys(ctx)
	if err != nil {
		return nil, err
	}
	own, err := s.store.CouncilSurveys(ctx, council)
	if err != nil {
		return nil, err
	}
	return append(national, own...), nil
}

// surveyProblems turns a definition's problems into a 422 whose field is
// the first problem's path, with every problem listed. Each rule's
// sentence is translated when written (ruleMessages); the English Message
// in Data stands where a page translates the frame alone.
func surveyProblems(problems []survey.Problem) *apiError {
	fields := make([]fieldProblem, len(problems))
	for i, p := range problems {
		fields[i] = fieldProblem{Code: "validation", MessageID: "ErrorSurveyProblem", Field: p.Path,
			Data: map[string]any{"Path": p.Path, "Problem": p.Message}, Rule: sentenceOf(p)}
	}
	first := fields[0]
	return &apiError{Status: http.StatusUnprocessableEntity, Code: first.Code, MessageID: first.MessageID,
		Field: first.Field, Data: first.Data, Rule: first.Rule, Fields: fields}
}

// problemsOf returns the 422 for a validation error, or err unchanged.
func problemsOf(err error) error {
	var de *survey.DefinitionError
	if errors.As(err, &de) && len(de.Problems) > 0 {
		return surveyProblems(de.Problems)
	}
	return err
}

// oneProblem is a 422 about one path of the definition, breaking a rule
// checked here rather than in survey; args are the rule's Params.
func oneProblem(path string, rule survey.Rule, args ...any) *apiError {
	return surveyProblems([]survey.Problem{survey.NewProblem(path, rule, args...)})
}

// nationalBase returns the national survey an extension names, at version
// (0: the newest), or a 422 on "extends" or "base_version" when there is
// no such national survey.
func (s *Server) nationalBase(ctx context.Context, id string, version int) (*survey.Definition, error) {
	base, err := s.store.Survey(ctx, id, version)
	switch {
	case isNotFound(err) && version > 0:
		if _, err := s.store.Survey(ctx, id, 0); err == nil {
			return nil, oneProblem("base_version", survey.RuleBaseVersionUnknown, id, version)
		}
		return nil, oneProblem("extends", survey.RuleNoSuchNational, id)
	case isNotFound(err):
		return nil, oneProblem("extends", survey.RuleNoSuchNational, id)
	case err != nil:
		return nil, err
	case base.Council != "" || base.Extends != "":
		// Another council's survey is answered as if it did not exist.
		return nil, oneProblem("extends", survey.RuleNoSuchNational, id)
	}
	return base, nil
}

// validateSurvey checks a whole definition as it will be stored: the
// loader's rules, and for an extension the extension rules against the
// base version it names.
func (s *Server) validateSurvey(ctx context.Context, def *survey.Definition) error {
	if def.Extends == "" || def.Council == "" || def.BaseVersion < 1 {
		// Validate reports the ownership fields themselves.
		return problemsOf(def.Validate())
	}
	base, err := s.nationalBase(ctx, def.Extends, def.BaseVersion)
	if err != nil {
		return err
	}
	return problemsOf(survey.ValidateExtension(base, def))
}

// createSurvey stores a new survey as version 1: a national one (council
// "", platform administrators only) or one of council's (its
// council_admin). An extension (def.Extends set) carries its local
// sections and indicators only; the national survey's are put first. A
// survey id already taken, nationally or by any council, is a 409.
func (s *Server) createSurvey(ctx context.Context, u *store.User, council string, def *survey.Definition) (int, error) {
	if council == "" {
		if !hasRole(u, store.RolePlatformAdmin) {
			return 0, errForbidden
		}
		if def.Extends != "" {
			return 0, oneProblem("extends", survey.RuleNationalExtends)
		}
	} else {
		if err := authorize(u, council, store.RoleCouncilAdmin); err != nil {
			return 0, err
		}
		if _, err := s.store.Council(ctx, council); err != nil {
			return 0, err
		}
	}
	def.Council, def.Version = council, 1
	stored := def
	if def.Extends != "" {
		base, err := s.nationalBase(ctx, def.Extends, def.BaseVersion)
		if err != nil {
			return 0, err
		}
		stored, err = survey.Extend(base, def)
		if err != nil {
			return 0, problemsOf(err)
		}
		if err := s.useBase(ctx, stored); err != nil {
			return 0, err
		}
	} else if err := problemsOf(def.Validate()); err != nil {
		return 0, err
	}
	if _, err := s.store.Survey(ctx, stored.ID, 0); err == nil {
		return 0, errSurveyExists
	} else if !isNotFound(err) {
		return 0, err
	}
	if err := s.store.PutSurvey(ctx, stored); err != nil {
		if isConflict(err) {
			return 0, errSurveyExists
		}
		return 0, err
	}
	s.auditSurvey(ctx, u, stored, "survey.created", map[string]string{"version": "1"})
	return 1, nil
}

var errSurveyExists = &apiError{Status: http.StatusConflict, Code: "survey_exists", MessageID: "ErrorSurveyExists", Field: "id"}

// saveSurvey stores an edit of an existing survey. def is the whole
// definition (an extension's national part included); its council and
// what it extends must be those stored. The edit replaces the newest
// version in place while no wave uses it, else it becomes the next
// version, which it returns. Rule failures are a 422 naming the path at
// fault; another council's survey is not found; a survey u may see but not
// change is a 403.
func (s *Server) saveSurvey(ctx context.Context, u *store.User, def *survey.Definition) (int, error) {
	current, err := s.visibleSurvey(ctx, u, def.ID, 0)
	if err != nil {
		return 0, err
	}
	if !canEditSurvey(u, current) {
		return 0, errForbidden
	}
	switch {
	case def.Council != current.Council:
		return 0, oneProblem("council", survey.RuleCouncilChanged)
	case def.Extends != current.Extends:
		return 0, oneProblem("extends", survey.RuleExtendsChanged)
	}
	// The store decides the version; validation needs one that is valid.
	def.Version = current.Version
	if err := s.validateSurvey(ctx, def); err != nil {
		return 0, err
	}
	// A save that changes nothing (a form sent twice, "move up" on the
	// first item) keeps the current version: storing it again would make
	// an identical next version whenever a wave uses the current one.
	if sameDefinition(def, current) {
		return current.Version, nil
	}
	if err := s.useBase(ctx, def); err != nil {
		return 0, err
	}
	version, err := s.store.SaveSurvey(ctx, def)
	if err != nil {
		if isConflict(err) {
			return 0, conflict("survey_version_conflict", "ErrorSurveyVersionConflict", "version")
		}
		return 0, err
	}
	s.definitions.Delete(fmt.Sprintf("%s@%d", def.ID, version))
	s.auditSurvey(ctx, u, def, "survey.saved", map[string]string{
		"version": strconv.Itoa(version), "replaced": strconv.FormatBool(version == current.Version),
	})
	return version, nil
}

// useBase marks the base version an extension is built on in use, as a
// wave would: the extension holds a copy of its questions, which must stay
// the national survey's.
func (s *Server) useBase(ctx context.Context, def *survey.Definition) error {
	if def.Extends == "" {
		return nil
	}
	return s.store.UseSurveyVersion(ctx, def.Extends, def.BaseVersion)
}

// auditSurvey records a change to a survey. The change is stored already:
// a failed audit write is logged, not reported as a failed change, which a
// client would retry into another version.
func (s *Server) auditSurvey(ctx context.Context, u *store.User, def *survey.Definition, action string, detail map[string]string) {
	s.auditAfter(ctx, u, def.Council, action, def.ID, detail)
}

// surveyWritten is the answer to a create or a save.
type surveyWritten struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// readDefinition decodes a definition from the body as strictly as the
// loader does.
func readDefinition(c *gin.Context) (*survey.Definition, error) {
	var def survey.Definition
	if err := decodeJSON(c, &def); err != nil {
		return nil, err
	}
	return &def, nil
}

// postNationalSurvey is POST /api/v1/surveys (platform_admin).
func (s *Server) postNationalSurvey(c *gin.Context) {
	s.postSurvey(c, "")
}

// postCouncilSurvey is POST /api/v1/councils/{council}/surveys
// (council_admin), with "extends" for an extension of a national survey.
func (s *Server) postCouncilSurvey(c *gin.Context) {
	s.postSurvey(c, c.Param("council"))
}

func (s *Server) postSurvey(c *gin.Context, council string) {
	u := currentUser(c)
	// Rights first: nobody learns from a validation error what they may
	// not do.
	var err error
	if council == "" && !hasRole(u, store.RolePlatformAdmin) {
		err = errForbidden
	} else if council != "" {
		err = authorize(u, council, store.RoleCouncilAdmin)
	}
	if err != nil {
		s.fail(c, "surveys.create", err)
		return
	}
	def, err := readDefinition(c)
	if err != nil {
		s.fail(c, "surveys.create", err)
		return
	}
	version, err := s.createSurvey(c.Request.Context(), u, council, def)
	if err != nil {
		s.fail(c, "surveys.create", err)
		return
	}
	c.JSON(http.StatusCreated, surveyWritten{ID: def.ID, Version: version})
}

// putSurvey is PUT /api/v1/surveys/{survey}. The body is the definition
// as GET returns it; council, extends and base_version may be left out
// (they stay as stored). For an extension, sections and indicators may
// also be the local ones only, as POST takes them: the national
// section ids cannot be local ones, so the first section says which.
func (s *Server) putSurvey(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	current, err := s.visibleSurvey(ctx, u, c.Param("survey"), 0)
	if err == nil && !canEditSurvey(u, current) {
		err = errForbidden
	}
	if err != nil {
		s.fail(c, "surveys.save", err)
		return
	}
	def, err := readDefinition(c)
	if err != nil {
		s.fail(c, "surveys.save", err)
		return
	}
	if def.ID == "" {
		def.ID = current.ID
	}
	if def.ID != current.ID {
		s.fail(c, "surveys.save", oneProblem("id", survey.RuleIDChanged))
		return
	}
	if def.Council == "" {
		def.Council = current.Council
	}
	if def.Extends == "" {
		def.Extends = current.Extends
	}
	if def.BaseVersion == 0 {
		def.BaseVersion = current.BaseVersion
	}
	if def.Extends != "" && def.Extends == current.Extends && def.Council == current.Council {
		base, err := s.nationalBase(ctx, def.Extends, def.BaseVersion)
		if err != nil {
			s.fail(c, "surveys.save", err)
			return
		}
		if !startsWithNational(base, def) {
			def.Version = current.Version
			merged, err := survey.Extend(base, def)
			if err != nil {
				s.fail(c, "surveys.save", problemsOf(err))
				return
			}
			def = merged
		}
	}
	version, err := s.saveSurvey(ctx, u, def)
	if err != nil {
		s.fail(c, "surveys.save", err)
		return
	}
	c.JSON(http.StatusOK, surveyWritten{ID: def.ID, Version: version})
}

// startsWithNational reports whether an extension's body carries the
// national sections (the whole definition) rather than the local ones only.
func startsWithNational(base, def *survey.Definition) bool {
	return len(def.Sections) > 0 && len(base.Sections) > 0 && def.Sections[0].ID == base.Sections[0].ID
}

// surveyVersionParam reads ?version=N (absent: 0, the newest).
func surveyVersionParam(c *gin.Context) (int, error) {
	raw, ok := c.GetQuery("version")
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, invalid("invalid_version", "ErrorSurveyVersionParam", "version", nil)
	}
	return n, nil
}

type versionView struct {
	Version   int    `json:"version"`
	CreatedAt string `json:"created_at"`
	InUse     bool   `json:"in_use"`
}

// getSurveyVersions is GET /api/v1/surveys/{survey}/versions: public for a
// national survey, its council's staff only for a council survey.
func (s *Server) getSurveyVersions(c *gin.Context) {
	ctx := c.Request.Context()
	def, err := s.visibleSurvey(ctx, currentUser(c), c.Param("survey"), 0)
	if err != nil {
		s.fail(c, "surveys.versions", err)
		return
	}
	versions, err := s.store.SurveyVersions(ctx, def.ID)
	if err != nil {
		s.fail(c, "surveys.versions", err)
		return
	}
	out := make([]versionView, len(versions))
	for i, v := range versions {
		out[i] = versionView{Version: v.Version, CreatedAt: v.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"), InUse: v.InUse}
	}
	if def.Council != "" {
		c.Header("Cache-Control", "no-store")
	}
	c.JSON(http.StatusOK, gin.H{"versions": out})
}

// optionalToken reads a bearer token when there is one: a valid token sets
// the user, as requireToken does; no token leaves the request anonymous.
// A token that is present but not valid (expired, revoked) is a 401, so
// that a client learns its token failed instead of silently seeing less.
func (s *Server) optionalToken(c *gin.Context) {
	if c.GetHeader("Authorization") == "" {
		c.Next()
		return
	}
	s.requireToken(c)
}

// sameDefinition reports whether two definitions would be stored alike.
func sameDefinition(a, b *survey.Definition) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
