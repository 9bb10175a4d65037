package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// resultsPage is the staff results page of a wave: findings in plain
// words, charts with their numbers, priorities and a breakdown.
type resultsPage struct {
	page.Base
	Wave       waveView
	Responses  int
	MinCell    int
	Findings   []finding
	Charts     []chart
	Priorities []bar
	By         string
	Dims       []dimOption
	Groups     []groupRow
	GroupHeads []string // indicator labels, the breakdown table's columns
	Drafted    bool     // the survey's text in this language is machine-drafted
}

// finding is one indicator as a sentence with its comparisons.
type finding struct {
	Label      string
	Sentence   string
	Definition string
	Suppressed bool
	Bar        bar
	Compare    []string // sentences comparing with the previous wave, the councils pooled, references
}

// chart is one question's answers as bars.
type chart struct {
	ID       string
	Question string
	Answered int
	Mean     string // scale questions: the mean, or "" when not shown
	Bars     []bar
}

// bar is one figure drawn as a bar, with its number as text.
type bar struct {
	Label      string
	Count      string // the count, or "c" when suppressed
	Percent    string // "32%", or "" when suppressed or not applicable
	Width      int    // the bar's length out of 100
	Suppressed bool
	Rank       int
}

type dimOption struct {
	Value, Label string
	Selected     bool
}

// groupRow is one group of the breakdown table.
type groupRow struct {
	Label      string
	Responses  string
	Suppressed bool
	Cells      []string
}

func countText(n *int64) string {
	if n == nil {
		return "c"
	}
	return fmt.Sprint(*n)
}

// optionBars draws a question's option counts against those who answered.
func optionBars(l *locale.Localizer, q *survey.Question, r survey.QuestionResult) []bar {
	lang := l.Tag()
	var bars []bar
	for _, o := range r.Options {
		label := o.Value
		if opt, ok := q.Option(o.Value); ok {
			label, _ = opt.Label.In(lang)
		}
		b := bar{Label: label, Count: countText(o.Count), Suppressed: o.Suppressed}
		if o.Count != nil && r.Answered > 0 {
			share := float64(*o.Count) / float64(r.Answered)
			b.Percent, b.Width = percent(l, share), int(math.Round(share*100))
		}
		bars = append(bars, b)
	}
	return bars
}

