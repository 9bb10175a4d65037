package web

// Action plans ("you said, we did"): the JSON API of the contract and the
// rules the staff pages share with it. How concurrent changes are kept
// safe is explained in package store (actions.go): every change is an
// event inserted under a unique (action, seq); this file decides what a
// change is and whether it is allowed.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Limits of an action plan item.
const (
	maxActionText     = 1000 // characters of you_said, we_will, reason, comment per language
	maxUpdateText     = 5000 // characters of one update per language, before sanitising
	maxOwnerLength    = 120
	maxEvidence       = 20
	maxTimeline       = 500
	maxActionsListed  = 500
	maxAuditListed    = 1000
	auditValueExcerpt = 300 // characters of a before or after shown in the audit log
)

// nextStatuses lists the statuses an item may move to from each status:
// proposed → agreed → in_progress → done, or not_possible (with a reason)
// from any status before done. done and not_possible are final.
var nextStatuses = map[string][]string{
	store.StatusProposed:    {store.StatusAgreed, store.StatusNotPossible},
	store.StatusAgreed:      {store.StatusInProgress, store.StatusNotPossible},
	store.StatusInProgress:  {store.StatusDone, store.StatusNotPossible},
	store.StatusDone:        {},
	store.StatusNotPossible: {},
}

var verdicts = []string{store.VerdictAgreed, store.VerdictNotYet, store.VerdictNotWhatWeAsked}

// Errors of action plans.
var (
	errEmptyPatch      = invalid("empty_patch", "ErrorEmptyPatch", "", nil)
	errTimelineFull    = conflict("timeline_full", "ErrorTimelineFull", "text")
	errVerdictNotOpen  = conflict("verdict_not_open", "ErrorVerdictNotOpen", "verdict")
	errVersionConflict = conflict("version_conflict", "ErrorVersionConflict", "version")
	errNoChange        = errors.New("no change")
)

func errInvalidTransition(from, to string) *apiError {
	e := conflict("invalid_transition", "ErrorInvalidTransition", "status")
	e.Data = map[string]any{"From": from, "To": to}
	return e
}

// textMap validates a text map of the API ({"en": "...", "ar": "..."}):
// every key a supported language, every text at most maxLen characters
// once trimmed, English present. Empty texts are dropped. With required
// false an absent or empty map is nil.
func textMap(in map[string]string, field string, maxLen int, required bool) (map[string]string, error) {
	out := map[string]string{}
	for _, tag := range slices.Sorted(maps.Keys(in)) {
		l, ok := locale.Lookup(tag)
		if !ok {
			return nil, invalid("unknown_language", "ErrorUnknownLanguage", field, map[string]any{"Language": tag})
		}
		text := strings.TrimSpace(in[tag])
		if text == "" {
			continue
		}
		if utf8.RuneCountInString(text) > maxLen {
			return nil, invalid("too_long", "ErrorTextTooLong", field, map[string]any{"Max": maxLen})
		}
		out[l.Tag] = text
	}
	if len(out) == 0 && !required {
		return nil, nil
	}
	if out["en"] == "" {
		return nil, invalid("required", "ErrorEnglishRequired", field, nil)
	}
	return out, nil
}

type evidenceInput struct {
	Wave      string `json:"wave"`
	Indicator string `json:"indicator"`
	Session   string `json:"session"`
	Quote     string `json:"quote"`
}

type actionInput struct {
	YouSaid  map[string]string `json:"you_said"`
	WeWill   map[string]string `json:"we_will"`
	Owner    string            `json:"owner"`
	Due      string            `json:"due"`
	Evidence []evidenceInput   `json:"evidence"`
}

func validOwner(owner string) (string, error) {
	owner = strings.TrimSpace(owner)
	if owner == "" || utf8.RuneCountInString(owner) > maxOwnerLength {
		return "", invalid("invalid_owner", "ErrorOwner", "owner", map[string]any{"Max": maxOwnerLength})
	}
	return owner, nil
}

func validDue(due string) (string, error) {
	due = strings.TrimSpace(due)
	if due == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, due); err != nil {
		return "", invalid("invalid_date", "ErrorDue", "due", nil)
	}
	return due, nil
}

