package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
)

// maxTextsListed bounds one page of the moderation queue.
const maxTextsListed = 200

var textStatuses = map[string]bool{store.TextPending: true, store.TextApproved: true, store.TextRejected: true}

// listTexts is GET /api/v1/waves/{wave}/texts?status= (facilitator): the
// wave's free-text answers, personal data masked, for moderation.
func (s *Server) listTexts(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleFacilitator)
	if err != nil {
		s.fail(c, "texts.list", err)
		return
	}
	status := c.DefaultQuery("status", store.TextPending)
	if !textStatuses[status] {
		s.fail(c, "texts.list", invalid("invalid_status", "ErrorTextStatus", "status", nil))
		return
	}
	texts, err := s.store.Texts(c.Request.Context(), w.ID, status, maxTextsListed)
	if err != nil {
		s.fail(c, "texts.list", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"texts": texts})
}

// decideText checks and records a moderation decision.
func (s *Server) decideText(c *gin.Context, id, status string) (*store.Text, error) {
	if !textStatuses[status] {
		return nil, invalid("invalid_status", "ErrorTextStatus", "status", nil)
	}
	ctx := c.Request.Context()
	t, err := s.store.TextByID(ctx, id)
	if err != nil {
		return nil, err
	}
	w, err := s.store.Wave(ctx, t.Wave)
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	if err := authorize(u, w.Council, store.RoleFacilitator); err != nil {
		return nil, err
	}
	if err := s.store.DecideText(ctx, id, status, u.ID); err != nil {
		return nil, err
	}
	return s.store.TextByID(ctx, id)
}

type decisionInput struct {
	Status string `json:"status"`
}

// postTextDecision is POST /api/v1/texts/{id} (facilitator)
// {"status": "approved"|"rejected"|"pending"}.
func (s *Server) postTextDecision(c *gin.Context) {
	var in decisionInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "texts.decide", err)
		return
	}
	t, err := s.decideText(c, c.Param("id"), in.Status)
	if err != nil {
		s.fail(c, "texts.decide", err)
		return
	}
	c.JSON(http.StatusOK, t)
}

// textsPage is the moderation queue of a wave.
type textsPage struct {
	page.Base
	Wave    waveView
	Status  string
	Texts   []queuedText
	Filters []page.NavLink
}

type queuedText struct {
	store.Text
	Question string // the question's text in the page language
}

func (s *Server) textsPageHandler(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.texts", err)
		return
	}
	status := c.DefaultQuery("status", store.TextPending)
	if !textStatuses[status] {
		status = store.TextPending
	}
	ctx := c.Request.Context()
	texts, err := s.store.Texts(ctx, w.ID, status, maxTextsListed)
	if err != nil {
		s.pageError(c, "staff.texts", err)
		return
	}
	def, err := s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		s.pageError(c, "staff.texts", err)
		return
	}
	l := s.localizer(c)
	p := textsPage{Base: s.staffBase(c, "TextsTitle", "Wave", w.Name), Wave: s.viewWave(w), Status: status}
	for _, st := range []struct{ status, label string }{
		{store.TextPending, "TextsPending"}, {store.TextApproved, "TextsApproved"}, {store.TextRejected, "TextsRejected"},
	} {
		p.Filters = append(p.Filters, page.NavLink{Label: l.T(st.label), URL: "/staff/waves/" + w.ID + "/texts?status=" + st.status, Current: st.status == status})
	}
	for _, t := range texts {
		q, _ := def.Question(t.Question)
		var question string
		if q != nil {
			question, _ = q.Text.In(l.Tag())
		}
		p.Texts = append(p.Texts, queuedText{Text: t, Question: question})
	}
	s.render(c, http.StatusOK, "texts", p)
}

func (s *Server) textsDecideForm(c *gin.Context) {
	t, err := s.decideText(c, c.Param("id"), c.PostForm("status"))
	if err != nil {
		s.pageError(c, "staff.textsDecide", err)
		return
	}
	back := c.PostForm("from")
	if !textStatuses[back] {
		back = store.TextPending
	}
	c.Redirect(http.StatusSeeOther, "/staff/waves/"+t.Wave+"/texts?status="+back)
}