func (s *Server) resultsPageHandler(c *gin.Context) {
	w, err := s.staffWave(c, store.RoleFacilitator)
	if err != nil {
		s.pageError(c, "staff.results", err)
		return
	}
	ctx := c.Request.Context()
	by := c.Query("by")
	r, def, err := s.results(ctx, w, by)
	var ae *apiError
	if asAPIError(err, &ae) && ae.Status == http.StatusBadRequest {
		by = "" // an unknown breakdown: show the page without one
		r, def, err = s.results(ctx, w, "")
	}
	if err != nil {
		s.pageError(c, "staff.results", err)
		return
	}
	cmps, err := s.comparisons(ctx, w, def, r)
	if err != nil {
		s.pageError(c, "staff.results", err)
		return
	}
	var previousName string
	if pw, err := s.previousWave(ctx, w); err == nil && pw != nil {
		previousName = pw.Name
	}
	l := s.localizer(c)
	lang := l.Tag()
	p := resultsPage{
		Base: s.staffBase(c, "ResultsTitle", "Wave", w.Name), Wave: s.viewWave(w),
		Responses: int(r.Responses), MinCell: r.MinCell, By: by,
		Drafted: slices.Contains(def.Drafted, lang),
	}
	for i, ind := range r.Indicators {
		d := def.Indicators[i]
		label, _ := d.Label.In(lang)
		f := finding{Label: label, Suppressed: ind.Suppressed}
		f.Definition, _ = d.Definition.In(lang)
		if ind.Suppressed || ind.Value == nil {
			f.Sentence = l.T("FindingSuppressed", "Label", label)
		} else {
			v := *ind.Value
			n, den := survey.NaturalFrequency(v)
			f.Sentence = l.T("FindingSentence", "N", n, "D", den, "Percent", percent(l, v), "Label", label)
			f.Bar = bar{Label: label, Count: countText(ind.Numerator), Percent: percent(l, v), Width: int(math.Round(v * 100))}
		}
		cmp := cmps[i]
		if cmp.Previous != nil && cmp.Previous.Previous != nil && cmp.Previous.Previous.Value != nil && !ind.Suppressed {
			f.Compare = append(f.Compare, l.T("ComparePrevious", "Wave", previousName, "Percent", percent(l, *cmp.Previous.Previous.Value)))
			if cmp.Previous.Significant {
				f.Compare = append(f.Compare, l.T("CompareSignificant"))
			} else if !cmp.Previous.Suppressed {
				f.Compare = append(f.Compare, l.T("CompareNotSignificant"))
			}
		}
		if cmp.National != nil {
			f.Compare = append(f.Compare, l.T("CompareNational", "Councils", cmp.National.Councils, "Percent", percent(l, cmp.National.Value)))
		}
		for _, ref := range cmp.References {
			f.Compare = append(f.Compare, l.T("CompareReference", "Source", ref.Source, "Year", ref.Year, "Percent", percent(l, ref.Value), "Population", ref.Population))
		}
		p.Findings = append(p.Findings, f)
	}
	for _, qr := range r.Questions {
		q, ok := def.Question(qr.ID)
		if !ok || (q.Type != survey.TypeChoice && q.Type != survey.TypeScale) {
			continue
		}
		text, _ := q.Text.In(lang)
		ch := chart{ID: q.ID, Question: text, Answered: int(qr.Answered), Bars: optionBars(l, q, qr)}
		if qr.Mean != nil {
			ch.Mean = fmt.Sprintf("%.1f", *qr.Mean)
		}
		p.Charts = append(p.Charts, ch)
	}
	if pq, ok := def.Question(def.Priorities); ok {
		var answered int64
		for _, qr := range r.Questions {
			if qr.ID == pq.ID {
				answered = qr.Answered
			}
		}
		for _, pr := range r.Priorities {
			label := pr.Value
			if opt, ok := pq.Option(pr.Value); ok {
				label, _ = opt.Label.In(lang)
			}
			b := bar{Label: label, Count: countText(pr.Count), Suppressed: pr.Suppressed}
			if pr.Rank != nil {
				b.Rank = *pr.Rank
			}
			if pr.Share != nil && answered > 0 {
				b.Percent, b.Width = percent(l, *pr.Share), int(math.Round(*pr.Share*100))
			}
			p.Priorities = append(p.Priorities, b)
		}
	}
	for _, dim := range survey.Dimensions(def) {
		label := l.T("BreakdownLanguage")
		if q, ok := def.Question(dim); ok {
			label, _ = q.Text.In(lang)
		}
		p.Dims = append(p.Dims, dimOption{Value: dim, Label: label, Selected: dim == by})
	}
	if r.By != nil {
		for _, d := range def.Indicators {
			label, _ := d.Label.In(lang)
			p.GroupHeads = append(p.GroupHeads, label)
		}
		for _, g := range r.By.Groups {
			row := groupRow{Label: groupLabel(def, by, g.Value, lang), Responses: countText(g.Responses), Suppressed: g.Suppressed}
			for _, ind := range g.Indicators {
				if ind.Suppressed || ind.Value == nil {
					row.Cells = append(row.Cells, "c")
				} else {
					row.Cells = append(row.Cells, percent(l, *ind.Value))
				}
			}
			p.Groups = append(p.Groups, row)
		}
	}
	s.render(c, http.StatusOK, "results", p)
}

// groupLabel names a breakdown group in the page language.
func groupLabel(def *survey.Definition, dim, value, lang string) string {
	if dim == survey.DimLanguage {
		return langName(value)
	}
	if q, ok := def.Question(dim); ok {
		if o, ok := q.Option(value); ok {
			label, _ := o.Label.In(lang)
			return label
		}
	}
	return value
}