// validEvidence checks evidence refs: each names a wave and one of its
// survey's indicators, a session, or an approved quote, all of council.
func (s *Server) validEvidence(ctx context.Context, council string, in []evidenceInput) ([]store.EvidenceRef, error) {
	if len(in) > maxEvidence {
		return nil, invalid("too_many", "ErrorEvidenceCount", "evidence", map[string]any{"Max": maxEvidence})
	}
	out := []store.EvidenceRef{}
	for i, e := range in {
		field := fmt.Sprintf("evidence[%d]", i)
		bad := func(what string) error {
			return invalid("invalid_evidence", "ErrorEvidence", field+what, nil)
		}
		var ref store.EvidenceRef
		switch {
		case e.Wave != "" && e.Indicator != "" && e.Session == "" && e.Quote == "":
			w, err := s.store.Wave(ctx, e.Wave)
			if errors.Is(err, store.ErrNotFound) || (err == nil && w.Council != council) {
				return nil, bad(".wave")
			}
			if err != nil {
				return nil, err
			}
			def, err := s.definition(ctx, w.Survey, w.Version)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(def.Indicators, func(ind survey.Indicator) bool { return ind.ID == e.Indicator }) {
				return nil, bad(".indicator")
			}
			ref = store.EvidenceRef{Kind: store.EvidenceIndicator, Wave: w.ID, Indicator: e.Indicator}
		case e.Session != "" && e.Wave == "" && e.Indicator == "" && e.Quote == "":
			sess, err := s.store.Session(ctx, e.Session)
			if errors.Is(err, store.ErrNotFound) || (err == nil && sess.Council != council) {
				return nil, bad(".session")
			}
			if err != nil {
				return nil, err
			}
			ref = store.EvidenceRef{Kind: store.EvidenceSession, Session: sess.ID}
		case e.Quote != "" && e.Wave == "" && e.Indicator == "" && e.Session == "":
			t, err := s.store.TextByID(ctx, e.Quote)
			if errors.Is(err, store.ErrNotFound) || (err == nil && t.Status != store.TextApproved) {
				return nil, bad(".quote")
			}
			if err != nil {
				return nil, err
			}
			w, err := s.store.Wave(ctx, t.Wave)
			if errors.Is(err, store.ErrNotFound) || (err == nil && w.Council != council) {
				return nil, bad(".quote")
			}
			if err != nil {
				return nil, err
			}
			ref = store.EvidenceRef{Kind: store.EvidenceQuote, Quote: t.ID, Wave: w.ID}
		default:
			return nil, bad("")
		}
		if slices.Contains(out, ref) {
			continue
		}
		out = append(out, ref)
	}
	return out, nil
}

// newAction validates a new item.
func (s *Server) newAction(ctx context.Context, council string, in actionInput) (*store.Action, error) {
	youSaid, err := textMap(in.YouSaid, "you_said", maxActionText, true)
	if err != nil {
		return nil, err
	}
	weWill, err := textMap(in.WeWill, "we_will", maxActionText, true)
	if err != nil {
		return nil, err
	}
	owner, err := validOwner(in.Owner)
	if err != nil {
		return nil, err
	}
	due, err := validDue(in.Due)
	if err != nil {
		return nil, err
	}
	evidence, err := s.validEvidence(ctx, council, in.Evidence)
	if err != nil {
		return nil, err
	}
	return &store.Action{
		ID: store.NewActionID(), Council: council, YouSaid: youSaid, WeWill: weWill,
		Owner: owner, Due: due, Status: store.StatusProposed, Evidence: evidence,
	}, nil
}

// actor is who makes a change, for the audit log.
func actor(c *gin.Context) store.ActionEvent {
	u := currentUser(c)
	return store.ActionEvent{UserID: u.ID, Email: u.Email}
}

// createActionItem stores a new item with its first audit entry.
func (s *Server) createActionItem(c *gin.Context, a *store.Action) (*store.Action, error) {
	e := actor(c)
	e.Changes = []store.Change{
		{Field: "you_said", After: auditText(a.YouSaid)},
		{Field: "we_will", After: auditText(a.WeWill)},
		{Field: "owner", After: a.Owner},
		{Field: "due", After: a.Due},
		{Field: "status", After: a.Status},
		{Field: "evidence", After: auditEvidence(a.Evidence)},
	}
	return s.store.CreateAction(c.Request.Context(), a, e)
}

// createAction is POST /api/v1/councils/{council}/actions (facilitator).
func (s *Server) createAction(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleFacilitator); err != nil {
		s.fail(c, "actions.create", err)
		return
	}
	if _, err := s.store.Council(c.Request.Context(), council); err != nil {
		s.fail(c, "actions.create", err)
		return
	}
	var in actionInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "actions.create", err)
		return
	}
	a, err := s.newAction(c.Request.Context(), council, in)
	if err != nil {
		s.fail(c, "actions.create", err)
		return
	}
	a, err = s.createActionItem(c, a)
	if err != nil {
		s.fail(c, "actions.create", err)
		return
	}
	s.writeStaffAction(c, http.StatusCreated, a)
}

