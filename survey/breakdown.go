package survey

import (
	"errors"
	"fmt"
	"slices"
)

// ErrUnknownDimension is returned (wrapped, with the dimension) by
// ComputeBreakdown for a dimension that is not in Dimensions(d).
var ErrUnknownDimension = errors.New("survey: not a dimension results can be broken down by")

// ErrInconsistentCounts is returned (wrapped) by ComputeBreakdown when the
// groups' tallies do not fit inside the whole wave's, as when they were read
// while a flush was half written. Publishing such figures side by side
// could give away what suppression hides, so the caller should read the
// tallies again.
var ErrInconsistentCounts = errors.New("survey: group tallies do not add up to the wave's tally")

// ComputeBreakdown breaks a wave's results down by dim (a banded question's
// id or DimLanguage, see Dimensions) under disclosure control with the
// council's minimum cell size m (clamped by ClampMinCell). all is the whole
// wave's tally and groups the tally of each group by its value; a group
// with no tally has no responses, and a tally for a value that is no group
// (an option since removed) counts with the remainder.
//
// Groups come in the banded question's option order, or in d.Languages
// order, every possible group listed:
//
//   - A group is suppressed whole (Responses nil, no figures) when it has
//     fewer than m responses, and so is a second group where one suppressed
//     group's size could be worked out from the total. For a banded question
//     the group sizes are that question's option counts, so exactly the
//     options Compute hides are the groups hidden here.
//   - The remainder (respondents who did not answer the banded question) is
//     never shown. When it has fewer than m people and no non-empty group is
//     hidden, its figures would follow from the whole minus the groups, so
//     the smallest non-empty group is hidden too.
//   - A group nobody is in shows Responses 0 and no figures: a zero is not
//     a small number of people.
//   - Inside the shown groups, each question's figures are suppressed as in
//     Compute, across groups too (the hidden groups and the remainder count
//     as hidden cells). A cell the whole wave hides stays hidden whatever
//     the groups show, with room on both sides of its value, so that two
//     breakdowns, each computed on its own, cannot pin it between them.
//
// The whole wave's figures are decided exactly as Compute decides them; a
// breakdown only ever hides more inside its groups. It returns an error
// wrapping ErrUnknownDimension for a dim not in Dimensions(d), and one
// wrapping ErrInconsistentCounts when groups do not fit inside all.
func ComputeBreakdown(d *Definition, dim string, all Counts, groups map[string]Counts, minCell int) (*Breakdown, error) {
	if !slices.Contains(Dimensions(d), dim) {
		return nil, fmt.Errorf("survey.ComputeBreakdown %q: %w", dim, ErrUnknownDimension)
	}
	m := ClampMinCell(minCell)
	o := decideOverall(d, all, m)
	values := d.Languages
	var banded *Question
	if dim != DimLanguage {
		banded, _ = d.Question(dim)
		values = nil
		for _, opt := range banded.Options {
			values = append(values, opt.Value)
		}
	}
	listed := make([]Counts, len(values))
	for i, v := range values {
		listed[i] = groups[v]
	}
	rem, err := remainder(all, listed)
	if err != nil {
		return nil, fmt.Errorf("survey.ComputeBreakdown %q: %w", dim, err)
	}
	p := &plan{m: m, n: all[KeyResponses], rem: rem, listed: listed}
	for _, c := range listed {
		p.sizes = append(p.sizes, c[KeyResponses])
	}
	if banded != nil {
		for i, v := range values {
			if p.sizes[i] != all[KeyOption(dim, v)] {
				return nil, fmt.Errorf("survey.ComputeBreakdown %q: group %q: %w", dim, v, ErrInconsistentCounts)
			}
		}
		p.banded = o.specs[dim]
		p.bandedValues = o.values[dim]
		p.bandedDecision = o.decided[dim]
		p.hidden = slices.Clone(p.bandedDecision.options)
	} else {
		p.hideSmallGroups()
	}
	p.hideRemainderPartner()

	b := &Breakdown{Question: dim, Groups: make([]GroupResult, len(values))}
	decided := make([]map[string]qdecision, len(values))
	for i := range values {
		decided[i] = map[string]qdecision{}
	}
	for _, q := range d.Questions() {
		s, ok := o.specs[q.ID]
		if !ok || q.ID == dim {
			continue
		}
		for i, dec := range p.decideQuestion(s, o) {
			if dec != nil {
				decided[i][q.ID] = *dec
			}
		}
	}
	for i, v := range values {
		g := GroupResult{Value: v}
		switch {
		case p.hidden[i]:
			g.Suppressed = true
		case p.sizes[i] == 0:
			g.Responses = new(int64)
		default:
			size := p.sizes[i]
			g.Responses = &size
			c := listed[i]
			g.Questions, g.Indicators, g.Priorities = o.publish(d, func(q string) (qvalues, qdecision) {
				v := o.specs[q].values(c)
				if dec, ok := decided[i][q]; ok {
					return v, dec
				}
				// The banded question inside its own group: every figure
				// follows from the group's size, which is shown.
				return v, shownDecision(v)
			}, func(q string) int64 { return c[KeyAnswered(q)] })
		}
		b.Groups[i] = g
	}
	return b, nil
}

