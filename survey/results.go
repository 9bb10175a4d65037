package survey

import (
	"cmp"
	"encoding/json"
	"slices"
)

// Results is a wave's results as GET /api/v1/waves/{wave}/results returns
// them (API.md, Results). Every figure in it has been through disclosure
// control.
type Results struct {
	// Wave is the wave's id; Compute leaves it for the caller.
	Wave    string `json:"wave"`
	Survey  string `json:"survey"`
	Version int    `json:"version"`
	// Responses is the number of responses counted, always shown.
	Responses int64 `json:"responses"`
	// MinCell is the minimum cell size applied (after ClampMinCell).
	MinCell    int               `json:"min_cell"`
	Questions  []QuestionResult  `json:"questions"`
	Indicators []IndicatorResult `json:"indicators"`
	Priorities []PriorityResult  `json:"priorities"`
	// By is the breakdown asked for with ?by=, if any.
	By *Breakdown `json:"by,omitempty"`
}

// QuestionResult is one question's figures. Text questions carry only
// Answered. Mean is written only for scale questions, where it is always
// present: a number, or null when suppressed or nobody answered.
type QuestionResult struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Answered is the number who answered, always shown.
	Answered int64          `json:"answered"`
	Options  []OptionResult `json:"options,omitempty"`
	// Mean is the mean scale answer, rounded to 2 decimals; nil when
	// suppressed or when nobody answered.
	Mean *float64 `json:"-"`
}

// questionFields is QuestionResult without its methods, for encoding.
type questionFields QuestionResult