// staffAction loads the item of the URL for a staff request: 404 for
// another council's, 403 when the user may not act. role is the role
// needed; co_producer also admits a facilitator and above when read is
// true (reading an item is open to both).
func (s *Server) staffAction(c *gin.Context, role string, read bool) (*store.Action, error) {
	a, err := s.store.Action(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	if read && inCouncil(u, a.Council) && (hasRole(u, store.RoleFacilitator) || hasRole(u, store.RoleCoProducer)) {
		return a, nil
	}
	if err := authorize(u, a.Council, role); err != nil {
		return nil, err
	}
	return a, nil
}

// actionPatch is the body of PATCH /api/v1/actions/{id}. Version is ours,
// beside the contract: when sent, the change applies only to that version
// of the item (409 version_conflict otherwise), so a form that was open
// while someone else changed the item cannot undo their change unseen.
type actionPatch struct {
	YouSaid   map[string]string `json:"you_said"`
	WeWill    map[string]string `json:"we_will"`
	Owner     *string           `json:"owner"`
	Due       *string           `json:"due"`
	Status    *string           `json:"status"`
	Reason    map[string]string `json:"reason"`
	Published *bool             `json:"published"`
	Version   *int              `json:"version"`
}

// validPatch checks a patch's fields on their own (400s) and its right to
// publish (403); applyPatch checks it against the item.
func validPatch(u *store.User, p *actionPatch) error {
	if p.YouSaid == nil && p.WeWill == nil && p.Owner == nil && p.Due == nil && p.Status == nil && p.Reason == nil && p.Published == nil {
		return errEmptyPatch
	}
	if p.Published != nil && !hasRole(u, store.RoleCouncilAdmin) {
		return errForbidden
	}
	var err error
	if p.YouSaid != nil {
		if p.YouSaid, err = textMap(p.YouSaid, "you_said", maxActionText, true); err != nil {
			return err
		}
	}
	if p.WeWill != nil {
		if p.WeWill, err = textMap(p.WeWill, "we_will", maxActionText, true); err != nil {
			return err
		}
	}
	if p.Owner != nil {
		owner, err := validOwner(*p.Owner)
		if err != nil {
			return err
		}
		p.Owner = &owner
	}
	if p.Due != nil {
		due, err := validDue(*p.Due)
		if err != nil {
			return err
		}
		p.Due = &due
	}
	if p.Status != nil {
		if _, ok := nextStatuses[*p.Status]; !ok {
			return invalid("invalid_status", "ErrorActionStatus", "status", nil)
		}
	}
	if p.Reason != nil {
		if p.Reason, err = textMap(p.Reason, "reason", maxActionText, true); err != nil {
			return err
		}
	}
	if p.Status != nil && *p.Status == store.StatusNotPossible && p.Reason == nil {
		return invalid("required", "ErrorReasonRequired", "reason", nil)
	}
	return nil
}

// applyPatch decides the event a valid patch makes of item cur: 409 for a
// status move the rules do not allow (saying from what to what) or a stale
// version, errNoChange when it changes nothing.
func applyPatch(cur *store.Action, p *actionPatch, e store.ActionEvent) (*store.ActionEvent, error) {
	if p.Version != nil && *p.Version != cur.Version {
		return nil, errVersionConflict
	}
	d := &e.Delta
	change := func(field, before, after string) {
		e.Changes = append(e.Changes, store.Change{Field: field, Before: before, After: after})
	}
	if p.YouSaid != nil && !maps.Equal(p.YouSaid, cur.YouSaid) {
		d.YouSaid = p.YouSaid
		change("you_said", auditText(cur.YouSaid), auditText(p.YouSaid))
	}
	if p.WeWill != nil && !maps.Equal(p.WeWill, cur.WeWill) {
		d.WeWill = p.WeWill
		change("we_will", auditText(cur.WeWill), auditText(p.WeWill))
	}
	if p.Owner != nil && *p.Owner != cur.Owner {
		d.Owner = p.Owner
		change("owner", cur.Owner, *p.Owner)
	}
	if p.Due != nil && *p.Due != cur.Due {
		d.Due = p.Due
		change("due", cur.Due, *p.Due)
	}
	// Naming the status an item has already is only allowed to restate
	// not_possible while changing its reason; any other move must be one
	// the rules allow.
	restatesReason := p.Status != nil && *p.Status == cur.Status && cur.Status == store.StatusNotPossible && p.Reason != nil
	if p.Status != nil && !restatesReason {
		if !slices.Contains(nextStatuses[cur.Status], *p.Status) {
			return nil, errInvalidTransition(cur.Status, *p.Status)
		}
		d.Status = p.Status
		change("status", cur.Status, *p.Status)
	}
	if p.Reason != nil {
		status := cur.Status
		if d.Status != nil {
			status = *d.Status
		}
		if status != store.StatusNotPossible {
			return nil, invalid("reason_not_allowed", "ErrorReasonOnlyNotPossible", "reason", nil)
		}
		if !maps.Equal(p.Reason, cur.Reason) {
			d.Reason = p.Reason
			change("reason", auditText(cur.Reason), auditText(p.Reason))
		}
	}
	if p.Published != nil && *p.Published != cur.Published {
		d.Published = p.Published
		change("published", fmt.Sprint(cur.Published), fmt.Sprint(*p.Published))
	}
	if len(e.Changes) == 0 {
		return nil, errNoChange
	}
	e.Kind = store.EventPatch
	if len(e.Changes) == 1 && d.Published != nil {
		e.Kind = store.EventUnpublish
		if *d.Published {
			e.Kind = store.EventPublish
		}
	}
	return &e, nil
}

// patchActionItem applies a valid patch; an item it would not change comes
// back as it is.
func (s *Server) patchActionItem(c *gin.Context, id string, p *actionPatch) (*store.Action, error) {
	e := actor(c)
	a, err := s.store.ChangeAction(c.Request.Context(), id, func(cur *store.Action) (*store.ActionEvent, error) {
		return applyPatch(cur, p, e)
	})
	if errors.Is(err, errNoChange) {
		return s.store.Action(c.Request.Context(), id)
	}
	return a, err
}

// patchAction is PATCH /api/v1/actions/{id} (facilitator; published only
// by council_admin).
func (s *Server) patchAction(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, false)
	if err != nil {
		s.fail(c, "actions.patch", err)
		return
	}
	var p actionPatch
	if err := decodeJSON(c, &p); err != nil {
		s.fail(c, "actions.patch", err)
		return
	}
	if err := validPatch(currentUser(c), &p); err != nil {
		s.fail(c, "actions.patch", err)
		return
	}
	a, err = s.patchActionItem(c, a.ID, &p)
	if err != nil {
		s.fail(c, "actions.patch", err)
		return
	}
	s.writeStaffAction(c, http.StatusOK, a)
}

