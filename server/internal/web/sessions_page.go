package web

// The pages of forum sessions: the young person's vote page /j/{code}
// (plain HTML, no JavaScript needed), and the facilitator's list, create
// form, present screen with its event stream, and close button.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/metrics"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Fields of the vote form.
const (
	fieldChoice = "choice"
	// choiceControlID is the id of the first option's control, which the
	// error summary links to.
	choiceControlID = "choice-1"
)

// votePage is the view model of the page "session-vote".
type votePage struct {
	page.Base
	Code           string
	SessionTitle   string
	Multi          bool // checkboxes (max_choices > 1), else radio buttons
	MaxChoices     int
	Options        []voteOption
	IdempotencyKey string
	Field          page.Field // the choices' error, if any
	// Closed is set when the session takes no more votes (answered 410).
	Closed bool
	// NotSaved is set when the store could not take the vote.
	NotSaved bool
}

type voteOption struct {
	ID      string
	Value   string
	Label   textView
	Checked bool
}

// voteSession loads the session of a join code for the vote pages and
// chooses the page's language among its council's.
func (s *Server) voteSession(c *gin.Context, explicit ...string) (*store.Session, *locale.Localizer, []string, error) {
	ctx := c.Request.Context()
	sess, err := s.store.SessionByJoinCode(ctx, c.Param("code"))
	if err != nil {
		return nil, nil, nil, err
	}
	council, err := s.store.Council(ctx, sess.Council)
	if err != nil {
		return nil, nil, nil, err
	}
	langs := council.Languages
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	return sess, s.useLanguage(c, langs, explicit...), langs, nil
}

func (s *Server) voteView(c *gin.Context, sess *store.Session, l *locale.Localizer, langs []string, chosen []string, errs []page.FieldError) votePage {
	lang := l.Tag()
	p := votePage{
		Base: s.pages.NewBase(l, sess.Title), Code: sess.JoinCode, SessionTitle: sess.Title,
		Multi: sess.MaxChoices > 1, MaxChoices: sess.MaxChoices, Closed: sess.Closed(),
	}
	p.Languages = page.LanguageLinks(&url.URL{Path: "/j/" + sess.JoinCode}, lang, langs)
	p.Errors = errs
	p.Field = p.Base.Field(choiceControlID)
	p.IdempotencyKey = uuid.NewString()
	for i, o := range sess.Options {
		p.Options = append(p.Options, voteOption{
			ID: "choice-" + strconv.Itoa(i+1), Value: o.Value,
			Label: textIn(survey.Text(o.Label), lang), Checked: slices.Contains(chosen, o.Value),
		})
	}
	return p
}

// voteForm is GET /j/{code}: the vote in the language of ?lang= or the
// browser's, among the council's languages.
func (s *Server) voteForm(c *gin.Context) {
	sess, l, langs, err := s.voteSession(c)
	if err != nil {
		s.pageError(c, "vote.form", err)
		return
	}
	status := http.StatusOK
	if sess.Closed() || s.tally.SessionClosedHere(sess.ID) {
		sess.ClosedAt = ptr(s.now())
		status = http.StatusGone
	}
	s.render(c, status, "session-vote", s.voteView(c, sess, l, langs, nil, nil))
}

