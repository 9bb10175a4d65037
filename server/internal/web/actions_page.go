package web

// The staff pages of action plans: the board (every item by status, and a
// form to draft a new one), one item's page (edit, move its status, add
// updates, publish, record the forum's verdict, its audit log), and the
// council's audit log. Every form works without JavaScript: 303 after a
// change, 422 with an error summary and the values kept.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
)

// actionsBoardPage is the view model of the page "actions".
type actionsBoardPage struct {
	page.Base
	Council   *store.Council
	Columns   []boardColumn
	CanEdit   bool // facilitator and above: draft items
	PublicURL string
	Form      actionForm
	// Indicators and Sessions are the evidence the new-item form offers.
	Indicators []evidenceChoice
	Sessions   []evidenceChoice
}

type boardColumn struct {
	Status, Heading string
	Items           []boardItem
}

type boardItem struct {
	ID           string
	YouSaid      textView
	WeWill       textView
	Owner, Due   string
	Published    bool
	VerdictLabel string
}

type evidenceChoice struct {
	Value, Label string
	Selected     bool
}

// actionForm holds what the new-item form sent, to show it again.
type actionForm struct {
	YouSaid, WeWill, Owner, Due string
	Indicator, Session, Quote   string
}

// boardOrder is the board's columns: the order of work.
var boardOrder = []string{store.StatusProposed, store.StatusAgreed, store.StatusInProgress, store.StatusDone, store.StatusNotPossible}

func (s *Server) boardData(c *gin.Context, council *store.Council) (actionsBoardPage, error) {
	ctx := c.Request.Context()
	l := s.localizer(c)
	lang := l.Tag()
	u := currentUser(c)
	p := actionsBoardPage{Base: s.staffBase(c, "ActionsBoardTitle"), Council: council,
		CanEdit: hasRole(u, store.RoleFacilitator), PublicURL: "/c/" + council.Slug}
	items, err := s.store.CouncilActions(ctx, council.Slug, false, maxActionsListed)
	if err != nil {
		return p, err
	}
	by := map[string][]boardItem{}
	for _, a := range items {
		bi := boardItem{ID: a.ID, YouSaid: textOf(a.YouSaid, lang), WeWill: textOf(a.WeWill, lang),
			Owner: a.Owner, Due: a.Due, Published: a.Published}
		if a.Verdict != nil {
			bi.VerdictLabel = l.T(verdictLabels[a.Verdict.Verdict])
		}
		by[a.Status] = append(by[a.Status], bi)
	}
	for _, st := range boardOrder {
		p.Columns = append(p.Columns, boardColumn{Status: st, Heading: l.T(statusLabels[st]), Items: by[st]})
	}
	if !p.CanEdit {
		return p, nil
	}
	waves, err := s.store.CouncilWaves(ctx, council.Slug)
	if err != nil {
		return p, err
	}
	for _, w := range waves {
		def, err := s.definition(ctx, w.Survey, w.Version)
		if err != nil {
			return p, err
		}
		for _, ind := range def.Indicators {
			label, _ := ind.Label.In(lang)
			p.Indicators = append(p.Indicators, evidenceChoice{Value: w.ID + "|" + ind.ID,
				Label: l.T("EvidenceChoiceIndicator", "Wave", w.Name, "Label", label)})
		}
	}
	sessions, err := s.store.CouncilSessions(ctx, council.Slug, maxSessionsListed)
	if err != nil {
		return p, err
	}
	for _, sess := range sessions {
		p.Sessions = append(p.Sessions, evidenceChoice{Value: sess.ID,
			Label: l.T("EvidenceChoiceSession", "Title", sess.Title, "Date", dateOnly(sess.CreatedAt))})
	}
	return p, nil
}

// actionsBoard is GET /staff/councils/{council}/actions (facilitator and
// co-producers).
func (s *Server) actionsBoard(c *gin.Context) {
	council, err := s.staffCouncilReader(c)
	if err != nil {
		s.pageError(c, "staff.actions", err)
		return
	}
	p, err := s.boardData(c, council)
	if err != nil {
		s.pageError(c, "staff.actions", err)
		return
	}
	s.render(c, http.StatusOK, "actions", p)
}

// staffCouncilReader loads the council of the URL for a page that
// facilitators (and above) and the council's co-producers may read.
func (s *Server) staffCouncilReader(c *gin.Context) (*store.Council, error) {
	slug := c.Param("council")
	u := currentUser(c)
	if !inCouncil(u, slug) {
		return nil, errNotFound
	}
	if !hasRole(u, store.RoleFacilitator) && !hasRole(u, store.RoleCoProducer) {
		return nil, errForbidden
	}
	return s.store.Council(c.Request.Context(), slug)
}