type updateInput struct {
	Text map[string]string `json:"text"`
}

// addUpdate sanitises an update's text with the one rich-text policy and
// records it on the item's timeline.
func (s *Server) addUpdate(c *gin.Context, id string, in map[string]string) (*store.TimelineEntry, error) {
	text, err := textMap(in, "text", maxUpdateText, true)
	if err != nil {
		return nil, err
	}
	for tag, t := range text {
		clean := strings.TrimSpace(s.richText.Sanitise(t))
		if clean == "" {
			delete(text, tag)
			continue
		}
		text[tag] = clean
	}
	if text["en"] == "" {
		return nil, invalid("required", "ErrorEnglishRequired", "text", nil)
	}
	e := actor(c)
	a, err := s.store.ChangeAction(c.Request.Context(), id, func(cur *store.Action) (*store.ActionEvent, error) {
		if len(cur.Timeline) >= maxTimeline {
			return nil, errTimelineFull
		}
		ev := e
		ev.Kind = store.EventUpdate
		ev.Delta.Update = &store.TimelineEntry{Text: text}
		ev.Changes = []store.Change{{Field: "timeline", After: auditText(text)}}
		return &ev, nil
	})
	if err != nil {
		return nil, err
	}
	last := a.Timeline[len(a.Timeline)-1]
	return &last, nil
}

// postActionUpdate is POST /api/v1/actions/{id}/updates (facilitator).
func (s *Server) postActionUpdate(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, false)
	if err != nil {
		s.fail(c, "actions.update", err)
		return
	}
	var in updateInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "actions.update", err)
		return
	}
	entry, err := s.addUpdate(c, a.ID, in.Text)
	if err != nil {
		s.fail(c, "actions.update", err)
		return
	}
	c.JSON(http.StatusCreated, timelineView{At: entry.At, Text: entry.Text})
}

type verdictInput struct {
	Verdict string            `json:"verdict"`
	Comment map[string]string `json:"comment"`
}

