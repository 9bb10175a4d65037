package web

// Forum sessions: the JSON API of the contract ("Forum sessions") and the
// logic the session pages share with it.
//
// Gin allows one wildcard name per path segment, so /api/v1/sessions/:id
// serves both kinds of key: the join code for votes (anonymous, what a
// young person types) and the session id for the tally and closing (staff).

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"yousaid/server/internal/metrics"
	"yousaid/server/internal/store"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

// Limits of a session.
const (
	maxSessionOptions = 20
	maxTitleLength    = 120
	maxLabelLength    = 200
	// maxSessionsListed bounds the sessions a list shows.
	maxSessionsListed = 200
)

var optionValuePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

var errSessionClosed = &apiError{Status: http.StatusGone, Code: "session_closed", MessageID: "ErrorSessionClosed"}

type sessionOptionInput struct {
	Value string            `json:"value"`
	Label map[string]string `json:"label"`
}

type sessionInput struct {
	Title      string               `json:"title"`
	Wave       string               `json:"wave"`
	Options    []sessionOptionInput `json:"options"`
	MaxChoices *int                 `json:"max_choices"` // absent: 1
}

// newSession validates a session for council. Its errors are 400s naming
// the field at fault, e.g. "options[2].value".
func (s *Server) newSession(ctx context.Context, council string, in sessionInput) (*store.Session, error) {
	title := strings.TrimSpace(in.Title)
	if title == "" || utf8.RuneCountInString(title) > maxTitleLength {
		return nil, invalid("invalid_title", "ErrorSessionTitle", "title", map[string]any{"Max": maxTitleLength})
	}
	if in.Wave != "" {
		w, err := s.store.Wave(ctx, in.Wave)
		if errors.Is(err, store.ErrNotFound) || (err == nil && w.Council != council) {
			return nil, invalid("unknown_wave", "ErrorUnknownWave", "wave", nil)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(in.Options) < 1 || len(in.Options) > maxSessionOptions {
		return nil, invalid("invalid_options", "ErrorSessionOptionCount", "options", map[string]any{"Max": maxSessionOptions})
	}
	sess := &store.Session{Council: council, Title: title, Wave: in.Wave}
	for i, o := range in.Options {
		field := "options[" + strconv.Itoa(i) + "]"
		if !optionValuePattern.MatchString(o.Value) {
			return nil, invalid("invalid_value", "ErrorOptionValue", field+".value", nil)
		}
		if _, dup := sess.Option(o.Value); dup {
			return nil, invalid("duplicate_value", "ErrorOptionValueTwice", field+".value", map[string]any{"Value": o.Value})
		}
		label, err := textMap(o.Label, field+".label", maxLabelLength, true)
		if err != nil {
			return nil, err
		}
		sess.Options = append(sess.Options, store.SessionOption{Value: o.Value, Label: label})
	}
	sess.MaxChoices = 1
	if in.MaxChoices != nil {
		sess.MaxChoices = *in.MaxChoices
	}
	if sess.MaxChoices < 1 || sess.MaxChoices > len(sess.Options) {
		return nil, invalid("out_of_range", "ErrorMaxChoices", "max_choices", map[string]any{"Max": len(sess.Options)})
	}
	return sess, nil
}

// sessionView is a session as the API shows it.
type sessionView struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Wave       *string             `json:"wave"`
	JoinCode   string              `json:"join_code"`
	URL        string              `json:"url"`
	MaxChoices int                 `json:"max_choices"`
	Options    []sessionOptionView `json:"options"`
	CreatedAt  time.Time           `json:"created_at"`
	ClosedAt   *time.Time          `json:"closed_at"`
}

type sessionOptionView struct {
	Value string            `json:"value"`
	Label map[string]string `json:"label"`
}

func viewSession(sess *store.Session) sessionView {
	v := sessionView{
		ID: sess.ID, Title: sess.Title, JoinCode: sess.JoinCode, URL: "/j/" + sess.JoinCode,
		MaxChoices: sess.MaxChoices, CreatedAt: sess.CreatedAt, ClosedAt: sess.ClosedAt,
	}
	if sess.Wave != "" {
		v.Wave = &sess.Wave
	}
	for _, o := range sess.Options {
		v.Options = append(v.Options, sessionOptionView{Value: o.Value, Label: o.Label})
	}
	return v
}

// createSession is POST /api/v1/councils/{council}/sessions (facilitator).
func (s *Server) createSession(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleFacilitator); err != nil {
		s.fail(c, "sessions.create", err)
		return
	}
	if _, err := s.store.Council(c.Request.Context(), council); err != nil {
		s.fail(c, "sessions.create", err)
		return
	}
	var in sessionInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, "sessions.create", err)
		return
	}
	sess, err := s.newSession(c.Request.Context(), council, in)
	if err != nil {
		s.fail(c, "sessions.create", err)
		return
	}
	sess.CreatedBy = currentUser(c).ID
	if err := s.store.CreateSession(c.Request.Context(), sess); err != nil {
		s.fail(c, "sessions.create", err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": sess.ID, "join_code": sess.JoinCode, "url": "/j/" + sess.JoinCode})
}

// listSessions is GET /api/v1/councils/{council}/sessions (facilitator),
// newest first.
func (s *Server) listSessions(c *gin.Context) {
	council := c.Param("council")
	if err := authorize(currentUser(c), council, store.RoleFacilitator); err != nil {
		s.fail(c, "sessions.list", err)
		return
	}
	all, err := s.store.CouncilSessions(c.Request.Context(), council, maxSessionsListed)
	if err != nil {
		s.fail(c, "sessions.list", err)
		return
	}
	out := make([]sessionView, 0, len(all))
	for i := range all {
		out = append(out, viewSession(&all[i]))
	}
	c.JSON(http.StatusOK, gin.H{"sessions": out})
}

// staffSession loads the session of the URL (:id is its id) for a staff
// request: 404 for another council's, 403 for too low a role.
func (s *Server) staffSession(c *gin.Context, role string) (*store.Session, *store.Council, error) {
	sess, err := s.store.Session(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	if err := authorize(currentUser(c), sess.Council, role); err != nil {
		return nil, nil, err
	}
	council, err := s.store.Council(c.Request.Context(), sess.Council)
	if err != nil {
		return nil, nil, err
	}
	return sess, council, nil
}

// validChoices checks a vote's choices against its session and returns
// them in the session's order of options.
func validChoices(sess *store.Session, choices []string) ([]string, error) {
	if len(choices) == 0 {
		return nil, invalid("required", "ErrorChoicesRequired", "choices", nil)
	}
	seen := map[string]bool{}
	for _, c := range choices {
		if _, ok := sess.Option(c); !ok {
			return nil, invalid("not_an_option", "ErrorChoiceUnknown", "choices", nil)
		}
		if seen[c] {
			return nil, invalid("duplicate_choice", "ErrorChoiceTwice", "choices", nil)
		}
		seen[c] = true
	}
	if len(choices) > sess.MaxChoices {
		return nil, invalid("too_many_choices", "ErrorTooManyChoices", "choices", map[string]any{"Max": sess.MaxChoices})
	}
	out := make([]string, 0, len(choices))
	for _, o := range sess.Options {
		if seen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return out, nil
}

// parseVote reads a vote's JSON body, {"choices": [...]}, strictly and
// returns its choices in the session's option order; any fault is a 400.
func parseVote(sess *store.Session, body []byte) ([]string, error) {
	var in voteInput
	if err := strictUnmarshal(body, &in); err != nil {
		return nil, err
	}
	return validChoices(sess, in.Choices)
}

// openSessionFor loads the session a join code opens for a vote: 404 for
// an unknown code, 410 for a closed session.
func (s *Server) openSessionFor(ctx context.Context, code string) (*store.Session, error) {
	sess, err := s.store.SessionByJoinCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if sess.Closed() || s.tally.SessionClosedHere(sess.ID) {
		return nil, errSessionClosed
	}
	return sess, nil
}

// castVote stores a vote exactly once and counts it. A replay of an
// Idempotency-Key with the same choices is accepted and counted once; with
// other choices it is errIdemMismatch. The store work is detached from the
// client's connection, like a response's.
func (s *Server) castVote(parent context.Context, sess *store.Session, choices []string, key string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), storeTimeout)
	defer cancel()
	done, err := s.tally.BeginVote(ctx, sess.ID)
	if errors.Is(err, tally.ErrSessionClosed) {
		return errSessionClosed
	}
	if err != nil {
		return err
	}
	defer done()
	v := &store.Vote{ID: store.VoteID(sess.ID, key), Session: sess.ID, Choices: choices}
	err = s.store.InsertVote(ctx, v)
	if errors.Is(err, store.ErrConflict) {
		stored, err := s.store.Vote(ctx, v.ID)
		if err != nil {
			return err
		}
		if !slices.Equal(stored.Choices, choices) {
			return errIdemMismatch
		}
		return nil // stored and counted the first time
	}
	if err != nil {
		return err
	}
	s.tally.AddVote(v)
	return nil
}

type voteInput struct {
	Choices []string `json:"choices"`
}

// idempotencyKey reads the optional Idempotency-Key header: "" when absent,
// a 400 when it is not a UUID.
func idempotencyKey(c *gin.Context) (string, error) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		return "", nil
	}
	if _, err := uuid.Parse(key); err != nil {
		return "", invalid("invalid_idempotency_key", "ErrorIdempotencyKey", "Idempotency-Key", nil)
	}
	return strings.ToLower(key), nil
}