// MarshalJSON writes "mean" for scale questions only, as null when Mean is
// nil, so a reader can tell "suppressed" from "not a scale".
func (q QuestionResult) MarshalJSON() ([]byte, error) {
	if q.Type != TypeScale {
		return json.Marshal(questionFields(q))
	}
	return json.Marshal(struct {
		questionFields
		Mean *float64 `json:"mean"`
	}{questionFields(q), q.Mean})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (q *QuestionResult) UnmarshalJSON(data []byte) error {
	var v struct {
		questionFields
		Mean *float64 `json:"mean"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*q = QuestionResult(v.questionFields)
	q.Mean = v.Mean
	return nil
}

// OptionResult is the number who gave one option; Count is nil when
// suppressed.
type OptionResult struct {
	Value      string `json:"value"`
	Count      *int64 `json:"count"`
	Suppressed bool   `json:"suppressed"`
}

// IndicatorResult is one indicator: Numerator of the Denominator who
// answered its question. When Suppressed, all four figures are nil; an
// indicator nobody's question was answered for is suppressed too, having
// no value.
type IndicatorResult struct {
	ID          string   `json:"id"`
	Numerator   *int64   `json:"numerator"`
	Denominator *int64   `json:"denominator"`
	Value       *float64 `json:"value"` // rounded to 3 decimals
	// CI95 is the 95% Wilson interval, bounds rounded to 3 decimals.
	CI95       *[2]float64 `json:"ci95"`
	Suppressed bool        `json:"suppressed"`
}

// PriorityResult is one option of the priorities question, ranked.
type PriorityResult struct {
	Value string `json:"value"`
	Count *int64 `json:"count"`
	// Share is Count over the number who answered the priorities question,
	// rounded to 3 decimals; nil when suppressed or nobody answered.
	Share *float64 `json:"share"`
	// Rank is 1 for the largest count; equal counts share a rank and the
	// next rank skips (1, 1, 3). Suppressed priorities come last, in the
	// survey's option order (so the order says nothing of their size),
	// with a nil rank, like every other suppressed figure.
	Rank       *int `json:"rank"`
	Suppressed bool `json:"suppressed"`
}

// Breakdown is the figures of each group of one dimension (API.md,
// Results, ?by=).
type Breakdown struct {
	// Question is the dimension: a banded question's id or DimLanguage.
	Question string        `json:"question"`
	Groups   []GroupResult `json:"groups"`
}

// GroupResult is one group of a breakdown. A suppressed group has nil
// Responses and no figures; a group nobody is in shows Responses 0 and no
// figures.
type GroupResult struct {
	Value      string            `json:"value"`
	Responses  *int64            `json:"responses"`
	Suppressed bool              `json:"suppressed"`
	Questions  []QuestionResult  `json:"questions,omitempty"`
	Indicators []IndicatorResult `json:"indicators,omitempty"`
	Priorities []PriorityResult  `json:"priorities,omitempty"`
}

// Compute returns a wave's results from its tally under disclosure control
// with the council's minimum cell size (clamped by ClampMinCell). Survey
// and Version come from d; the caller sets Wave, and By when a breakdown is
// asked for. The figures depend only on d, all and minCell, so they are the
// same with or without a breakdown: comparing the two can reveal nothing.
func Compute(d *Definition, all Counts, minCell int) *Results {
	m := ClampMinCell(minCell)
	o := decideOverall(d, all, m)
	r := &Results{
		Survey:    d.ID,
		Version:   d.Version,
		Responses: all[KeyResponses],
		MinCell:   m,
	}
	r.Questions, r.Indicators, r.Priorities = o.publish(d, func(q string) (qvalues, qdecision) {
		return o.values[q], o.decided[q]
	}, func(q string) int64 { return all[KeyAnswered(q)] })
	return r
}

// overall is the whole wave's figures and what disclosure control decided
// for them, question by question.
type overall struct {
	specs   map[string]*qspec
	values  map[string]qvalues
	decided map[string]qdecision
}

// decideOverall suppresses each question's figures on its own: nothing a
// reader knows ties one question's counts to another's.
func decideOverall(d *Definition, all Counts, m int) *overall {
	o := &overall{specs: map[string]*qspec{}, values: map[string]qvalues{}, decided: map[string]qdecision{}}
	n := all[KeyResponses]
	for _, q := range d.Questions() {
		if q.Type == TypeText {
			continue
		}
		s := newQspec(d, q)
		v := s.values(all)
		t := newTable(m)
		qc := s.addScope(t, v, stateFree, nil, max(n, v.answered))
		t.suppress()
		o.specs[q.ID], o.values[q.ID], o.decided[q.ID] = s, v, t.decision(qc)
	}
	return o
}

// publish turns figures and decisions into the published lists. get gives
// a non-text question's figures and decision; answered gives any
// question's answered count.
func (o *overall) publish(d *Definition, get func(q string) (qvalues, qdecision), answered func(q string) int64) ([]QuestionResult, []IndicatorResult, []PriorityResult) {
	questions := []QuestionResult{}
	for _, q := range d.Questions() {
		qr := QuestionResult{ID: q.ID, Type: q.Type, Answered: answered(q.ID)}
		if q.Type != TypeText {
			v, dec := get(q.ID)
			for i, opt := range q.Options {
				qr.Options = append(qr.Options, optionResult(opt.Value, v.options[i], dec.options[i]))
			}
			if q.Type == TypeScale && v.answered > 0 && !dec.sum && len(v.scale) > 0 {
				mean := round2(float64(v.sum) / float64(v.answered))
				qr.Mean = &mean
			}
		}
		questions = append(questions, qr)
	}
	indicators := []IndicatorResult{}
	for _, ind := range d.Indicators {
		s, ok := o.specs[ind.Question]
		if !ok {
			indicators = append(indicators, IndicatorResult{ID: ind.ID, Suppressed: true})
			continue
		}
		j := slices.IndexFunc(s.inds, func(x Indicator) bool { return x.ID == ind.ID })
		v, dec := get(ind.Question)
		indicators = append(indicators, indicatorResult(ind.ID, v.nums[j], v.answered, dec.nums[j]))
	}
	var priorities []PriorityResult
	if q, ok := d.Question(d.Priorities); ok && q.Type != TypeText {
		v, dec := get(q.ID)
		priorities = rankPriorities(q, v, dec)
	}
	if priorities == nil {
		priorities = []PriorityResult{}
	}
	return questions, indicators, priorities
}

func optionResult(value string, count int64, hidden bool) OptionResult {
	if hidden {
		return OptionResult{Value: value, Suppressed: true}
	}
	return OptionResult{Value: value, Count: &count}
}

// indicatorResult publishes num of den, or nothing when hidden or den is 0.
func indicatorResult(id string, num, den int64, hidden bool) IndicatorResult {
	if hidden || den <= 0 {
		return IndicatorResult{ID: id, Suppressed: true}
	}
	value := round3(float64(num) / float64(den))
	lo, hi := Wilson(num, den)
	return IndicatorResult{
		ID: id, Numerator: &num, Denominator: &den, Value: &value,
		CI95: &[2]float64{round3(lo), round3(hi)},
	}
}

// rankPriorities ranks the priorities question's options by count (see
// PriorityResult); suppressed ones follow in option order.
func rankPriorities(q *Question, v qvalues, dec qdecision) []PriorityResult {
	var shown, hidden []PriorityResult
	for i, opt := range q.Options {
		if dec.options[i] {
			hidden = append(hidden, PriorityResult{Value: opt.Value, Suppressed: true})
			continue
		}
		count := v.options[i]
		p := PriorityResult{Value: opt.Value, Count: &count}
		if v.answered > 0 {
			share := round3(float64(count) / float64(v.answered))
			p.Share = &share
		}
		shown = append(shown, p)
	}
	// Stable: equal counts keep the survey's option order.
	slices.SortStableFunc(shown, func(a, b PriorityResult) int { return cmp.Compare(*b.Count, *a.Count) })
	for i := range shown {
		rank := i + 1
		if i > 0 && *shown[i].Count == *shown[i-1].Count {
			rank = *shown[i-1].Rank
		}
		shown[i].Rank = &rank
	}
	return append(shown, hidden...)
}