// verdictOpen is the rule for when the forum may give its verdict on an
// item: while it is not yet published (so the council hears it before it
// commits in public) and once it is done or found not possible (so the
// forum marks the homework). While a published item is under way the
// verdict it had stands.
func verdictOpen(a *store.Action) bool {
	return !a.Published || a.Status == store.StatusDone || a.Status == store.StatusNotPossible
}

// addVerdict records the forum's verdict on an item.
func (s *Server) addVerdict(c *gin.Context, id string, in verdictInput) (*store.Verdict, error) {
	if !slices.Contains(verdicts, in.Verdict) {
		return nil, invalid("invalid_verdict", "ErrorVerdict", "verdict", nil)
	}
	comment, err := textMap(in.Comment, "comment", maxActionText, false)
	if err != nil {
		return nil, err
	}
	e := actor(c)
	a, err := s.store.ChangeAction(c.Request.Context(), id, func(cur *store.Action) (*store.ActionEvent, error) {
		if !verdictOpen(cur) {
			return nil, errVerdictNotOpen
		}
		ev := e
		ev.Kind = store.EventVerdict
		ev.Delta.Verdict = &store.Verdict{Verdict: in.Verdict, Comment: comment}
		before := ""
		if cur.Verdict != nil {
			before = cur.Verdict.Verdict + " " + auditText(cur.Verdict.Comment)
		}
		ev.Changes = []store.Change{{Field: "verdict", Before: strings.TrimSpace(before), After: strings.TrimSpace(in.Verdict + " " + auditText(comment))}}
		return &ev, nil
	})
	if err != nil {
		return nil, err
	}
	return a.Verdict, nil
}

// postVerdict is POST /api/v1/actions/{id}/verdicts (co_producer of the
// item's council).
func (s *Server) postVerdict(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleCoProducer, false)
	if err != nil {
		s.fail(c, "actions.verdict", err)
		return
	}
	var in verdictInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "actions.verdict", err)
		return
	}
	v, err := s.addVerdict(c, a.ID, in)
	if err != nil {
		s.fail(c, "actions.verdict", err)
		return
	}
	c.JSON(http.StatusCreated, viewVerdict(v))
}

// getAction is GET /api/v1/actions/{id} (facilitator or co_producer of the
// item's council): the item, published or not.
func (s *Server) getAction(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, true)
	if err != nil {
		s.fail(c, "actions.get", err)
		return
	}
	s.writeStaffAction(c, http.StatusOK, a)
}

// auditEntry is one line of the audit log as the API shows it.
type auditEntry struct {
	Action  string        `json:"action"`
	Seq     int           `json:"seq"`
	Kind    string        `json:"kind"`
	At      time.Time     `json:"at"`
	UserID  string        `json:"user_id"`
	Email   string        `json:"email"`
	Changes []auditChange `json:"changes"`
}

type auditChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

func viewAudit(events []store.ActionEvent) []auditEntry {
	out := make([]auditEntry, 0, len(events))
	for _, e := range events {
		ae := auditEntry{Action: e.Action, Seq: e.Seq, Kind: e.Kind, At: e.At, UserID: e.UserID, Email: e.Email, Changes: []auditChange{}}
		for _, ch := range e.Changes {
			ae.Changes = append(ae.Changes, auditChange(ch))
		}
		out = append(out, ae)
	}
	return out
}

// getActionAudit is GET /api/v1/actions/{id}/audit (facilitator): the
// item's every change, oldest first.
func (s *Server) getActionAudit(c *gin.Context) {
	a, err := s.staffAction(c, store.RoleFacilitator, false)
	if err != nil {
		s.fail(c, "actions.audit", err)
		return
	}
	events, err := s.store.ActionEvents(c.Request.Context(), a.ID)
	if err != nil {
		s.fail(c, "actions.audit", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"events": viewAudit(events)})
}

// auditText shows a text map in the audit log: each language's text,
// cut short, in a stable order.
func auditText(m map[string]string) string {
	var parts []string
	for _, tag := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, tag+": "+excerpt(m[tag], auditValueExcerpt))
	}
	return strings.Join(parts, " | ")
}

func auditEvidence(refs []store.EvidenceRef) string {
	var parts []string
	for _, r := range refs {
		switch r.Kind {
		case store.EvidenceIndicator:
			parts = append(parts, "indicator "+r.Indicator+" of wave "+r.Wave)
		case store.EvidenceSession:
			parts = append(parts, "session "+r.Session)
		case store.EvidenceQuote:
			parts = append(parts, "quote "+r.Quote)
		}
	}
	return strings.Join(parts, "; ")
}

func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