// postVote is POST /api/v1/sessions/{join_code}/votes (anonymous).
func (s *Server) postVote(c *gin.Context) {
	refuse := func(err error) {
		s.countVote(metrics.ChannelAPI, err)
		s.fail(c, "votes.post", err)
	}
	body, err := readJSONBody(c)
	if err != nil {
		refuse(err)
		return
	}
	sess, err := s.openSessionFor(c.Request.Context(), c.Param("id"))
	if err != nil {
		refuse(err)
		return
	}
	choices, err := parseVote(sess, body)
	if err != nil {
		refuse(err)
		return
	}
	key, err := idempotencyKey(c)
	if err != nil {
		refuse(err)
		return
	}
	if err := s.castVote(c.Request.Context(), sess, choices, key); err != nil {
		refuse(err)
		return
	}
	s.countVote(metrics.ChannelAPI, nil)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"choices": choices})
}

// tallyView is a session's tally as the API, the presenter's screen and
// its event stream show it: through the disclosure rules.
type tallyView struct {
	Votes   int64         `json:"votes"`
	MinCell int           `json:"min_cell"`
	Closed  bool          `json:"closed"`
	Options []optionTally `json:"options"`
}

type optionTally struct {
	Value      string `json:"value"`
	Count      *int64 `json:"count"`
	Suppressed bool   `json:"suppressed"`
}