// voteSubmit is POST /j/{code}, the vote without JavaScript: 303 to the
// thank-you page once stored; 422 with an error summary and the choices
// kept when they are wrong; 410 when the session has closed; 503 with the
// choices kept when the store could not take the vote.
func (s *Server) voteSubmit(c *gin.Context) {
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	sess, l, langs, err := s.voteSession(c, form.Get(fieldLang))
	if err != nil {
		s.countVote(metrics.ChannelForm, err)
		s.pageError(c, "vote.submit", err)
		return
	}
	chosen := form[fieldChoice]
	if sess.Closed() {
		s.countVote(metrics.ChannelForm, errSessionClosed)
		s.render(c, http.StatusGone, "session-vote", s.voteView(c, sess, l, langs, chosen, nil))
		return
	}
	choices, err := validChoices(sess, chosen)
	var ae *apiError
	if errors.As(err, &ae) {
		s.countVote(metrics.ChannelForm, ae)
		errs := []page.FieldError{{ID: choiceControlID, Message: l.T(ae.MessageID, ae.Data)}}
		s.render(c, http.StatusUnprocessableEntity, "session-vote", s.voteView(c, sess, l, langs, chosen, errs))
		return
	}
	key := strings.ToLower(form.Get(fieldIdemKey))
	if _, err := uuid.Parse(key); err != nil {
		key = ""
	}
	err = s.castVote(c.Request.Context(), sess, choices, key)
	s.countVote(metrics.ChannelForm, err)
	switch {
	case err == nil, errors.Is(err, errIdemMismatch):
		// A mismatch means this form's first sending was stored already:
		// the vote is in, once.
		c.Redirect(http.StatusSeeOther, "/j/"+url.PathEscape(sess.JoinCode)+"/thanks?lang="+url.QueryEscape(l.Tag()))
	case errors.Is(err, errSessionClosed):
		sess.ClosedAt = ptr(s.now())
		s.render(c, http.StatusGone, "session-vote", s.voteView(c, sess, l, langs, chosen, nil))
	default:
		s.logger.Error("vote not stored", "op", "vote.submit", "err", err)
		p := s.voteView(c, sess, l, langs, chosen, nil)
		p.NotSaved = true
		c.Header("Retry-After", strconv.Itoa(errUnavailable.RetryAfter))
		s.render(c, http.StatusServiceUnavailable, "session-vote", p)
	}
}

// voteThanksPage is the view model of the page "session-thanks".
type voteThanksPage struct {
	page.Base
	Code string
}

// voteThanks is GET /j/{code}/thanks: the vote is counted. Its URL holds
// nothing about the vote.
func (s *Server) voteThanks(c *gin.Context) {
	sess, l, langs, err := s.voteSession(c)
	if err != nil {
		s.pageError(c, "vote.thanks", err)
		return
	}
	p := voteThanksPage{Base: s.pages.NewBase(l, l.T("VoteThanksTitle")), Code: sess.JoinCode}
	p.Languages = page.LanguageLinks(c.Request.URL, l.Tag(), langs)
	s.render(c, http.StatusOK, "session-thanks", p)
}

// --- Staff: the list and the create form ----------------------------------

// sessionsPage is the view model of the page "sessions".
type sessionsPage struct {
	page.Base
	Council  *store.Council
	Sessions []sessionRow
	Waves    []waveChoice
	// Form is the create form: prefilled from a wave's priorities, or
	// what the facilitator sent when it comes back with errors.
	Form sessionForm
}

type sessionRow struct {
	ID, Title, JoinCode, Created string
	Closed                       bool
}

type waveChoice struct {
	ID, Name string
	Selected bool
}

type sessionForm struct {
	Title      string
	Wave       string
	MaxChoices string
	Rows       []optionRow
}

type optionRow struct {
	N            int // 1-based, for ids and labels
	Value, Label string
}

// sessionFormRows is how many option rows the create form offers: the
// prefilled ones and a few empty, up to the most a session may have.
func sessionFormRows(rows []optionRow) []optionRow {
	extra := 3
	if len(rows) == 0 {
		extra = 6
	}
	for len(rows) < maxSessionOptions && extra > 0 {
		rows = append(rows, optionRow{})
		extra--
	}
	for i := range rows {
		rows[i].N = i + 1
	}
	return rows
}

func (s *Server) sessionsPageData(c *gin.Context, council *store.Council) (sessionsPage, error) {
	ctx := c.Request.Context()
	p := sessionsPage{Base: s.staffBase(c, "SessionsTitle"), Council: council}
	all, err := s.store.CouncilSessions(ctx, council.Slug, maxSessionsListed)
	if err != nil {
		return p, err
	}
	for _, sess := range all {
		p.Sessions = append(p.Sessions, sessionRow{ID: sess.ID, Title: sess.Title, JoinCode: sess.JoinCode,
			Created: dateOnly(sess.CreatedAt), Closed: sess.Closed()})
	}
	waves, err := s.store.CouncilWaves(ctx, council.Slug)
	if err != nil {
		return p, err
	}
	for _, w := range waves {
		p.Waves = append(p.Waves, waveChoice{ID: w.ID, Name: w.Name})
	}
	return p, nil
}

