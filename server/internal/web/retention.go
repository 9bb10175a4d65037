package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
)

// retentionRoutes registers the API's PATCH of a council (its retention
// period) on the token-authenticated group.
func (s *Server) retentionRoutes(staffAPI *gin.RouterGroup) {
	staffAPI.PATCH("/councils/:council", s.patchCouncil)
}

// retentionPageRoutes registers the staff page's retention form on the
// signed-in pages' group.
func (s *Server) retentionPageRoutes(staffPages *gin.RouterGroup) {
	staffPages.GET("/councils/:council/retention", s.retentionPage)
	staffPages.POST("/councils/:council/retention", s.crossOrigin, s.retentionForm)
}

// councilPatch is the body of PATCH /api/v1/councils/{council}: each field
// present is changed.
type councilPatch struct {
	RetentionMonths *int `json:"retention_months"`
}

// councilView is a council as the API shows it, with its retention period
// made explicit when it is the default.
type councilView struct {
	*store.Council
	RetentionMonths int `json:"retention_months"`
}

// validRetention checks a retention period in months.
func validRetention(months int) error {
	if months < store.MinRetentionMonths || months > store.MaxRetentionMonths {
		return invalid("out_of_range", "ErrorRetentionMonths", "retention_months",
			map[string]any{"Min": store.MinRetentionMonths, "Max": store.MaxRetentionMonths})
	}
	return nil
}

// setRetention changes a council's retention period and writes the change
// to the audit log.
func (s *Server) setRetention(c *gin.Context, council *store.Council, months int) error {
	if err := validRetention(months); err != nil {
		return err
	}
	ctx := c.Request.Context()
	before := council.RetentionPeriod()
	if err := s.store.SetCouncilRetention(ctx, council.Slug, months); err != nil {
		return err
	}
	council.RetentionMonths = months
	if before == months {
		return nil
	}
	return s.audit(ctx, currentUser(c), council.Slug, "council.retention_changed", council.Slug,
		map[string]string{"from_months": strconv.Itoa(before), "to_months": strconv.Itoa(months)})
}

// patchCouncil is PATCH /api/v1/councils/{council} (council_admin).
func (s *Server) patchCouncil(c *gin.Context) {
	slug := c.Param("council")
	if err := authorize(currentUser(c), slug, store.RoleCouncilAdmin); err != nil {
		s.fail(c, "councils.patch", err)
		return
	}
	council, err := s.store.Council(c.Request.Context(), slug)
	if err != nil {
		s.fail(c, "councils.patch", err)
		return
	}
	var in councilPatch
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "councils.patch", err)
		return
	}
	if in.RetentionMonths == nil {
		s.fail(c, "councils.patch", invalid("missing", "ErrorRetentionMonths", "retention_months",
			map[string]any{"Min": store.MinRetentionMonths, "Max": store.MaxRetentionMonths}))
		return
	}
	if err := s.setRetention(c, council, *in.RetentionMonths); err != nil {
		s.fail(c, "councils.patch", err)
		return
	}
	c.JSON(http.StatusOK, councilView{Council: council, RetentionMonths: council.RetentionPeriod()})
}

// responsesDeleted answers an export of a wave whose raw responses were
// deleted under retention: 410, saying when and under what period. It
// reports whether it answered.
func (s *Server) responsesDeleted(c *gin.Context, w *store.Wave) bool {
	r, err := s.store.WaveRetention(c.Request.Context(), w.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	if err != nil {
		s.fail(c, "export.csv", err)
		return true
	}
	at := r.FrozenAt
	if r.DeletedAt != nil {
		at = *r.DeletedAt
	}
	s.fail(c, "export.csv", &apiError{Status: http.StatusGone, Code: "responses_deleted", MessageID: "ErrorResponsesDeleted",
		Data: map[string]any{"Date": dateOnly(at), "Months": r.Months}})
	return true
}

// retentionPageData is the retention page's view model.
type retentionPageData struct {
	page.Base
	Council *store.Council
	// Months is the value in the form: the council's period, or what was
	// typed when shown again with an error.
	Months string
	Min    int
	Max    int
	Saved  bool
	// Deleted lists the council's waves whose raw data was deleted.
	Deleted []retentionRow
}

type retentionRow struct {
	Wave      string // the wave's name
	Date      string // YYYY-MM-DD of the deletion
	Responses int64
	Texts     int64
	Kept      int // approved quotes kept as published evidence
}

func (s *Server) retentionData(c *gin.Context, council *store.Council) (retentionPageData, error) {
	ctx := c.Request.Context()
	p := retentionPageData{
		Base:    s.staffBase(c, "RetentionTitle", "Council", council.Name),
		Council: council, Months: strconv.Itoa(council.RetentionPeriod()),
		Min: store.MinRetentionMonths, Max: store.MaxRetentionMonths,
	}
	waves, err := s.store.CouncilWaves(ctx, council.Slug)
	if err != nil {
		return p, err
	}
	for _, w := range waves {
		r, err := s.store.WaveRetention(ctx, w.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return p, err
		}
		if r.DeletedAt == nil {
			continue
		}
		p.Deleted = append(p.Deleted, retentionRow{Wave: w.Name, Date: dateOnly(*r.DeletedAt),
			Responses: r.Responses, Texts: r.Texts, Kept: len(r.KeptQuotes)})
	}
	return p, nil
}

// retentionPage is GET /staff/councils/{council}/retention (council_admin).
func (s *Server) retentionPage(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.retention", err)
		return
	}
	p, err := s.retentionData(c, council)
	if err != nil {
		s.pageError(c, "staff.retention", err)
		return
	}
	p.Saved = c.Query("saved") == "1"
	s.render(c, http.StatusOK, "retention", p)
}

// retentionForm is POST /staff/councils/{council}/retention (council_admin).
func (s *Server) retentionForm(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleCouncilAdmin)
	if err != nil {
		s.pageError(c, "staff.retention", err)
		return
	}
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	typed := strings.TrimSpace(form.Get("retention_months"))
	months, convErr := strconv.Atoi(typed)
	if convErr == nil {
		err = s.setRetention(c, council, months)
	} else {
		err = validRetention(0)
	}
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		p, perr := s.retentionData(c, council)
		if perr != nil {
			s.pageError(c, "staff.retention", perr)
			return
		}
		p.Months = typed
		p.Errors = []page.FieldError{{ID: "retention-months", Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
		s.render(c, http.StatusUnprocessableEntity, "retention", p)
		return
	}
	if err != nil {
		s.pageError(c, "staff.retention", err)
		return
	}
	next := "/staff/councils/" + council.Slug + "/retention?saved=1"
	if lang := s.localizer(c).Tag(); lang != "en" {
		next += "&lang=" + url.QueryEscape(lang)
	}
	c.Redirect(http.StatusSeeOther, next)
}
