package web

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/store"
)

// waveView is a wave as the API shows it.
type waveView struct {
	ID       string     `json:"id"`
	Council  string     `json:"council"`
	Survey   string     `json:"survey"`
	Version  int        `json:"version"`
	Name     string     `json:"name"`
	Access   string     `json:"access"`
	URL      string     `json:"url"`
	ClosesAt *time.Time `json:"closes_at"`
	Closed   bool       `json:"closed"`
}

func (s *Server) viewWave(w *store.Wave) waveView {
	return waveView{
		ID: w.ID, Council: w.Council, Survey: w.Survey, Version: w.Version, Name: w.Name,
		Access: w.Access, URL: "/w/" + w.ID, ClosesAt: w.ClosesAt, Closed: w.Closed(s.now()),
	}
}

type waveInput struct {
	Survey   string `json:"survey"`
	Name     string `json:"name"`
	Access   string `json:"access"`
	ClosesAt string `json:"closes_at"`
}

// openWave validates a new wave and stores it on the newest version of its
// survey, which may be any survey the council can see (national, or the
// council's own); that version is marked in use and is the wave's for good.
func (s *Server) openWave(c *gin.Context, council string, in waveInput) (*store.Wave, error) {
	ctx := c.Request.Context()
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 120 {
		return nil, invalid("invalid_name", "ErrorName", "name", nil)
	}
	if in.Access == "" {
		in.Access = store.AccessOpen
	}
	if in.Access != store.AccessOpen && in.Access != store.AccessCodes {
		return nil, invalid("invalid_access", "ErrorAccess", "access", nil)
	}
	var closesAt *time.Time
	if in.ClosesAt != "" {
		t, err := time.Parse(time.RFC3339, in.ClosesAt)
		if err != nil {
			return nil, invalid("invalid_time", "ErrorClosesAtFormat", "closes_at", nil)
		}
		if !t.After(s.now()) {
			return nil, invalid("invalid_time", "ErrorClosesAtPast", "closes_at", nil)
		}
		t = t.UTC()
		closesAt = &t
	}
	def, err := s.store.Survey(ctx, in.Survey, 0)
	if errors.Is(err, store.ErrNotFound) || err == nil && def.Council != "" && def.Council != council {
		// Another council's survey is unknown here, as if it did not exist.
		return nil, invalid("unknown_survey", "ErrorUnknownSurvey", "survey", nil)
	}
	if err != nil {
		return nil, err
	}
	// In use before the wave exists: an edit saved from now on becomes the
	// next version instead of changing the one this wave asks.
	if err := s.store.UseSurveyVersion(ctx, def.ID, def.Version); err != nil {
		return nil, err
	}
	w := &store.Wave{Council: council, Survey: def.ID, Version: def.Version, Name: name, Access: in.Access, ClosesAt: closesAt}
	if err := s.store.CreateWave(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// createWave is POST /api/v1/councils/{council}/waves (council_admin).
func (s *Server) createWave(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleCouncilAdmin); err != nil {
		s.fail(c, "waves.create", err)
		return
	}
	if _, err := s.store.Council(c.Request.Context(), council); err != nil {
		s.fail(c, "waves.create", err)
		return
	}
	var in waveInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "waves.create", err)
		return
	}
	w, err := s.openWave(c, council, in)
	if err != nil {
		s.fail(c, "waves.create", err)
		return
	}
	c.JSON(http.StatusCreated, s.viewWave(w))
}

// listWaves is GET /api/v1/councils/{council}/waves (facilitator).
func (s *Server) listWaves(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleFacilitator); err != nil {
		s.fail(c, "waves.list", err)
		return
	}
	waves, err := s.store.CouncilWaves(c.Request.Context(), council)
	if err != nil {
		s.fail(c, "waves.list", err)
		return
	}
	out := make([]waveView, 0, len(waves))
	for i := range waves {
		out = append(out, s.viewWave(&waves[i]))
	}
	c.JSON(http.StatusOK, gin.H{"waves": out})
}

// staffWave loads a wave for a staff request, answering 404 for another
// council's wave and 403 for too low a role.
func (s *Server) staffWave(c *gin.Context, role string) (*store.Wave, error) {
	w, err := s.store.Wave(c.Request.Context(), c.Param("wave"))
	if err != nil {
		return nil, err
	}
	if err := authorize(currentUser(c), w.Council, role); err != nil {
		return nil, err
	}
	return w, nil
}

type codesInput struct {
	Count int `json:"count"`
}

// makeCodes checks a wave can have codes and makes count of them.
func (s *Server) makeCodes(c *gin.Context, w *store.Wave, count int) ([]string, error) {
	if w.Access != store.AccessCodes {
		return nil, conflict("wave_not_codes", "ErrorWaveNotCodes", "access")
	}
	if w.Closed(s.now()) {
		return nil, errWaveClosed
	}
	if count < 1 || count > store.MaxCodesPerRequest {
		return nil, invalid("out_of_range", "ErrorCodeCount", "count", map[string]any{"Max": store.MaxCodesPerRequest})
	}
	return s.store.CreateCodes(c.Request.Context(), w.ID, count)
}

// createCodes is POST /api/v1/waves/{wave}/codes (council_admin).
func (s *Server) createCodes(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleCouncilAdmin)
	if err != nil {
		s.fail(c, "codes.create", err)
		return
	}
	var in codesInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "codes.create", err)
		return
	}
	codes, err := s.makeCodes(c, w, in.Count)
	if err != nil {
		s.fail(c, "codes.create", err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"codes": codes})
}

// closeWave is POST /api/v1/waves/{wave}/close (council_admin).
func (s *Server) closeWave(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleCouncilAdmin)
	if err != nil {
		s.fail(c, "waves.close", err)
		return
	}
	w, err = s.store.CloseWave(c.Request.Context(), w.ID)
	if err != nil {
		s.fail(c, "waves.close", err)
		return
	}
	s.forgetWave(w.ID)
	c.JSON(http.StatusOK, s.viewWave(w))
}

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }
