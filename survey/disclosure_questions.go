package survey

import "slices"

// This file turns a question's tallies into disclosure tables: the cells a
// reader sees (or could see) and every linear fact about them a reader
// knows from the survey's structure.

// qspec is what disclosure control needs to know of one question.
type qspec struct {
	q *Question
	// inds are the indicators counting the question, in definition order.
	inds []Indicator
	// members[j] lists the option (or, for a scale, value) indexes that
	// indicator j counts.
	members [][]int
	// levels are a scale's values, lowest first.
	levels []int
	// atoms split a scale into the value ranges that no indicator's range
	// cuts: what a reader knows of the answers when the indicators are
	// published.
	atoms [][2]int
	// choices is how many options one person can give: 1 for a choice
	// question, max_choices or the number of options for a multi one.
	choices int
}

func newQspec(d *Definition, q *Question) *qspec {
	s := &qspec{q: q, choices: 1}
	for _, ind := range d.Indicators {
		if ind.Question == q.ID {
			s.inds = append(s.inds, ind)
		}
	}
	if q.Type == TypeMulti {
		s.choices = len(q.Options)
		if q.MaxChoices > 0 && q.MaxChoices < s.choices {
			s.choices = q.MaxChoices
		}
	}
	if q.Type == TypeScale && q.Min != nil && q.Max != nil {
		cuts := []int{*q.Min, *q.Max + 1}
		for _, ind := range s.inds {
			if len(ind.Range) == 2 {
				cuts = append(cuts, ind.Range[0], ind.Range[1]+1)
			}
		}
		slices.Sort(cuts)
		cuts = slices.Compact(cuts)
		for i := 0; i+1 < len(cuts); i++ {
			if cuts[i] >= *q.Min && cuts[i+1]-1 <= *q.Max {
				s.atoms = append(s.atoms, [2]int{cuts[i], cuts[i+1] - 1})
			}
		}
		for x := *q.Min; x <= *q.Max; x++ {
			s.levels = append(s.levels, x)
		}
	}
	for _, ind := range s.inds {
		var m []int
		switch {
		case q.Type == TypeScale && len(ind.Range) == 2:
			for k, x := range s.levels {
				if x >= ind.Range[0] && x <= ind.Range[1] {
					m = append(m, k)
				}
			}
		default:
			for o, opt := range q.Options {
				if slices.Contains(ind.Counts, opt.Value) {
					m = append(m, o)
				}
			}
		}
		s.members = append(s.members, m)
	}
	return s
}

// additive reports whether the option counts add up to answered.
func (s *qspec) additive() bool { return s.q.Type == TypeChoice || s.choices == 1 }

// qvalues are one population's true figures for one question.
type qvalues struct {
	answered int64
	options  []int64
	// scale counts the answers of each of a scale's levels.
	scale []int64
	// nums are the indicators' numerators.
	nums []int64
	// sum is the sum of the scale answers.
	sum int64
}

// values reads one population's figures for the question from its tally.
// Numerators of choice and scale indicators are summed from the options or
// values, so the table is consistent by construction; a multi question's
// numerator (people choosing any of several options) can only come from
// the tally's own counter, clamped to what the options allow.
func (s *qspec) values(c Counts) qvalues {
	q := s.q
	v := qvalues{answered: c[KeyAnswered(q.ID)]}
	for _, o := range q.Options {
		v.options = append(v.options, c[KeyOption(q.ID, o.Value)])
	}
	for _, x := range s.levels {
		k := c[KeyScale(q.ID, x)]
		v.scale = append(v.scale, k)
		v.sum += int64(x) * k
	}
	for j, ind := range s.inds {
		parts := v.options
		if q.Type == TypeScale {
			parts = v.scale
		}
		var total, most int64
		for _, k := range s.members[j] {
			total += parts[k]
			most = max(most, parts[k])
		}
		if q.Type == TypeMulti && len(s.members[j]) > 1 {
			total = min(max(c[KeyIndicator(ind.ID)], most), total, v.answered)
		}
		v.nums = append(v.nums, total)
	}
	return v
}

// qcells are the cell indexes of one population's figures in a table.
type qcells struct {
	answered int
	options  []int
	scale    []int // one per level, never shown
	nums     []int // each tied to the complement at the same index
	comps    []int
	sum      int // -1 unless a scale
}

// qdecision is which of a population's figures a table hid.
type qdecision struct {
	options []bool
	nums    []bool
	sum     bool
}

func (t *table) decision(qc qcells) qdecision {
	d := qdecision{sum: qc.sum >= 0 && t.cells[qc.sum].hidden}
	for _, c := range qc.options {
		d.options = append(d.options, t.cells[c].hidden)
	}
	for _, c := range qc.nums {
		d.nums = append(d.nums, t.cells[c].hidden)
	}
	return d
}

// addScope adds one population's figures for the question to t with all
// the rows a reader knows about them, and returns their cells.
//
// st is stateFree for a population whose figures are to be published (its
// answered is then always shown) and stateUnknown for one never shown (a
// hidden group, the remainder). When dec is not nil the population's
// figures were decided by an earlier table: each is known or unknown as dec
// says, and the hidden ones are guarded and kept, since they protect cells
// there.
// bound is the number of responses, a bound on every count.
func (s *qspec) addScope(t *table, v qvalues, st cellState, dec *qdecision, bound int64) qcells {
	state := func(hidden bool) cellState {
		switch {
		case dec == nil:
			return st
		case hidden:
			return stateUnknown
		}
		return stateKnown
	}
	guard := func(c int, hidden bool) int {
		if dec != nil && hidden {
			t.cells[c].guard = true
			t.cells[c].keep = true
		}
		return c
	}
	answeredState := stateKnown
	if st == stateUnknown && dec == nil {
		answeredState = stateUnknown
	}
	qc := qcells{answered: t.answered(v.answered, bound, answeredState), sum: -1}
	var parts []int
	switch s.q.Type {
	case TypeChoice, TypeMulti:
		for i, x := range v.options {
			hidden := dec != nil && dec.options[i]
			qc.options = append(qc.options, guard(t.count(x, bound, state(hidden)), hidden))
		}
		parts = qc.options
		if s.additive() {
			t.equal(qc.answered, qc.options...)
		} else {
			atLeastOne(t, qc.answered, qc.options)
			most := []term{{qc.answered, -int64(s.choices)}}
			for _, o := range qc.options {
				most = append(most, term{o, 1})
			}
			t.atMost(most...)
		}
	case TypeScale:
		for _, x := range v.scale {
			qc.scale = append(qc.scale, t.count(x, bound, stateUnknown))
		}
		parts = qc.scale
		if len(qc.scale) > 0 {
			t.equal(qc.answered, qc.scale...)
			lo, hi := int64(s.levels[0]), int64(s.levels[len(s.levels)-1])
			hidden := dec != nil && dec.sum
			qc.sum = guard(t.sum(v.sum, bound*max(hi, 1), state(hidden), sumSensitive(s, v, t.m), v.answered), hidden)
			// The sum is the levels' counts times their values; the same
			// fact written as the distance from each end of the scale
			// lets interval propagation see a sum close to an end.
			total := []term{{qc.sum, 1}}
			above := []term{{qc.sum, 1}, {qc.answered, -lo}}
			below := []term{{qc.sum, -1}, {qc.answered, hi}}
			for k, c := range qc.scale {
				x := int64(s.levels[k])
				total = append(total, term{c, -x})
				above = append(above, term{c, -(x - lo)})
				below = append(below, term{c, -(hi - x)})
			}
			for _, r := range [][]term{total, above, below} {
				t.rows = append(t.rows, row{terms: r, eq: true})
			}
		}
	}
	for j := range s.inds {
		hidden := dec != nil && dec.nums[j]
		num := guard(t.count(v.nums[j], bound, state(hidden)), hidden)
		comp := guard(t.count(v.answered-v.nums[j], bound, state(hidden)), hidden)
		// An indicator is the headline figure: hide option counts first.
		t.cells[num].rank, t.cells[comp].rank = 1, 1
		t.tieCells(num, comp)
		qc.nums, qc.comps = append(qc.nums, num), append(qc.comps, comp)
		t.equal(qc.answered, num, comp)
		in, out := s.split(j, parts)
		if s.q.Type == TypeMulti && !s.additive() {
			// Someone counted chose at least one counted option, and
			// someone not counted chose at least one other option.
			if len(in) == 1 {
				t.equal(num, in...)
			} else {
				atMostSum(t, num, in)
				for _, o := range in {
					t.atMost(term{o, 1}, term{num, -1})
				}
			}
			atMostSum(t, comp, out)
			continue
		}
		t.equal(num, in...)
		t.equal(comp, out...)
		if qc.sum >= 0 {
			s.rangeRows(t, qc, num, j)
		}
	}
	return qc
}

// rangeRows adds, for scale indicator j counting [a, b], the sum as a (and
// as b) times the numerator plus each answer's distance from a (or b): the
// same facts again, in the form that lets interval propagation reason
// inside the range (x2 + 3*x3 = 3 with x2 <= 1 means x3 = 1).
func (s *qspec) rangeRows(t *table, qc qcells, num, j int) {
	r := s.inds[j].Range
	for _, from := range []int64{int64(r[0]), int64(r[1])} {
		terms := []term{{qc.sum, 1}, {num, -from}}
		for k, c := range qc.scale {
			x := int64(s.levels[k])
			if slices.Contains(s.members[j], k) {
				terms = append(terms, term{c, -(x - from)})
			} else {
				terms = append(terms, term{c, -x})
			}
		}
		t.rows = append(t.rows, row{terms: terms, eq: true})
	}
}

// split returns the cells of parts that indicator j counts, and the others.
func (s *qspec) split(j int, parts []int) (in, out []int) {
	for k, c := range parts {
		if slices.Contains(s.members[j], k) {
			in = append(in, c)
		} else {
			out = append(out, c)
		}
	}
	return in, out
}

// atMostSum adds x <= sum of parts.
func atMostSum(t *table, x int, parts []int) {
	terms := []term{{x, 1}}
	for _, p := range parts {
		terms = append(terms, term{p, -1})
	}
	t.atMost(terms...)
}

// sumSensitive reports whether a scale's sum (so its mean) must not be
// published: it is the mean of fewer than m answers, or it sits so close to
// an end of the scale that it gives away a small count. If the sum is
// d above the lowest it could be (every answer at the bottom of the scale,
// or of its indicator range when those counts are known), then between 1
// and d people answered above the bottom; with 0 < d < m that is a small
// count a reader has worked out. The same holds below the top. The table's
// attacker finds many such cases too, but not those that need whole-number
// reasoning (a sum 1 below the top means exactly one answer one below it).
func sumSensitive(s *qspec, v qvalues, m int) bool {
	a := v.answered
	if a == 0 {
		return false
	}
	if a < int64(m) {
		return true
	}
	small := func(d int64) bool { return 0 < d && d < int64(m) }
	if small(v.sum-int64(*s.q.Min)*a) || small(int64(*s.q.Max)*a-v.sum) {
		return true
	}
	var lo, hi int64
	for _, r := range s.atoms {
		for k, x := range s.levels {
			if x >= r[0] && x <= r[1] {
				lo += int64(r[0]) * v.scale[k]
				hi += int64(r[1]) * v.scale[k]
			}
		}
	}
	return small(v.sum-lo) || small(hi-v.sum)
}

// columns adds, for every figure of a question, the line that says the
// whole is the sum of its parts (groups and remainder).
func columns(t *table, whole qcells, parts []qcells) {
	col := func(get func(qcells) []int) {
		w := get(whole)
		for k := range w {
			ps := make([]int, 0, len(parts))
			for _, p := range parts {
				ps = append(ps, get(p)[k])
			}
			t.equal(w[k], ps...)
		}
	}
	col(func(c qcells) []int { return []int{c.answered} })
	col(func(c qcells) []int { return c.options })
	col(func(c qcells) []int { return c.scale })
	col(func(c qcells) []int { return c.nums })
	col(func(c qcells) []int { return c.comps })
	if whole.sum >= 0 {
		col(func(c qcells) []int { return []int{c.sum} })
	}
}