// actionFormFieldControl maps an API field at fault to a form control.
func actionFormFieldControl(field string) string {
	switch {
	case strings.HasPrefix(field, "evidence"):
		return "action-indicator"
	case field == "you_said", field == "we_will", field == "owner", field == "due":
		return "action-" + strings.ReplaceAll(field, "_", "-")
	}
	return "action-you-said"
}

// actionsCreateForm is POST /staff/councils/{council}/actions: 303 to the
// new item, or 422 with the form kept.
func (s *Server) actionsCreateForm(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.actionsCreate", err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.errorPage(c, http.StatusBadRequest)
		return
	}
	f := actionForm{YouSaid: c.PostForm("you_said"), WeWill: c.PostForm("we_will"), Owner: c.PostForm("owner"),
		Due: c.PostForm("due"), Indicator: c.PostForm("indicator"), Session: c.PostForm("session"), Quote: strings.TrimSpace(c.PostForm("quote"))}
	in := actionInput{YouSaid: map[string]string{"en": f.YouSaid}, WeWill: map[string]string{"en": f.WeWill}, Owner: f.Owner, Due: f.Due}
	if wave, ind, ok := strings.Cut(f.Indicator, "|"); ok {
		in.Evidence = append(in.Evidence, evidenceInput{Wave: wave, Indicator: ind})
	}
	if f.Session != "" {
		in.Evidence = append(in.Evidence, evidenceInput{Session: f.Session})
	}
	if f.Quote != "" {
		in.Evidence = append(in.Evidence, evidenceInput{Quote: f.Quote})
	}
	a, err := s.newAction(c.Request.Context(), council.Slug, in)
	var ae *apiError
	if errors.As(err, &ae) {
		p, perr := s.boardData(c, council)
		if perr != nil {
			s.pageError(c, "staff.actionsCreate", perr)
			return
		}
		p.Form = f
		control := actionFormFieldControl(ae.Field)
		if strings.HasSuffix(ae.Field, ".session") {
			control = "action-session"
		} else if strings.HasSuffix(ae.Field, ".quote") {
			control = "action-quote"
		}
		p.Errors = []page.FieldError{{ID: control, Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
		markSelected(p.Indicators, f.Indicator)
		markSelected(p.Sessions, f.Session)
		s.render(c, http.StatusUnprocessableEntity, "actions", p)
		return
	}
	if err != nil {
		s.pageError(c, "staff.actionsCreate", err)
		return
	}
	if a, err = s.createActionItem(c, a); err != nil {
		s.pageError(c, "staff.actionsCreate", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/actions/"+a.ID)
}

func markSelected(choices []evidenceChoice, value string) {
	for i := range choices {
		choices[i].Selected = choices[i].Value == value
	}
}

// --- One item ---------------------------------------------------------------

// actionPage is the view model of the page "action".
type actionPage struct {
	page.Base
	Item       publicItem
	Council    *store.Council
	Version    int
	Published  bool
	CanEdit    bool // facilitator: edit, move, add updates
	CanPublish bool // council_admin
	CanVerdict bool // co_producer, while the verdict is open
	// Texts are the item's texts by council language, for the edit form.
	Texts       []textFields
	Owner, Due  string
	Next        []statusChoice
	VerdictOpen bool
	UpdateText  []textFields
	Audit       []auditRow
}

// textFields are one language's inputs of a multilingual form.
type textFields struct {
	Tag, Name, Dir  string
	YouSaid, WeWill string // the edit form
	Text            string // the update form
	Reason          string // the status form
}

type statusChoice struct {
	Value, Label string
}

type auditRow struct {
	At, Email, Kind, Action string
	Changes                 []store.Change
}

func (s *Server) actionPageData(c *gin.Context, a *store.Action) (actionPage, error) {
	ctx := c.Request.Context()
	l := s.localizer(c)
	u := currentUser(c)
	council, err := s.store.Council(ctx, a.Council)
	if err != nil {
		return actionPage{}, err
	}
	p := actionPage{
		Base: s.staffBase(c, "ActionTitle"), Council: council, Version: a.Version, Published: a.Published,
		CanEdit: hasRole(u, store.RoleFacilitator), CanPublish: hasRole(u, store.RoleCouncilAdmin),
		VerdictOpen: verdictOpen(a), Owner: a.Owner, Due: a.Due,
	}
	p.CanVerdict = hasRole(u, store.RoleCoProducer) && p.VerdictOpen
	p.Item, err = s.publicItem(ctx, l, s.newFigures(council), a, newAskedList())
	if err != nil {
		return p, err
	}
	for _, tag := range councilLanguages(council) {
		tf := textFields{Tag: tag, Name: langName(tag), Dir: locale.Dir(tag), YouSaid: a.YouSaid[tag], WeWill: a.WeWill[tag], Reason: a.Reason[tag]}
		p.Texts = append(p.Texts, tf)
		p.UpdateText = append(p.UpdateText, textFields{Tag: tag, Name: tf.Name, Dir: tf.Dir})
	}
	for _, st := range nextStatuses[a.Status] {
		p.Next = append(p.Next, statusChoice{Value: st, Label: l.T(statusLabels[st])})
	}
	if p.CanEdit {
		events, err := s.store.ActionEvents(ctx, a.ID)
		if err != nil {
			return p, err
		}
		for i := len(events) - 1; i >= 0; i-- {
			p.Audit = append(p.Audit, viewAuditRow(l, &events[i]))
		}
	}
	return p, nil
}

func viewAuditRow(l *locale.Localizer, e *store.ActionEvent) auditRow {
	return auditRow{At: e.At.UTC().Format("2006-01-02 15:04 MST"), Email: e.Email, Kind: l.T(auditKinds[e.Kind]), Action: e.Action, Changes: e.Changes}
}

var auditKinds = map[string]string{
	store.EventCreate:    "AuditCreate",
	store.EventPatch:     "AuditPatch",
	store.EventUpdate:    "AuditUpdate",
	store.EventPublish:   "AuditPublish",
	store.EventUnpublish: "AuditUnpublish",
	store.EventVerdict:   "AuditVerdict",
}

// councilLanguages are the languages item texts may be written in:
// English first, then the council's others.
func councilLanguages(c *store.Council) []string {
	out := []string{"en"}
	for _, tag := range c.Languages {
		if tag != "en" {
			out = append(out, tag)
		}
	}
	return out
}

func langName(tag string) string {
	if l, ok := locale.Lookup(tag); ok {
		return l.Name
	}
	return tag
}

// actionItemPage is GET /staff/actions/{id} (facilitators and co-producers).
func (s *Server) actionItemPage(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, true)
	if err != nil {
		s.pageError(c, "staff.action", err)
		return
	}
	p, err := s.actionPageData(c, a)
	if err != nil {
		s.pageError(c, "staff.action", err)
		return
	}
	s.render(c, http.StatusOK, "action", p)
}

// formTexts reads a multilingual field ("you_said:en", "you_said:ar"…).
func formTexts(c *gin.Context, name string, council *store.Council) map[string]string {
	out := map[string]string{}
	for _, tag := range councilLanguages(council) {
		out[tag] = c.PostForm(name + ":" + tag)
	}
	if _, ok := c.GetPostForm(name + ":en"); !ok {
		out["en"] = c.PostForm(name) // a form with English only
	}
	return out
}

func formVersion(c *gin.Context) *int {
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		return nil
	}
	return &v
}

// actionFormDone answers an item form: 303 back to the item on success,
// 422 (or 403, 409 as the error page says) with the item page and an
// error summary otherwise. keep puts the sent values back into the page.
func (s *Server) actionFormDone(c *gin.Context, id string, err error, control string, keep func(*actionPage)) {
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/staff/actions/"+id)
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status == http.StatusForbidden || ae.Status == http.StatusNotFound {
		s.pageError(c, "staff.actionForm", err)
		return
	}
	a, aerr := s.store.Action(c.Request.Context(), id)
	if aerr != nil {
		s.pageError(c, "staff.actionForm", aerr)
		return
	}
	p, perr := s.actionPageData(c, a)
	if perr != nil {
		s.pageError(c, "staff.actionForm", perr)
		return
	}
	if keep != nil {
		keep(&p)
	}
	p.Errors = []page.FieldError{{ID: control, Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
	s.render(c, http.StatusUnprocessableEntity, "action", p)
}

// actionEditForm is POST /staff/actions/{id}: texts, owner and due date.
func (s *Server) actionEditForm(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, false)
	if err != nil {
		s.pageError(c, "staff.actionEdit", err)
		return
	}
	council, err := s.store.Council(c.Request.Context(), a.Council)
	if err != nil {
		s.pageError(c, "staff.actionEdit", err)
		return
	}
	youSaid, weWill := formTexts(c, "you_said", council), formTexts(c, "we_will", council)
	owner, due := c.PostForm("owner"), c.PostForm("due")
	p := &actionPatch{YouSaid: youSaid, WeWill: weWill, Owner: &owner, Due: &due, Version: formVersion(c)}
	err = validPatch(currentUser(c), p)
	if err == nil {
		_, err = s.patchActionItem(c, a.ID, p)
	}
	control := "edit-" + strings.ReplaceAll(fieldOf(err), "_", "-")
	if f := fieldOf(err); f == "you_said" || f == "we_will" {
		control += "-en"
	}
	s.actionFormDone(c, a.ID, err, control, func(pg *actionPage) {
		for i := range pg.Texts {
			pg.Texts[i].YouSaid, pg.Texts[i].WeWill = youSaid[pg.Texts[i].Tag], weWill[pg.Texts[i].Tag]
		}
		pg.Owner, pg.Due = owner, due
	})
}

func fieldOf(err error) string {
	var ae *apiError
	if errors.As(err, &ae) && ae.Field != "" {
		return ae.Field
	}
	return "owner"
}

// actionStatusForm is POST /staff/actions/{id}/status.
func (s *Server) actionStatusForm(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, false)
	if err != nil {
		s.pageError(c, "staff.actionStatus", err)
		return
	}
	council, err := s.store.Council(c.Request.Context(), a.Council)
	if err != nil {
		s.pageError(c, "staff.actionStatus", err)
		return
	}
	status := c.PostForm("status")
	reason := formTexts(c, "reason", council)
	p := &actionPatch{Status: &status, Version: formVersion(c)}
	if status == store.StatusNotPossible {
		p.Reason = reason
	}
	err = validPatch(currentUser(c), p)
	if err == nil {
		_, err = s.patchActionItem(c, a.ID, p)
	}
	control := "status-" + status
	if fieldOf(err) == "reason" {
		control = "reason-en"
	}
	if len(nextStatuses[a.Status]) == 0 {
		control = "status"
	}
	s.actionFormDone(c, a.ID, err, control, func(pg *actionPage) {
		for i := range pg.Texts {
			pg.Texts[i].Reason = reason[pg.Texts[i].Tag]
		}
	})
}

// actionUpdateForm is POST /staff/actions/{id}/updates.
func (s *Server) actionUpdateForm(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, false)
	if err != nil {
		s.pageError(c, "staff.actionUpdate", err)
		return
	}
	council, err := s.store.Council(c.Request.Context(), a.Council)
	if err != nil {
		s.pageError(c, "staff.actionUpdate", err)
		return
	}
	text := formTexts(c, "text", council)
	_, err = s.addUpdate(c, a.ID, text)
	s.actionFormDone(c, a.ID, err, "update-en", func(pg *actionPage) {
		for i := range pg.UpdateText {
			pg.UpdateText[i].Text = text[pg.UpdateText[i].Tag]
		}
	})
}

