package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"yousaid/seed"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// wholeCounts reads a wave's whole-wave counters (empty before any response).
func (s *Server) wholeCounts(ctx context.Context, wave string) (survey.Counts, error) {
	ts, err := s.store.TalliesByID(ctx, []string{store.TallyID(wave, "", "")})
	if err != nil || len(ts) == 0 {
		return survey.Counts{}, err
	}
	return survey.Counts(ts[0].Counts), nil
}

// groupCounts reads the counters of every group of one dimension, each by
// its id (the groups are the banded question's options, or the survey's
// languages).
func (s *Server) groupCounts(ctx context.Context, def *survey.Definition, wave, dim string) (map[string]survey.Counts, error) {
	values := def.Languages
	if dim != survey.DimLanguage {
		values = nil
		if q, ok := def.Question(dim); ok {
			for _, o := range q.Options {
				values = append(values, o.Value)
			}
		}
	}
	ids := make([]string, len(values))
	for i, v := range values {
		ids[i] = store.TallyID(wave, dim, v)
	}
	ts, err := s.store.TalliesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	groups := make(map[string]survey.Counts, len(ts))
	for _, t := range ts {
		groups[t.Group] = survey.Counts(t.Counts)
	}
	return groups, nil
}

// resultsTTL is how long computed results are reused. Tallies lag
// acknowledgements by a flush interval (250 ms), so results still include
// every acknowledged response within 2 seconds; meanwhile a room of staff
// and a presenter reading one wave cost the store one read a second.
const resultsTTL = time.Second

type resultsCache struct {
	mu      sync.Mutex
	entries map[string]resultsEntry
}

type resultsEntry struct {
	results *survey.Results
	def     *survey.Definition
	at      time.Time
}

// results computes a wave's figures under its council's disclosure control,
// broken down by the dimension by when it is not empty. It reads tallies
// only, never responses, and reuses figures computed less than resultsTTL
// ago. Callers must not change what it returns.
func (s *Server) results(ctx context.Context, w *store.Wave, by string) (*survey.Results, *survey.Definition, error) {
	key := w.ID + "|" + by
	s.resultsCache.mu.Lock()
	e, ok := s.resultsCache.entries[key]
	s.resultsCache.mu.Unlock()
	if ok && time.Since(e.at) < resultsTTL {
		return e.results, e.def, nil
	}
	r, def, err := s.computeResults(ctx, w, by)
	if err != nil {
		return nil, nil, err
	}
	s.resultsCache.mu.Lock()
	if s.resultsCache.entries == nil || len(s.resultsCache.entries) > 1000 {
		s.resultsCache.entries = map[string]resultsEntry{} // bounded: a reset is enough
	}
	s.resultsCache.entries[key] = resultsEntry{results: r, def: def, at: time.Now()}
	s.resultsCache.mu.Unlock()
	return r, def, nil
}

func (s *Server) computeResults(ctx context.Context, w *store.Wave, by string) (*survey.Results, *survey.Definition, error) {
	def, err := s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		return nil, nil, err
	}
	council, err := s.store.Council(ctx, w.Council)
	if err != nil {
		return nil, nil, err
	}
	if by != "" && !slices.Contains(survey.Dimensions(def), by) {
		return nil, nil, invalid("invalid_breakdown", "ErrorBreakdown", "by", nil)
	}
	// The whole-wave tally and the group tallies are separate documents that
	// one flush updates one after the other: read again if a flush came
	// between the reads.
	for attempt := 0; ; attempt++ {
		all, err := s.wholeCounts(ctx, w.ID)
		if err != nil {
			return nil, nil, err
		}
		r := survey.Compute(def, all, council.MinCell)
		r.Wave = w.ID
		if by == "" {
			return r, def, nil
		}
		groups, err := s.groupCounts(ctx, def, w.ID, by)
		if err != nil {
			return nil, nil, err
		}
		r.By, err = survey.ComputeBreakdown(def, by, all, groups, council.MinCell)
		if errors.Is(err, survey.ErrInconsistentCounts) && attempt < 5 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		return r, def, nil
	}
}

// resultsBody is the results document: the contract's fields, and beside
// them how each indicator compares.
type resultsBody struct {
	*survey.Results
	Comparisons []indicatorComparison `json:"comparisons"`
}