// priorityOptions are a wave's priorities question's options as session
// options, most chosen first when the wave has results (equal counts keep
// the survey's order), labels in every language the survey has.
func (s *Server) priorityOptions(ctx context.Context, w *store.Wave) ([]store.SessionOption, error) {
	def, err := s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		return nil, err
	}
	q, ok := def.Question(def.Priorities)
	if !ok {
		return nil, nil
	}
	ranks, err := s.priorityRanks(ctx, w, def)
	if err != nil {
		return nil, err
	}
	opts := make([]store.SessionOption, 0, len(q.Options))
	for _, o := range q.Options {
		opts = append(opts, store.SessionOption{Value: o.Value, Label: map[string]string(o.Label)})
	}
	slices.SortStableFunc(opts, func(a, b store.SessionOption) int {
		ra, oka := ranks[a.Value]
		rb, okb := ranks[b.Value]
		switch {
		case oka && okb:
			return cmp.Compare(ra, rb)
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	return opts, nil
}

// sessionsList is GET /staff/councils/{council}/sessions; with ?wave= the
// create form is filled from that wave's top priorities.
func (s *Server) sessionsList(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.sessions", err)
		return
	}
	p, err := s.sessionsPageData(c, council)
	if err != nil {
		s.pageError(c, "staff.sessions", err)
		return
	}
	p.Form.MaxChoices = "3"
	if id := c.Query("wave"); id != "" {
		w, err := s.store.Wave(c.Request.Context(), id)
		if err != nil || w.Council != council.Slug {
			s.pageError(c, "staff.sessions", errNotFound)
			return
		}
		opts, err := s.priorityOptions(c.Request.Context(), w)
		if err != nil {
			s.pageError(c, "staff.sessions", err)
			return
		}
		p.Form.Wave = w.ID
		p.Form.Title = s.localizer(c).T("SessionTitleFromWave", "Wave", w.Name)
		for _, o := range opts {
			p.Form.Rows = append(p.Form.Rows, optionRow{Value: o.Value, Label: o.Label["en"]})
		}
	}
	for i := range p.Waves {
		p.Waves[i].Selected = p.Waves[i].ID == p.Form.Wave
	}
	p.Form.Rows = sessionFormRows(p.Form.Rows)
	s.render(c, http.StatusOK, "sessions", p)
}

// slugValue makes an option value from a label for an option row that
// has none: lower-case letters and digits joined by dashes.
func slugValue(label string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "option-" + strconv.Itoa(n)
	}
	return b.String()
}

// sessionFormInput reads the create form into the API's input. A row
// without a label is skipped; a row without a value gets one made from its
// label. Options of the chosen wave's priorities keep their translations
// while their English label is unchanged.
func (s *Server) sessionFormInput(c *gin.Context, council string) (sessionInput, sessionForm) {
	form := c.Request.PostForm
	f := sessionForm{Title: form.Get("title"), Wave: form.Get("wave"), MaxChoices: form.Get("max_choices")}
	labels, values := form["option_label"], form["option_value"]
	var known map[string]map[string]string
	if f.Wave != "" {
		if w, err := s.store.Wave(c.Request.Context(), f.Wave); err == nil && w.Council == council {
			if opts, err := s.priorityOptions(c.Request.Context(), w); err == nil {
				known = map[string]map[string]string{}
				for _, o := range opts {
					known[o.Value] = o.Label
				}
			}
		}
	}
	in := sessionInput{Title: f.Title, Wave: f.Wave}
	used := map[string]bool{}
	for i, label := range labels {
		value := ""
		if i < len(values) {
			value = strings.TrimSpace(values[i])
		}
		f.Rows = append(f.Rows, optionRow{Value: value, Label: label})
		label = strings.TrimSpace(label)
		if label == "" {
			continue
		}
		if value == "" {
			value = slugValue(label, i+1)
			for n := 2; used[value]; n++ {
				value = slugValue(label, i+1) + "-" + strconv.Itoa(n)
			}
		}
		used[value] = true
		text := map[string]string{"en": label}
		if k, ok := known[value]; ok && strings.TrimSpace(k["en"]) == label {
			text = k
		}
		in.Options = append(in.Options, sessionOptionInput{Value: value, Label: text})
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.MaxChoices)); err == nil {
		in.MaxChoices = &n
	} else {
		zero := 0
		in.MaxChoices = &zero
	}
	return in, f
}