// Shown reports whether enough people have voted for any count to show.
func (t tallyView) Shown() bool { return t.Votes >= int64(t.MinCell) }

// minCellOf is the minimum cell size a council's figures are shown with.
func minCellOf(c *store.Council) int { return survey.ClampMinCell(c.MinCell) }

// sessionTally reads a session's tally and applies the disclosure rules:
// while fewer than min_cell people have voted every count is suppressed;
// from then on, the rules results use (survey.SuppressVotes).
func (s *Server) sessionTally(ctx context.Context, sess *store.Session, council *store.Council) (tallyView, error) {
	t, err := s.store.SessionTally(ctx, sess.ID)
	if err != nil {
		return tallyView{}, err
	}
	return discloseTally(sess, t.Counts, minCellOf(council)), nil
}

func discloseTally(sess *store.Session, counts map[string]int64, minCell int) tallyView {
	v := tallyView{Votes: counts[tally.KeyVotes], MinCell: minCell, Closed: sess.Closed(), Options: []optionTally{}}
	raw := make([]int64, len(sess.Options))
	for i, o := range sess.Options {
		raw[i] = counts[tally.KeyChoice(o.Value)]
	}
	hidden := survey.SuppressVotes(raw, v.Votes, sess.MaxChoices, minCell)
	for i, o := range sess.Options {
		ot := optionTally{Value: o.Value, Suppressed: true}
		if !hidden[i] {
			n := raw[i]
			ot.Count, ot.Suppressed = &n, false
		}
		v.Options = append(v.Options, ot)
	}
	return v
}

// getTally is GET /api/v1/sessions/{id}/tally (facilitator of its council).
func (s *Server) getTally(c *gin.Context) {
	sess, council, err := s.staffSession(c, store.RoleFacilitator)
	if err != nil {
		s.fail(c, "sessions.tally", err)
		return
	}
	v, err := s.sessionTally(c.Request.Context(), sess, council)
	if err != nil {
		s.fail(c, "sessions.tally", err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// closeForum closes a session and freezes its tally (see
// tally.Writer.CloseSession). Closing a closed session changes nothing.
func (s *Server) closeForum(ctx context.Context, sess *store.Session) (*store.Session, error) {
	if sess.Closed() {
		return sess, nil
	}
	var closed *store.Session
	err := s.tally.CloseSession(ctx, sess.ID, func(ctx context.Context) error {
		var err error
		closed, err = s.store.CloseSession(ctx, sess.ID)
		return err
	})
	if closed == nil {
		return nil, err
	}
	if err != nil {
		// Closed, but the final counts wait for the writer's next flush.
		s.logger.Warn("session closed; final flush failed, will retry", "err", err)
	}
	return closed, nil
}

// closeSession is POST /api/v1/sessions/{id}/close (facilitator): 200 with
// the final tally.
func (s *Server) closeSession(c *gin.Context) {
	sess, council, err := s.staffSession(c, store.RoleFacilitator)
	if err != nil {
		s.fail(c, "sessions.close", err)
		return
	}
	sess, err = s.closeForum(c.Request.Context(), sess)
	if err != nil {
		s.fail(c, "sessions.close", err)
		return
	}
	v, err := s.sessionTally(c.Request.Context(), sess, council)
	if err != nil {
		s.fail(c, "sessions.close", err)
		return
	}
	c.JSON(http.StatusOK, v)
}