// actionPublishForm is POST /staff/actions/{id}/publish (council_admin):
// published=true publishes, anything else takes the item off the page.
func (s *Server) actionPublishForm(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleCouncilAdmin, false)
	if err != nil {
		s.pageError(c, "staff.actionPublish", err)
		return
	}
	published := c.PostForm("published") == "true"
	p := &actionPatch{Published: &published, Version: formVersion(c)}
	err = validPatch(currentUser(c), p)
	if err == nil {
		_, err = s.patchActionItem(c, a.ID, p)
	}
	s.actionFormDone(c, a.ID, err, "publish", nil)
}

// actionVerdictForm is POST /staff/actions/{id}/verdicts (co_producer).
func (s *Server) actionVerdictForm(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleCoProducer, false)
	if err != nil {
		s.pageError(c, "staff.actionVerdict", err)
		return
	}
	in := verdictInput{Verdict: c.PostForm("verdict"), Comment: map[string]string{"en": c.PostForm("comment")}}
	_, err = s.addVerdict(c, a.ID, in)
	control := "verdict-agreed"
	if fieldOf(err) == "comment" {
		control = "verdict-comment"
	}
	s.actionFormDone(c, a.ID, err, control, nil)
}

// --- The council's audit log -------------------------------------------------

// auditPage is the view model of the page "audit".
type auditPage struct {
	page.Base
	Council *store.Council
	Audit   []auditRow
	// General are the council's other changes (accounts and the like),
	// from the general audit log (accounts.go).
	General []generalAuditRow
}

// councilAudit is GET /staff/councils/{council}/audit (facilitator): every
// change to the council's action plan, newest first.
func (s *Server) councilAudit(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.audit", err)
		return
	}
	events, err := s.store.CouncilActionEvents(c.Request.Context(), council.Slug, maxAuditListed)
	if err != nil {
		s.pageError(c, "staff.audit", err)
		return
	}
	general, err := s.store.AuditLog(c.Request.Context(), council.Slug, maxAuditListed)
	if err != nil {
		s.pageError(c, "staff.audit", err)
		return
	}
	l := s.localizer(c)
	p := auditPage{Base: s.staffBase(c, "AuditTitle"), Council: council, General: viewGeneralAudit(l, general)}
	for i := range events {
		p.Audit = append(p.Audit, viewAuditRow(l, &events[i]))
	}
	s.render(c, http.StatusOK, "audit", p)
}