// sessionFieldControl maps an API field at fault to the create form's
// control that the error summary links to.
func sessionFieldControl(field string, in sessionInput) string {
	switch {
	case field == "title":
		return "session-title"
	case field == "wave":
		return "session-wave"
	case field == "max_choices":
		return "session-max"
	case strings.HasPrefix(field, "options["):
		return "option-label-1"
	}
	return "session-title"
}

// sessionsCreate is POST /staff/councils/{council}/sessions: 303 to the
// new session's present screen, or 422 with the form kept.
func (s *Server) sessionsCreate(c *gin.Context) {
	council, err := s.staffCouncil(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.sessionsCreate", err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.errorPage(c, http.StatusBadRequest)
		return
	}
	in, f := s.sessionFormInput(c, council.Slug)
	sess, err := s.newSession(c.Request.Context(), council.Slug, in)
	var ae *apiError
	if errors.As(err, &ae) {
		p, perr := s.sessionsPageData(c, council)
		if perr != nil {
			s.pageError(c, "staff.sessionsCreate", perr)
			return
		}
		for i := range p.Waves {
			p.Waves[i].Selected = p.Waves[i].ID == f.Wave
		}
		p.Form = f
		p.Form.Rows = sessionFormRows(f.Rows)
		p.Errors = []page.FieldError{{ID: sessionFieldControl(ae.Field, in), Message: s.localizer(c).T(ae.MessageID, ae.Data)}}
		s.render(c, http.StatusUnprocessableEntity, "sessions", p)
		return
	}
	if err != nil {
		s.pageError(c, "staff.sessionsCreate", err)
		return
	}
	sess.CreatedBy = currentUser(c).ID
	if err := s.store.CreateSession(c.Request.Context(), sess); err != nil {
		s.pageError(c, "staff.sessionsCreate", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/sessions/"+sess.ID+"/present")
}

// --- Staff: the present screen -------------------------------------------

// presentPage is the view model of the page "session-present": what the
// facilitator puts on the big screen.
type presentPage struct {
	page.Base
	SessionID string
	Council   string
	Heading   string
	JoinCode  string
	JoinURL   string // absolute, as the QR code holds it
	QR        qrCode
	Tally     tallyView
	Status    string // "Waiting for…", or how many have voted
	Options   []presentOption
	Closed    bool
}

type presentOption struct {
	Value      string
	Label      textView
	Count      int64
	Suppressed bool
}

// presentStatus says how the vote stands, in a whole sentence.
func presentStatus(l *locale.Localizer, t tallyView) string {
	switch {
	case t.Closed:
		return l.N("PresentClosed", int(t.Votes))
	case !t.Shown():
		return l.N("PresentWaiting", int(t.Votes), "Min", t.MinCell)
	}
	return l.N("PresentVotes", int(t.Votes))
}

func siteURL(c *gin.Context) string {
	scheme := "http"
	if secureRequest(c.Request) {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// presentScreen is GET /staff/sessions/{id}/present.
func (s *Server) presentScreen(c *gin.Context) {
	sess, council, err := s.staffSession(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.present", err)
		return
	}
	t, err := s.sessionTally(c.Request.Context(), sess, council)
	if err != nil {
		s.pageError(c, "staff.present", err)
		return
	}
	l := s.localizer(c)
	p := presentPage{
		Base: s.staffBase(c, "PresentTitle", "Title", sess.Title), SessionID: sess.ID, Council: council.Slug,
		Heading: sess.Title, JoinCode: sess.JoinCode, JoinURL: siteURL(c) + "/j/" + sess.JoinCode,
		Tally: t, Status: presentStatus(l, t), Closed: sess.Closed(),
	}
	p.QR, err = makeQR(p.JoinURL)
	if err != nil {
		s.pageError(c, "staff.present", err)
		return
	}
	for i, o := range sess.Options {
		po := presentOption{Value: o.Value, Label: textIn(survey.Text(o.Label), l.Tag()), Suppressed: true}
		if ot := t.Options[i]; ot.Count != nil {
			po.Count, po.Suppressed = *ot.Count, false
		}
		p.Options = append(p.Options, po)
	}
	s.render(c, http.StatusOK, "session-present", p)
}

// Event stream timing.
const (
	// eventPoll is how often the stream reads the tally even without news
	// from this process's writer: votes taken by another process reach
	// the screen within it.
	eventPoll = time.Second
	// eventHeartbeat keeps proxies from closing a quiet stream.
	eventHeartbeat = 15 * time.Second
	// eventLifetime ends a stream; the browser's EventSource reconnects.
	eventLifetime  = 30 * time.Minute
	eventWriteWait = 20 * time.Second
)

// tallyEvent is what the stream sends: the tally as the API has it, with
// the status sentence in the page's language for present.js to show.
type tallyEvent struct {
	tallyView
	Shown  bool   `json:"shown"`
	Status string `json:"status"`
}

// sessionEvents is GET /staff/sessions/{id}/events: server-sent events.
// It sends the tally (event "tally") whenever it changes, a comment as a
// heartbeat, and the event "closed" when the session closes, then ends.
// A client that does not ask for a stream (EventSource sends Accept:
// text/event-stream) gets the tally once, so a plain GET never hangs.
func (s *Server) sessionEvents(c *gin.Context) {
	sess, council, err := s.staffSession(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.events", err)
		return
	}
	ctx := c.Request.Context()
	l := s.localizer(c)
	news, cancel := s.tally.Subscribe(sess.ID)
	defer cancel()

	w := c.Writer
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	write := func(format string, args ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(eventWriteWait)) // not every writer has deadlines
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write("retry: 2000\n\n") {
		return
	}
	var last []byte
	refresh := func() (more bool) {
		cur, err := s.store.Session(ctx, sess.ID)
		if err != nil {
			return ctx.Err() == nil // a store hiccup: try again at the next tick
		}
		t, err := s.sessionTally(ctx, cur, council)
		if err != nil {
			return ctx.Err() == nil
		}
		data, _ := json.Marshal(tallyEvent{tallyView: t, Shown: t.Shown(), Status: presentStatus(l, t)})
		if !bytes.Equal(data, last) {
			if !write("event: tally\ndata: %s\n\n", data) {
				return false
			}
			last = data
		}
		if t.Closed {
			write("event: closed\ndata: {}\n\n")
			return false
		}
		return true
	}
	if !refresh() || !strings.Contains(c.GetHeader("Accept"), "text/event-stream") {
		return
	}
	poll := time.NewTicker(eventPoll)
	defer poll.Stop()
	beat := time.NewTicker(eventHeartbeat)
	defer beat.Stop()
	end := time.NewTimer(eventLifetime)
	defer end.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-beat.C:
			if !write(": heartbeat\n\n") {
				return
			}
		case <-news:
			if !refresh() {
				return
			}
		case <-poll.C:
			if !refresh() {
				return
			}
		}
	}
}

// sessionsClose is POST /staff/sessions/{id}/close: 303 back to the
// present screen, which then shows the final tally.
func (s *Server) sessionsClose(c *gin.Context) {
	sess, _, err := s.staffSession(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.sessionsClose", err)
		return
	}
	if _, err := s.closeForum(c.Request.Context(), sess); err != nil {
		s.pageError(c, "staff.sessionsClose", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/sessions/"+sess.ID+"/present")
}

// priorityRanks returns the rank of each priority in a wave's results as
// the results show them (survey.Compute, with the council's minimum cell
// size): chosen by someone and not suppressed, so the order of the options
// says no more than the results page does. Empty without results.
func (s *Server) priorityRanks(ctx context.Context, w *store.Wave, def *survey.Definition) (map[string]int, error) {
	all, err := s.wholeCounts(ctx, w.ID)
	if err != nil || len(all) == 0 {
		return map[string]int{}, err
	}
	council, err := s.store.Council(ctx, w.Council)
	if err != nil {
		return nil, err
	}
	ranks := map[string]int{}
	for _, p := range survey.Compute(def, all, minCellOf(council)).Priorities {
		if !p.Suppressed && p.Rank != nil && p.Count != nil && *p.Count > 0 {
			ranks[p.Value] = *p.Rank
		}
	}
	return ranks, nil
}