// remainder returns all minus the sum of the groups, key by key, or an
// error wrapping ErrInconsistentCounts if any key goes below zero.
func remainder(all Counts, groups []Counts) (Counts, error) {
	rem := Counts{}
	for k, n := range all {
		rem[k] = n
	}
	for _, g := range groups {
		for k, n := range g {
			rem[k] -= n
			if rem[k] < 0 {
				return nil, fmt.Errorf("counter %q: %w", k, ErrInconsistentCounts)
			}
		}
	}
	return rem, nil
}

func shownDecision(v qvalues) qdecision {
	return qdecision{options: make([]bool, len(v.options)), nums: make([]bool, len(v.nums))}
}

// plan is a breakdown's groups and which of them are hidden whole.
type plan struct {
	m      int
	n      int64 // responses in the wave
	rem    Counts
	listed []Counts
	sizes  []int64
	hidden []bool
	// banded is the dimension's question, nil for language; its figures
	// and decision are the whole wave's, and its option counts are the
	// group sizes.
	banded         *qspec
	bandedValues   qvalues
	bandedDecision qdecision
}

// hideSmallGroups decides which language groups to hide: their sizes form
// one line that adds up to the responses.
func (p *plan) hideSmallGroups() {
	t := newTable(p.m)
	total := t.answered(p.n, p.n, stateKnown)
	cells := []int{t.answered(p.rem[KeyResponses], p.n, stateKnown)}
	for _, n := range p.sizes {
		cells = append(cells, t.count(n, p.n, stateFree))
	}
	t.equal(total, cells...)
	t.suppress()
	for _, c := range cells[1:] {
		p.hidden = append(p.hidden, t.cells[c].hidden)
	}
}

// hideRemainderPartner hides the smallest non-empty group when the
// remainder is a small group whose figures would otherwise follow from the
// whole minus the shown groups.
func (p *plan) hideRemainderPartner() {
	r := p.rem[KeyResponses]
	if r == 0 || r >= int64(p.m) {
		return
	}
	best := -1
	for i, n := range p.sizes {
		if n == 0 {
			continue
		}
		if p.hidden[i] {
			return
		}
		if best < 0 || n < p.sizes[best] {
			best = i
		}
	}
	if best >= 0 {
		p.hidden[best] = true
	}
}

// decideQuestion suppresses one question's figures across the groups,
// with the whole wave's figures fixed as Compute decided them, and returns
// each shown, non-empty group's decision (nil for the others).
func (p *plan) decideQuestion(s *qspec, o *overall) []*qdecision {
	t := newTable(p.m)
	bound := p.n
	// The group sizes, and everything a reader knows about them.
	var sizes []int
	if p.banded != nil {
		bc := p.banded.addScope(t, p.bandedValues, stateFree, &p.bandedDecision, bound)
		sizes = bc.options
	} else {
		total := t.answered(p.n, bound, stateKnown)
		parts := []int{t.answered(p.rem[KeyResponses], bound, stateKnown)}
		for i, n := range p.sizes {
			st := stateKnown
			if p.hidden[i] {
				st = stateUnknown
			}
			c := t.count(n, bound, st)
			t.cells[c].guard = p.hidden[i]
			t.cells[c].keep = p.hidden[i]
			sizes = append(sizes, c)
			parts = append(parts, c)
		}
		t.equal(total, parts...)
	}
	dec := o.decided[s.q.ID]
	whole := s.addScope(t, o.values[s.q.ID], stateFree, &dec, bound)
	var parts []qcells
	scopes := make([]int, len(p.listed)) // index into parts, or -1
	for i, c := range p.listed {
		scopes[i] = -1
		if p.sizes[i] == 0 && !p.hidden[i] {
			continue // every figure is a known zero
		}
		st := stateFree
		if p.hidden[i] {
			st = stateUnknown
		}
		qc := s.addScope(t, s.values(c), st, nil, bound)
		t.atMost(term{qc.answered, 1}, term{sizes[i], -1})
		scopes[i] = len(parts)
		parts = append(parts, qc)
	}
	if r := p.rem[KeyResponses]; r > 0 {
		size := t.answered(r, bound, stateKnown)
		qc := s.addScope(t, s.values(p.rem), stateUnknown, nil, bound)
		t.atMost(term{qc.answered, 1}, term{size, -1})
		parts = append(parts, qc)
	}
	columns(t, whole, parts)
	t.suppress()
	out := make([]*qdecision, len(p.listed))
	for i, k := range scopes {
		if k >= 0 && !p.hidden[i] {
			dec := t.decision(parts[k])
			out[i] = &dec
		}
	}
	return out
}
