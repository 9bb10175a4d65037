package web

// The public side of action plans: the JSON list of published items, the
// "you said, we did" page /c/{council} and its Atom feed. Every figure in
// them goes through the disclosure rules; every piece of staff-written
// text is escaped on output, except timeline updates, which were sanitised
// with the one rich-text policy before they were stored (page.RichText).

import (
	"context"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

// actionView is an item as the contract shows it (API.md, "Action plans").
type actionView struct {
	ID          string            `json:"id"`
	YouSaid     map[string]string `json:"you_said"`
	WeWill      map[string]string `json:"we_will"`
	Owner       string            `json:"owner"`
	Due         *string           `json:"due"`
	Status      string            `json:"status"`
	Reason      map[string]string `json:"reason"`
	PublishedAt *time.Time        `json:"published_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	Evidence    []evidenceView    `json:"evidence"`
	Timeline    []timelineView    `json:"timeline"`
	Verdict     *verdictView      `json:"verdict"`
}

// staffActionView adds what staff see besides the public shape.
type staffActionView struct {
	actionView
	Council   string `json:"council"`
	Published bool   `json:"published"`
	Version   int    `json:"version"`
}

type evidenceView struct {
	Kind       string            `json:"kind"`
	Wave       *string           `json:"wave"`
	Indicator  *string           `json:"indicator"`
	Value      *float64          `json:"value"`
	Suppressed bool              `json:"suppressed"`
	Label      map[string]string `json:"label"`
}

type timelineView struct {
	At   time.Time         `json:"at"`
	Text map[string]string `json:"text"`
}

type verdictView struct {
	Verdict string            `json:"verdict"`
	Comment map[string]string `json:"comment"`
	At      time.Time         `json:"at"`
}

func viewVerdict(v *store.Verdict) *verdictView {
	if v == nil {
		return nil
	}
	comment := v.Comment
	if comment == nil {
		comment = map[string]string{}
	}
	return &verdictView{Verdict: v.Verdict, Comment: comment, At: v.At}
}

// figures reads, once per request, what evidence and the public page
// need: waves with their disclosed indicators, sessions with their votes,
// quotes.
type figures struct {
	s       *Server
	council *store.Council
	minCell int
	waves   map[string]*waveFigures
	all     []store.Wave // the council's waves, newest first; read once
	tallies map[string]*sessionFigures
}

// waveFigures are one wave's disclosed figures.
type waveFigures struct {
	wave      *store.Wave
	def       *survey.Definition
	responses int64
	// indicators by id: value nil when suppressed.
	indicators map[string]indicatorFigure
}

type indicatorFigure struct {
	Value      *float64
	Suppressed bool
	Label      survey.Text
}

type sessionFigures struct {
	session *store.Session
	votes   int64
}

func (s *Server) newFigures(council *store.Council) *figures {
	return &figures{s: s, council: council, minCell: minCellOf(council),
		waves: map[string]*waveFigures{}, tallies: map[string]*sessionFigures{}}
}

// wave returns a wave's figures; ErrNotFound for a wave that is gone.
func (f *figures) wave(ctx context.Context, id string) (*waveFigures, error) {
	if wf, ok := f.waves[id]; ok {
		return wf, nil
	}
	w, err := f.s.store.Wave(ctx, id)
	if err != nil {
		return nil, err
	}
	def, err := f.s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		return nil, err
	}
	tallies, err := f.s.store.Tallies(ctx, w.ID, "")
	if err != nil {
		return nil, err
	}
	counts := survey.Counts{}
	if len(tallies) == 1 {
		counts = tallies[0].Counts
	}
	wf := &waveFigures{wave: w, def: def, responses: counts[survey.KeyResponses],
		indicators: discloseIndicators(def, counts, f.minCell)}
	f.waves[id] = wf
	return wf, nil
}

// session returns a session with its number of votes.
func (f *figures) session(ctx context.Context, id string) (*sessionFigures, error) {
	if sf, ok := f.tallies[id]; ok {
		return sf, nil
	}
	sess, err := f.s.store.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := f.s.store.SessionTally(ctx, id)
	if err != nil {
		return nil, err
	}
	sf := &sessionFigures{session: sess, votes: t.Counts[tally.KeyVotes]}
	f.tallies[id] = sf
	return sf, nil
}

// later returns the newest wave of the council, of the same survey, opened
// after w and measuring indicator: the "after" of a before and after. nil
// when there is none.
func (f *figures) later(ctx context.Context, w *store.Wave, indicator string) (*waveFigures, error) {
	if f.all == nil {
		all, err := f.s.store.CouncilWaves(ctx, f.council.Slug)
		if err != nil {
			return nil, err
		}
		f.all = all
	}
	for i := range f.all { // newest first
		cand := &f.all[i]
		if cand.Survey != w.Survey || !cand.CreatedAt.After(w.CreatedAt) {
			continue
		}
		wf, err := f.wave(ctx, cand.ID)
		if err != nil {
			return nil, err
		}
		if _, ok := wf.indicators[indicator]; ok {
			return wf, nil
		}
	}
	return nil, nil
}

// evidence shows an item's evidence refs through the disclosure rules. A
// ref whose wave, session or quote has gone is left out.
func (f *figures) evidence(ctx context.Context, refs []store.EvidenceRef) ([]evidenceView, error) {
	out := []evidenceView{}
	for _, r := range refs {
		ev, err := f.evidenceOne(ctx, r)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

func (f *figures) evidenceOne(ctx context.Context, r store.EvidenceRef) (evidenceView, error) {
	ev := evidenceView{Kind: r.Kind, Label: map[string]string{}}
	switch r.Kind {
	case store.EvidenceIndicator:
		wf, err := f.wave(ctx, r.Wave)
		if err != nil {
			return ev, err
		}
		fig, ok := wf.indicators[r.Indicator]
		if !ok {
			return ev, store.ErrNotFound
		}
		ev.Wave, ev.Indicator = ptr(r.Wave), ptr(r.Indicator)
		ev.Value, ev.Suppressed, ev.Label = fig.Value, fig.Suppressed, fig.Label
	case store.EvidenceSession:
		sf, err := f.session(ctx, r.Session)
		if err != nil {
			return ev, err
		}
		if sf.session.Wave != "" {
			ev.Wave = ptr(sf.session.Wave)
		}
		// The value of a session is how many voted, shown once at least
		// min_cell did, as its tally is.
		if sf.votes >= int64(f.minCell) {
			v := float64(sf.votes)
			ev.Value = &v
		} else {
			ev.Suppressed = true
		}
		ev.Label = map[string]string{"en": sf.session.Title}
	case store.EvidenceQuote:
		t, err := f.s.store.TextByID(ctx, r.Quote)
		if err != nil {
			return ev, err
		}
		if t.Status != store.TextApproved {
			return ev, store.ErrNotFound // withdrawn since: never shown
		}
		ev.Wave = ptr(t.Wave)
		ev.Label = map[string]string{t.Language: t.Text}
	}
	return ev, nil
}

func ptr[T any](v T) *T { return &v }

// viewAction shows an item in the contract's shape.
func (f *figures) viewAction(ctx context.Context, a *store.Action) (actionView, error) {
	v := actionView{
		ID: a.ID, YouSaid: a.YouSaid, WeWill: a.WeWill, Owner: a.Owner, Status: a.Status,
		Reason: a.Reason, PublishedAt: a.PublishedAt, UpdatedAt: a.UpdatedAt,
		Timeline: []timelineView{}, Verdict: viewVerdict(a.Verdict),
	}
	if len(a.Reason) == 0 {
		v.Reason = nil
	}
	if a.Due != "" {
		v.Due = ptr(a.Due)
	}
	for _, t := range a.Timeline {
		v.Timeline = append(v.Timeline, timelineView{At: t.At, Text: t.Text})
	}
	var err error
	if v.Evidence, err = f.evidence(ctx, a.Evidence); err != nil {
		return v, err
	}
	return v, nil
}

// writeStaffAction answers with an item as staff see it.
func (s *Server) writeStaffAction(c *gin.Context, status int, a *store.Action) {
	council, err := s.store.Council(c.Request.Context(), a.Council)
	if err != nil {
		s.fail(c, "actions.view", err)
		return
	}
	v, err := s.newFigures(council).viewAction(c.Request.Context(), a)
	if err != nil {
		s.fail(c, "actions.view", err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, staffActionView{actionView: v, Council: a.Council, Published: a.Published, Version: a.Version})
}

// publicActions is GET /api/v1/councils/{council}/actions (public): the
// published items, newest publication first.
func (s *Server) publicActions(c *gin.Context) {
	ctx := c.Request.Context()
	council, err := s.store.Council(ctx, c.Param("council"))
	if err != nil {
		s.fail(c, "actions.public", err)
		return
	}
	items, err := s.store.CouncilActions(ctx, council.Slug, true, maxActionsListed)
	if err != nil {
		s.fail(c, "actions.public", err)
		return
	}
	f := s.newFigures(council)
	out := make([]actionView, 0, len(items))
	for i := range items {
		v, err := f.viewAction(ctx, &items[i])
		if err != nil {
			s.fail(c, "actions.public", err)
			return
		}
		out = append(out, v)
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, gin.H{"actions": out})
}

// --- The page /c/{council} -------------------------------------------------

// publicCouncilPage is the view model of the page "public-council": what
// young people said and what the council did about it.
type publicCouncilPage struct {
	page.Base
	Council string
	Slug    string
	FeedURL string
	// Groups are the published items by status, in the order a reader
	// cares about: under way, agreed, done, not possible, proposed.
	Groups   []actionGroup
	Asked    []string // who was asked, how and when: whole sentences
	Contacts []councilContactView
}

type actionGroup struct {
	Status  string
	Heading string
	Items   []publicItem
}

// publicItem is one item in the page's language: Lang is "en" on a text
// shown in English for want of a translation.
type publicItem struct {
	L           *locale.Localizer // the page's, for the partial's messages
	ID          string
	YouSaid     textView
	WeWill      textView
	Owner       string
	OwnerLang   string // "en" on a page in another language: owners are written in English
	Due         string // YYYY-MM-DD, empty when none
	StatusLabel string
	Status      string
	Reason      textView
	Updates     []publicUpdate // newest first
	Evidence    []evidenceLine
	Verdict     *publicVerdict
}

type publicUpdate struct {
	At   time.Time
	Date string
	Lang string        // "en" when shown in English for want of a translation
	HTML template.HTML // from page.RichText.StoredHTML only
}

// evidenceLine is one piece of evidence as a whole sentence, or a quote.
type evidenceLine struct {
	Sentence string
	Quote    textView
	QuoteDir string
}

type publicVerdict struct {
	Verdict string
	Label   string
	Comment textView
	Date    string
}

var statusOrder = []string{store.StatusInProgress, store.StatusAgreed, store.StatusDone, store.StatusNotPossible, store.StatusProposed}

var statusLabels = map[string]string{
	store.StatusProposed:    "StatusProposed",
	store.StatusAgreed:      "StatusAgreed",
	store.StatusInProgress:  "StatusInProgress",
	store.StatusDone:        "StatusDone",
	store.StatusNotPossible: "StatusNotPossible",
}

var groupHeadings = map[string]string{
	store.StatusProposed:    "ActionsGroupProposed",
	store.StatusAgreed:      "ActionsGroupAgreed",
	store.StatusInProgress:  "ActionsGroupInProgress",
	store.StatusDone:        "ActionsGroupDone",
	store.StatusNotPossible: "ActionsGroupNotPossible",
}

var verdictLabels = map[string]string{
	store.VerdictAgreed:         "VerdictAgreed",
	store.VerdictNotYet:         "VerdictNotYet",
	store.VerdictNotWhatWeAsked: "VerdictNotWhatWeAsked",
}

// percent shows a share as a whole percentage in the page's language.
func percent(l *locale.Localizer, v float64) string {
	return l.T("Percent", "Value", int(math.Round(v*100)))
}

func dateOnly(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// publicCouncil is GET /c/{council}: the "you said, we did" page, in the
// council's languages, with no JavaScript.
func (s *Server) publicCouncil(c *gin.Context) {
	ctx := c.Request.Context()
	council, err := s.store.Council(ctx, c.Param("council"))
	if err != nil {
		s.pageError(c, "public.council", err)
		return
	}
	l := s.useLanguage(c, council.Languages)
	lang := l.Tag()
	items, err := s.store.CouncilActions(ctx, council.Slug, true, maxActionsListed)
	if err != nil {
		s.pageError(c, "public.council", err)
		return
	}
	p := publicCouncilPage{
		Base: s.pages.NewBase(l, l.T("PublicCouncilTitle", "Council", council.Name)), Council: council.Name, Slug: council.Slug,
		FeedURL: "/c/" + url.PathEscape(council.Slug) + "/feed.atom?lang=" + url.QueryEscape(lang),
	}
	p.Languages = page.LanguageLinks(c.Request.URL, lang, council.Languages)
	for _, ct := range council.Contacts {
		v := councilContactView{Name: ct.Name, Phone: ct.Phone, Tel: telDigits(ct.Phone), Email: ct.Email, URL: ct.URL, URLText: urlText(ct.URL), Hours: ct.Hours}
		if lang != "en" {
			v.Lang = "en"
		}
		p.Contacts = append(p.Contacts, v)
	}

	f := s.newFigures(council)
	groups := map[string][]publicItem{}
	asked := newAskedList()
	for i := range items {
		it, err := s.publicItem(ctx, l, f, &items[i], asked)
		if err != nil {
			s.pageError(c, "public.council", err)
			return
		}
		groups[items[i].Status] = append(groups[items[i].Status], it)
	}
	for _, st := range statusOrder {
		if len(groups[st]) > 0 {
			p.Groups = append(p.Groups, actionGroup{Status: st, Heading: l.T(groupHeadings[st]), Items: groups[st]})
		}
	}
	p.Asked = asked.sentences(l, f)
	s.render(c, http.StatusOK, "public-council", p)
}

// askedList collects the waves and sessions the page's evidence comes
// from, in the order first met, for "who was asked, how and when".
type askedList struct {
	waves, sessions []string
}

func newAskedList() *askedList { return &askedList{} }

func (a *askedList) wave(id string) {
	if !slices.Contains(a.waves, id) {
		a.waves = append(a.waves, id)
	}
}

func (a *askedList) session(id string) {
	if !slices.Contains(a.sessions, id) {
		a.sessions = append(a.sessions, id)
	}
}

func (a *askedList) sentences(l *locale.Localizer, f *figures) []string {
	var out []string
	for _, id := range a.waves {
		wf := f.waves[id]
		if wf == nil {
			continue
		}
		w := wf.wave
		n := int(wf.responses)
		switch end := waveEnd(w); {
		case end != nil:
			out = append(out, l.N("AskedSurveyClosed", n, "Wave", w.Name, "From", dateOnly(w.CreatedAt), "To", dateOnly(*end)))
		default:
			out = append(out, l.N("AskedSurveyOpen", n, "Wave", w.Name, "From", dateOnly(w.CreatedAt)))
		}
	}
	for _, id := range a.sessions {
		sf := f.tallies[id]
		if sf == nil {
			continue
		}
		if sf.votes >= int64(f.minCell) {
			out = append(out, l.N("AskedSession", int(sf.votes), "Title", sf.session.Title, "Date", dateOnly(sf.session.CreatedAt)))
		} else {
			out = append(out, l.T("AskedSessionFew", "Title", sf.session.Title, "Date", dateOnly(sf.session.CreatedAt)))
		}
	}
	return out
}

// waveEnd is when a wave stopped taking answers, nil while it is open.
func waveEnd(w *store.Wave) *time.Time {
	if w.ClosedAt != nil {
		return w.ClosedAt
	}
	if w.ClosesAt != nil && w.ClosesAt.Before(time.Now()) {
		return w.ClosesAt
	}
	return nil
}

func textOf(m map[string]string, lang string) textView { return textIn(survey.Text(m), lang) }

// publicItem builds one item of the page in l's language.
func (s *Server) publicItem(ctx context.Context, l *locale.Localizer, f *figures, a *store.Action, asked *askedList) (publicItem, error) {
	lang := l.Tag()
	it := publicItem{
		L: l, ID: a.ID, YouSaid: textOf(a.YouSaid, lang), WeWill: textOf(a.WeWill, lang),
		Owner: a.Owner, Due: a.Due, Status: a.Status, StatusLabel: l.T(statusLabels[a.Status]),
	}
	if lang != "en" {
		it.OwnerLang = "en"
	}
	if len(a.Reason) > 0 {
		it.Reason = textOf(a.Reason, lang)
	}
	for i := len(a.Timeline) - 1; i >= 0; i-- {
		t := a.Timeline[i]
		tv := textOf(t.Text, lang)
		it.Updates = append(it.Updates, publicUpdate{At: t.At, Date: dateOnly(t.At), Lang: tv.Lang, HTML: s.richText.StoredHTML(tv.S)})
	}
	if v := a.Verdict; v != nil {
		it.Verdict = &publicVerdict{Verdict: v.Verdict, Label: l.T(verdictLabels[v.Verdict]), Comment: textOf(v.Comment, lang), Date: dateOnly(v.At)}
	}
	for _, r := range a.Evidence {
		line, ok, err := s.evidenceLine(ctx, l, f, r, asked)
		if err != nil {
			return it, err
		}
		if ok {
			it.Evidence = append(it.Evidence, line)
		}
	}
	return it, nil
}

// evidenceLine says one piece of evidence in a whole sentence (or shows a
// quote), with the before and after when a later wave of the same survey
// measured the same indicator. ok is false for evidence that has gone.
func (s *Server) evidenceLine(ctx context.Context, l *locale.Localizer, f *figures, r store.EvidenceRef, asked *askedList) (evidenceLine, bool, error) {
	lang := l.Tag()
	switch r.Kind {
	case store.EvidenceIndicator:
		wf, err := f.wave(ctx, r.Wave)
		if errors.Is(err, store.ErrNotFound) {
			return evidenceLine{}, false, nil
		}
		if err != nil {
			return evidenceLine{}, false, err
		}
		fig, ok := wf.indicators[r.Indicator]
		if !ok {
			return evidenceLine{}, false, nil
		}
		asked.wave(wf.wave.ID)
		label, _ := fig.Label.In(lang)
		if fig.Suppressed {
			return evidenceLine{Sentence: l.T("EvidenceIndicatorSuppressed", "Label", label, "Wave", wf.wave.Name)}, true, nil
		}
		after, err := f.later(ctx, wf.wave, r.Indicator)
		if err != nil {
			return evidenceLine{}, false, err
		}
		if after != nil {
			if af := after.indicators[r.Indicator]; !af.Suppressed {
				asked.wave(after.wave.ID)
				return evidenceLine{Sentence: l.T("EvidenceBeforeAfter", "Label", label,
					"Before", percent(l, *fig.Value), "BeforeWave", wf.wave.Name,
					"After", percent(l, *af.Value), "AfterWave", after.wave.Name)}, true, nil
			}
		}
		return evidenceLine{Sentence: l.T("EvidenceIndicator", "Label", label, "Value", percent(l, *fig.Value), "Wave", wf.wave.Name)}, true, nil
	case store.EvidenceSession:
		sf, err := f.session(ctx, r.Session)
		if errors.Is(err, store.ErrNotFound) {
			return evidenceLine{}, false, nil
		}
		if err != nil {
			return evidenceLine{}, false, err
		}
		asked.session(sf.session.ID)
		if sf.votes < int64(f.minCell) {
			return evidenceLine{Sentence: l.T("EvidenceSessionFew", "Title", sf.session.Title)}, true, nil
		}
		return evidenceLine{Sentence: l.N("EvidenceSession", int(sf.votes), "Title", sf.session.Title)}, true, nil
	case store.EvidenceQuote:
		t, err := s.store.TextByID(ctx, r.Quote)
		if errors.Is(err, store.ErrNotFound) {
			return evidenceLine{}, false, nil
		}
		if err != nil {
			return evidenceLine{}, false, err
		}
		if t.Status != store.TextApproved {
			return evidenceLine{}, false, nil
		}
		if _, err := f.wave(ctx, t.Wave); err == nil {
			asked.wave(t.Wave)
		}
		q := textView{S: t.Text}
		if t.Language != lang {
			q.Lang = t.Language
		}
		return evidenceLine{Quote: q, QuoteDir: locale.Dir(t.Language)}, true, nil
	}
	return evidenceLine{}, false, nil
}

// discloseIndicators gives a wave's indicators as its results show them
// (survey.Compute, with the council's minimum cell size).
func discloseIndicators(def *survey.Definition, counts survey.Counts, minCell int) map[string]indicatorFigure {
	labels := map[string]survey.Text{}
	for _, ind := range def.Indicators {
		labels[ind.ID] = ind.Label
	}
	out := map[string]indicatorFigure{}
	for _, r := range survey.Compute(def, counts, minCell).Indicators {
		fig := indicatorFigure{Label: labels[r.ID], Suppressed: r.Suppressed || r.Value == nil}
		if !fig.Suppressed {
			fig.Value = r.Value
		}
		out[r.ID] = fig
	}
	return out
}