// getResults is GET /api/v1/waves/{wave}/results[?by=] (facilitator).
func (s *Server) getResults(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleFacilitator)
	if err != nil {
		s.fail(c, "results.get", err)
		return
	}
	r, def, err := s.results(c.Request.Context(), w, c.Query("by"))
	if err != nil {
		s.fail(c, "results.get", err)
		return
	}
	cmp, err := s.comparisons(c.Request.Context(), w, def, r)
	if err != nil {
		s.fail(c, "results.get", err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, resultsBody{Results: r, Comparisons: cmp})
}

// getResultsCSV is GET /api/v1/waves/{wave}/results.csv[?by=] (facilitator).
func (s *Server) getResultsCSV(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleFacilitator)
	if err != nil {
		s.fail(c, "results.csv", err)
		return
	}
	r, _, err := s.results(c.Request.Context(), w, c.Query("by"))
	if err != nil {
		s.fail(c, "results.csv", err)
		return
	}
	s.writeCSV(c, "results-"+w.ID+".csv", survey.CSVRows(r))
}

func (s *Server) writeCSV(c *gin.Context, filename string, rows [][]string) {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	if err := cw.WriteAll(rows); err != nil {
		s.fail(c, "csv", err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// exportCSV is GET /api/v1/waves/{wave}/export.csv (council_admin): one
// row per response in random order, with the ISO week and language and no
// id; free text only where approved, as approved (masked). It reads every
// response of the wave: a deliberate download, never a page.
func (s *Server) exportCSV(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleCouncilAdmin)
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	ctx := c.Request.Context()
	def, err := s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	approved, err := s.store.ApprovedTexts(ctx, w.ID)
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	questions := def.Questions()
	header := []string{"week", "language"}
	for _, q := range questions {
		header = append(header, q.ID)
	}
	var rows [][]string
	err = s.store.EachResponse(ctx, w.ID, func(r *store.Response) error {
		answers := survey.NormaliseStored(def, r.Answers)
		row := []string{r.Week, r.Language}
		for _, q := range questions {
			row = append(row, exportCell(q, answers[q.ID], approved[store.TextID(r.ID, q.ID)]))
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		s.fail(c, "export.csv", err)
		return
	}
	rand.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	s.writeCSV(c, "export-"+w.ID+".csv", append([][]string{header}, rows...))
}

// exportCell writes one answer: choices joined by ";", text only when a
// moderator approved it (and then as approved, with personal data masked).
func exportCell(q *survey.Question, v any, approved store.Text) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if q.Type == survey.TypeText {
			return approved.Text
		}
		return v
	case []string:
		return strings.Join(v, ";")
	case int:
		return strconv.Itoa(v)
	}
	return ""
}

// indicatorComparison sets one indicator beside the council's previous wave
// of the same survey, the pooled figure of councils on the platform, and
// published reference figures.
type indicatorComparison struct {
	ID string `json:"id"`
	// Previous compares with the council's previous wave; nil when there is
	// none or it did not measure the indicator.
	Previous *survey.Comparison `json:"previous"`
	// National is the pooled figure across councils; nil with fewer than
	// NationalMinCouncils contributing.
	National   *nationalFigure        `json:"national"`
	References []seed.ReferenceFigure `json:"references"`
}

type nationalFigure struct {
	Value    float64    `json:"value"`
	CI95     [2]float64 `json:"ci95"`
	Councils int        `json:"councils"`
}

// NationalMinCouncils is how many councils must contribute before a pooled
// figure is shown, so that no council's figure can be worked out from it.
const NationalMinCouncils = 3

// previousWave is the council's most recent wave of the same survey opened
// before w, or nil.
func (s *Server) previousWave(ctx context.Context, w *store.Wave) (*store.Wave, error) {
	waves, err := s.store.CouncilWaves(ctx, w.Council)
	if err != nil {
		return nil, err
	}
	for i := range waves { // newest first
		p := &waves[i]
		if p.ID != w.ID && p.Survey == w.Survey && p.CreatedAt.Before(w.CreatedAt) {
			return p, nil
		}
	}
	return nil, nil
}

func (s *Server) comparisons(ctx context.Context, w *store.Wave, def *survey.Definition, r *survey.Results) ([]indicatorComparison, error) {
	var prev map[string]survey.IndicatorResult
	pw, err := s.previousWave(ctx, w)
	if err != nil {
		return nil, err
	}
	if pw != nil {
		pr, _, err := s.results(ctx, pw, "")
		if err != nil {
			return nil, err
		}
		prev = map[string]survey.IndicatorResult{}
		for _, ind := range pr.Indicators {
			prev[ind.ID] = ind
		}
	}
	// An extension is compared with the national survey it extends, on the
	// national indicators (its own have no national figure).
	nationalID := def.ID
	if def.Extends != "" {
		nationalID = def.Extends
	}
	national, err := s.national(ctx, nationalID)
	if err != nil {
		return nil, err
	}
	refs, err := seed.ReferenceFigures()
	if err != nil {
		return nil, err
	}
	out := make([]indicatorComparison, 0, len(r.Indicators))
	for _, ind := range r.Indicators {
		ic := indicatorComparison{ID: ind.ID, References: []seed.ReferenceFigure{}}
		if p, ok := prev[ind.ID]; ok {
			cmp := survey.Compare(ind, p)
			ic.Previous = &cmp
		}
		if n, ok := national[ind.ID]; ok {
			ic.National = &n
		}
		for _, f := range refs {
			if f.Survey == nationalID && f.Indicator == ind.ID {
				ic.References = append(ic.References, f)
			}
		}
		out = append(out, ic)
	}
	return out, nil
}

// nationalCache keeps pooled figures for a few minutes: computing them
// reads every council's latest wave of the survey.
type nationalCache struct {
	mu      sync.Mutex
	entries map[string]nationalEntry
}

type nationalEntry struct {
	figures map[string]nationalFigure
	at      time.Time
}

const nationalTTL = 5 * time.Minute

// national pools each indicator over the latest wave of the survey in every
// council, counting only published figures, and keeps those with enough
// councils. A council's wave of an extension of the survey counts as its
// wave of the survey, for the national indicators only: they are the
// national survey's, unchanged.
func (s *Server) national(ctx context.Context, surveyID string) (map[string]nationalFigure, error) {
	s.nationalCache.mu.Lock()
	e, ok := s.nationalCache.entries[surveyID]
	s.nationalCache.mu.Unlock()
	if ok && time.Since(e.at) < nationalTTL {
		return e.figures, nil
	}
	councils, err := s.store.Councils(ctx)
	if err != nil {
		return nil, err
	}
	extensions, err := s.store.SurveyExtensions(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	pooled := func(w store.Wave) bool { return w.Survey == surveyID || slices.Contains(extensions, w.Survey) }
	parts := map[string][]survey.IndicatorCounts{}
	for _, council := range councils {
		waves, err := s.store.CouncilWaves(ctx, council.Slug)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(waves, pooled)
		if i < 0 {
			continue
		}
		r, def, err := s.results(ctx, &waves[i], "")
		if err != nil {
			return nil, err
		}
		national, err := s.nationalIndicators(ctx, def)
		if err != nil {
			return nil, err
		}
		for _, ind := range r.Indicators {
			if !national[ind.ID] {
				continue
			}
			if counts, ok := ind.Counts(); ok {
				parts[ind.ID] = append(parts[ind.ID], counts)
			}
		}
	}
	figures := map[string]nationalFigure{}
	for id, p := range parts {
		if len(p) < NationalMinCouncils {
			continue
		}
		num, den := survey.Pool(p)
		lo, hi := survey.Wilson(num, den)
		figures[id] = nationalFigure{Value: round3(float64(num) / float64(den)), CI95: [2]float64{round3(lo), round3(hi)}, Councils: len(p)}
	}
	s.nationalCache.mu.Lock()
	if s.nationalCache.entries == nil {
		s.nationalCache.entries = map[string]nationalEntry{}
	}
	s.nationalCache.entries[surveyID] = nationalEntry{figures: figures, at: time.Now()}
	s.nationalCache.mu.Unlock()
	return figures, nil
}

// nationalIndicators names the indicators of def that a national pool may
// count: all of a national survey's, and of an extension those of the base
// version it was built on (not its local ones).
func (s *Server) nationalIndicators(ctx context.Context, def *survey.Definition) (map[string]bool, error) {
	from := def
	if def.Extends != "" {
		base, err := s.definition(ctx, def.Extends, def.BaseVersion)
		if err != nil {
			return nil, err
		}
		from = base
	}
	ids := make(map[string]bool, len(from.Indicators))
	for _, ind := range from.Indicators {
		ids[ind.ID] = true
	}
	return ids, nil
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
