package survey

import (
	"cmp"
	"slices"
)

// Disclosure control: every figure the platform shows or exports passes
// through the engine in this file, so these rules hold everywhere.
//
//  1. Minimum cell size m: the council's setting, DefaultMinCell when
//     unset, never below MinCellFloor (ClampMinCell).
//  2. Primary suppression: a count of people c with 0 < c < m is hidden; a
//     zero is shown. An indicator is hidden when its numerator or its
//     complement (answered minus numerator) is such a count, or when nobody
//     answered. A scale's mean is hidden when fewer than m answered, or
//     when the sum of answers lies 1 to m-1 points from the lowest or
//     highest sum possible (for the scale, or within its indicators'
//     ranges): a mean of 9.95 from 20 answers says exactly one person
//     answered 9.
//  3. Secondary suppression: nothing hidden may be worked out from what is
//     shown. Every sum a reader knows is a line: options add up to
//     answered, an indicator's numerator is the sum of the options it
//     counts and its complement the sum of the others, groups and the
//     remainder add up to the whole wave. A line never keeps exactly one
//     hidden cell: another is hidden with it, the one whose hiding (with
//     what that leads to) costs least: fewest indicator figures first (so
//     option counts go before the headline numbers), then the smallest
//     total count, then the fewest cells. A zero qualifies.
//  4. Audit: then an attacker is run on the table: exact linear algebra
//     over everything shown, and interval propagation using non-negativity,
//     the number of responses as a bound, the inequalities of multi-choice
//     questions (each count at most answered, together at least answered)
//     and the link between scale answers and their sum. A hidden count must
//     be neither worked out nor pinned inside [1, m-1], a hidden mean not
//     worked out; if one is, more cells are hidden, nearest and cheapest
//     first, until it is not.
//  5. Breakdowns build on the whole wave's figures, which they never
//     change: they only hide more inside their groups. Each breakdown must
//     also leave every cell the whole wave hid with room on both sides of
//     its true value, so that no combination of breakdowns, each computed
//     on its own, can pin it between them.
//  6. What the API always shows (responses, answered) is never hidden. A
//     count those alone give away (an indicator that counts every option;
//     a group's answered count when everyone in the wave gave the same
//     answer) cannot be protected by hiding cells and is left as it is.
//
// The engine hides as little as it reasonably can, not the provable
// minimum, which is NP-hard to find.

// DefaultMinCell is the minimum cell size for a council that has not set
// one.
const DefaultMinCell = 5

// MinCellFloor is the smallest minimum cell size the platform accepts.
const MinCellFloor = 3

// ClampMinCell returns the minimum cell size to apply for a council's
// setting m: m itself when it is at least MinCellFloor, MinCellFloor for 1
// and 2, and DefaultMinCell for 0 or less, which means "not set" (a caller
// that forgot to load the setting gets the default, not the weakest rule).
func ClampMinCell(m int) int {
	switch {
	case m <= 0:
		return DefaultMinCell
	case m < MinCellFloor:
		return MinCellFloor
	}
	return m
}

// SuppressOneWay decides which of one question's option counts (or one
// session's vote counts) to hide, under the package's disclosure rules, and
// reports true for each hidden count.
//
// total is the number of people the counts are about (a question's
// answered, a session's votes); totalPublished says whether the reader sees
// it. additive says whether the counts add up to total (a choice question,
// or a vote of exactly one choice each); otherwise each person gave one or
// more of the values (a multi question), so each count is at most total and
// the counts add up to at least total, which a reader can still use and
// the audit takes into account. minCell is clamped by ClampMinCell.
func SuppressOneWay(counts []int64, total int64, totalPublished bool, additive bool, minCell int) []bool {
	t := newTable(ClampMinCell(minCell))
	bound := total
	for _, c := range counts {
		bound = max(bound, c)
	}
	if !totalPublished {
		bound = unknownBound // the reader knows nothing of the size
	}
	state := stateKnown
	if !totalPublished {
		state = stateUnknown
	}
	tc := t.answered(total, bound, state)
	cells := make([]int, len(counts))
	for i, c := range counts {
		cells[i] = t.count(c, bound, stateFree)
	}
	if additive {
		t.equal(tc, cells...)
	} else {
		atLeastOne(t, tc, cells)
	}
	t.suppress()
	hidden := make([]bool, len(counts))
	for i, c := range cells {
		hidden[i] = t.cells[c].hidden
	}
	return hidden
}

// SuppressVotes decides which vote counts of a forum session's tally to
// hide: all of them while fewer than minCell people have voted (API.md,
// Forum sessions), SuppressOneWay's rules after that. maxChoices is the
// session's limit (0 for none); with a limit of one the counts add up to
// votes.
func SuppressVotes(counts []int64, votes int64, maxChoices int, minCell int) []bool {
	if votes < int64(ClampMinCell(minCell)) {
		hidden := make([]bool, len(counts))
		for i := range hidden {
			hidden[i] = true
		}
		return hidden
	}
	return SuppressOneWay(counts, votes, true, maxChoices == 1, minCell)
}

// atLeastOne adds what a reader knows of a multi-choice question: nobody is
// counted for an option more than once, and everyone who answered chose at
// least one option.
func atLeastOne(t *table, answered int, options []int) {
	for _, o := range options {
		t.atMost(term{o, 1}, term{answered, -1})
	}
	terms := []term{{answered, 1}}
	for _, o := range options {
		terms = append(terms, term{o, -1})
	}
	t.atMost(terms...)
}

// unknownBound stands in for "no bound": a cell's a-priori maximum when the
// reader knows none. It keeps the attacker's arithmetic far from overflow.
const unknownBound = 1 << 30

// cellKind says what a cell counts, which decides when it is sensitive.
type cellKind uint8

const (
	// kindCount is a number of people: sensitive when 0 < value < m.
	kindCount cellKind = iota
	// kindAnswered is a number of responses or of people who answered: the
	// API always shows these, so they are never sensitive.
	kindAnswered
	// kindSum is a sum of scale answers (the mean times answered): its
	// builder says whether it is sensitive, and it is exposed only when
	// worked out exactly.
	kindSum
)

// cellState says what the table may do with a cell.
type cellState uint8

const (
	// stateFree cells are shown unless suppression hides them.
	stateFree cellState = iota
	// stateKnown cells are shown whatever happens (or were decided, shown,
	// by an earlier table).
	stateKnown
	// stateUnknown cells are never shown (or were decided, hidden, by an
	// earlier table).
	stateUnknown
)

// cell is one figure of a table.
type cell struct {
	value int64
	// max is an upper bound every reader knows (the number of responses).
	max   int64
	kind  cellKind
	state cellState
	// sensitive cells are the ones suppression exists to protect.
	sensitive bool
	// guard marks hidden cells the line rule must keep company: those we
	// hid, those hidden by an earlier table, and sensitive unknown ones.
	guard bool
	// keep marks cells an earlier table hid: whatever their value, this
	// table must leave a reader room on both sides of it (see exposureOf),
	// or another table built on the same earlier one could combine with
	// this one to pin it.
	keep   bool
	hidden bool
	// tie is a cell hidden together with this one, or -1 (an indicator's
	// numerator and its complement: answered minus one gives the other).
	tie int
	// rank and cost order the cells secondary suppression picks: lower
	// rank first, then lower cost (the value, or for a scale sum the
	// number of answers behind it), then the earlier cell.
	rank int
	cost int64
}

// term is coef times a cell.
type term struct {
	cell int
	coef int64
}

// row is a linear fact about a table's cells that a reader knows: the sum
// of its terms is 0 (eq) or at most 0.
type row struct {
	terms []term
	eq    bool
	// line rows take part in the line rule.
	line bool
}

// table is a set of cells and the rows that tie them, suppressed together.
type table struct {
	m     int
	cells []cell
	rows  []row
	// useless marks free cells whose value a reader works out even when
	// everything else is hidden: hiding them protects nothing.
	useless []bool
}

func newTable(m int) *table { return &table{m: m} }

func (t *table) add(c cell) int {
	c.tie = -1
	t.cells = append(t.cells, c)
	return len(t.cells) - 1
}

// count adds a number of people.
func (t *table) count(v, bound int64, st cellState) int {
	return t.add(cell{value: v, max: bound, kind: kindCount, state: st,
		sensitive: 0 < v && v < int64(t.m), cost: v})
}

// answered adds a number of responses or answers.
func (t *table) answered(v, bound int64, st cellState) int {
	return t.add(cell{value: v, max: bound, kind: kindAnswered, state: st, cost: v})
}

// sum adds a sum of scale answers; cost orders it among other sums.
func (t *table) sum(v, bound int64, st cellState, sensitive bool, cost int64) int {
	return t.add(cell{value: v, max: bound, kind: kindSum, state: st, sensitive: sensitive, cost: cost})
}

// tieCells makes a and b hidden together.
func (t *table) tieCells(a, b int) {
	t.cells[a].tie, t.cells[b].tie = b, a
}

// equal adds the line total = sum of parts.
func (t *table) equal(total int, parts ...int) {
	terms := make([]term, 0, len(parts)+1)
	terms = append(terms, term{total, 1})
	for _, p := range parts {
		terms = append(terms, term{p, -1})
	}
	t.rows = append(t.rows, row{terms: terms, eq: true, line: true})
}

// atMost adds the inequality sum of terms <= 0.
func (t *table) atMost(terms ...term) {
	t.rows = append(t.rows, row{terms: terms})
}

// hide hides a cell and its tie.
func (t *table) hide(i int) {
	for _, j := range []int{i, t.cells[i].tie} {
		if j >= 0 {
			t.cells[j].hidden = true
			t.cells[j].guard = true
		}
	}
}

// suppress decides which free cells to hide: primary suppression, then the
// line rule, then the attacker's audit until it finds nothing it can fix.
func (t *table) suppress() {
	for i := range t.cells {
		c := &t.cells[i]
		switch c.state {
		case stateUnknown:
			c.hidden = true
			c.guard = c.guard || c.sensitive
		case stateFree:
			if c.sensitive {
				t.hide(i)
			}
		}
	}
	// What a reader learns with every free cell hidden, they learn
	// whatever we do: such cells protect nothing, and a sensitive cell
	// exposed even then can be protected no better than that.
	all := make([]bool, len(t.cells))
	for i, c := range t.cells {
		all[i] = c.hidden || c.state == stateFree
	}
	lo, hi := t.bounds(all)
	t.useless = make([]bool, len(t.cells))
	floor := make([]exposure, len(t.cells))
	for i, c := range t.cells {
		t.useless[i] = c.state == stateFree && lo[i] == hi[i]
		if c.hidden {
			floor[i] = t.exposureOf(i, lo, hi)
		}
	}
	t.lineRule()
	t.repair(floor)
}

// lineRule hides, in every line with exactly one guarded hidden cell,
// another cell to keep it company, until no line needs one. Of the line's
// candidates it takes the one whose hiding, followed through the other
// lines, costs least (see partner).
func (t *table) lineRule() { t.runLineRule(t.partner) }

// greedyLineRule is lineRule taking the cheapest candidate of each line
// without looking ahead: partner's estimate of what a choice leads to.
func (t *table) greedyLineRule() { t.runLineRule(t.cheapest) }

func (t *table) runLineRule(choose func([]term) int) {
	for changed := true; changed; {
		changed = false
		for _, r := range t.rows {
			if !r.line {
				continue
			}
			lone, n := -1, 0
			for _, tm := range r.terms {
				if t.cells[tm.cell].hidden {
					lone, n = tm.cell, n+1
				}
			}
			if n != 1 || !t.cells[lone].guard {
				continue
			}
			if c := choose(r.terms); c >= 0 {
				t.hide(c)
				changed = true
			}
		}
	}
}

// partner returns the candidate of terms whose hiding, with what the line
// rule then hides, loses least: fewest indicator figures (the headline
// numbers), then the smallest total of counts, then the fewest cells, then
// as cheapest orders them. It returns -1 when there is no candidate.
func (t *table) partner(terms []term) int {
	var cands []int
	for _, tm := range terms {
		if t.candidate(tm.cell) {
			cands = append(cands, tm.cell)
		}
	}
	if len(cands) < 2 {
		return t.cheapest(terms)
	}
	slices.SortFunc(cands, func(a, b int) int {
		if t.before(a, b) {
			return -1
		}
		return 1
	})
	saved := t.hiddenMask()
	best, bestLoss := -1, loss{}
	for _, c := range cands {
		t.hide(c)
		t.greedyLineRule()
		l := t.lossSince(saved)
		t.restore(saved)
		if best < 0 || l.less(bestLoss) {
			best, bestLoss = c, l
		}
	}
	return best
}

// loss measures what hiding some cells costs a reader.
type loss struct{ indicators, total, cells int64 }

func (a loss) less(b loss) bool {
	if a.indicators != b.indicators {
		return a.indicators < b.indicators
	}
	if a.total != b.total {
		return a.total < b.total
	}
	return a.cells < b.cells
}

// lossSince is the loss of the free cells hidden since the hiddenMask
// saved.
func (t *table) lossSince(saved []bool) loss {
	var l loss
	for i, c := range t.cells {
		if c.state != stateFree || !c.hidden || saved[i] {
			continue
		}
		if c.rank > 0 {
			l.indicators++
		}
		l.total += c.cost
		l.cells++
	}
	return l
}

// cheapest returns the free, shown, useful cell of terms that secondary
// suppression should hide first, or -1.
func (t *table) cheapest(terms []term) int {
	best := -1
	for _, tm := range terms {
		if t.candidate(tm.cell) && (best < 0 || t.before(tm.cell, best)) {
			best = tm.cell
		}
	}
	return best
}

func (t *table) candidate(i int) bool {
	c := t.cells[i]
	return c.state == stateFree && !c.hidden && !t.useless[i]
}

// before orders candidates: rank, then cost, then index.
func (t *table) before(a, b int) bool {
	ca, cb := t.cells[a], t.cells[b]
	if ca.rank != cb.rank {
		return ca.rank < cb.rank
	}
	if ca.cost != cb.cost {
		return ca.cost < cb.cost
	}
	return a < b
}

// repair runs the attacker and, while it finds out more about a cell
// than floor says it must (what it finds with every free cell hidden),
// hides more: the first candidate (nearest, then cheapest) that alone
// brings the cell back to its floor, or else the cheapest one, and again.
// Each round hides at least one more cell, so it ends.
func (t *table) repair(floor []exposure) {
	for {
		lo, hi := t.bounds(t.hiddenMask())
		x := -1
		for i := range t.cells {
			if t.exposureOf(i, lo, hi)&^floor[i] != 0 {
				x = i
				break
			}
		}
		if x < 0 {
			return
		}
		cands := t.candidates(x)
		if len(cands) == 0 {
			floor[x] |= t.exposureOf(x, lo, hi)
			continue
		}
		saved := t.hiddenMask()
		fixed := false
		for _, c := range cands {
			t.hide(c)
			t.lineRule()
			if lo, hi := t.bounds(t.hiddenMask()); t.exposureOf(x, lo, hi)&^floor[x] == 0 {
				fixed = true
				break
			}
			t.restore(saved)
		}
		if !fixed {
			t.hide(cands[0])
			t.lineRule()
		}
	}
}

// candidates lists the cells that could help protect x: the free, shown,
// useful cells of the rows around x, reached through hidden cells, nearest
// rows first, then in the order of before.
func (t *table) candidates(x int) []int {
	rowsOf := make([][]int, len(t.cells))
	for ri, r := range t.rows {
		for _, tm := range r.terms {
			rowsOf[tm.cell] = append(rowsOf[tm.cell], ri)
		}
	}
	dist := map[int]int{}
	seenRow := make([]bool, len(t.rows))
	seenCell := make([]bool, len(t.cells))
	seenCell[x] = true
	frontier := []int{x}
	for d := 0; len(frontier) > 0; d++ {
		var next []int
		for _, c := range frontier {
			for _, ri := range rowsOf[c] {
				if seenRow[ri] {
					continue
				}
				seenRow[ri] = true
				for _, tm := range t.rows[ri].terms {
					j := tm.cell
					if seenCell[j] {
						continue
					}
					seenCell[j] = true
					switch {
					case t.candidate(j):
						dist[j] = d
					case t.cells[j].hidden:
						next = append(next, j)
					}
				}
			}
		}
		frontier = next
	}
	out := make([]int, 0, len(dist))
	for j := range dist {
		out = append(out, j)
	}
	slices.SortFunc(out, func(a, b int) int {
		if dist[a] != dist[b] {
			return cmp.Compare(dist[a], dist[b])
		}
		if t.before(a, b) {
			return -1
		}
		return 1
	})
	return out
}

func (t *table) hiddenMask() []bool {
	mask := make([]bool, len(t.cells))
	for i, c := range t.cells {
		mask[i] = c.hidden
	}
	return mask
}

// restore puts back the hidden set of an earlier hiddenMask; guard follows,
// since only hidden cells are guarded by hiding.
func (t *table) restore(mask []bool) {
	for i := range t.cells {
		c := &t.cells[i]
		if c.state == stateFree {
			c.hidden = mask[i]
			c.guard = mask[i]
		}
	}
}

// exposure is what a reader has found out about a hidden cell: a set of
// the bits below.
type exposure uint8

const (
	// exact: a sensitive cell, or one an earlier table hid, worked out.
	exact exposure = 1 << iota
	// narrowed: a sensitive count pinned inside [1, m-1]: the reader knows
	// it is a small non-zero number.
	narrowed
	// noRoomBelow and noRoomAbove: a cell an earlier table hid, whose
	// interval does not reach below (it is not 0 and the lower bound is
	// its value) or above its value.
	noRoomBelow
	noRoomAbove
)

// exposureOf says what a reader who can pin each cell to [lo, hi] has
// found out about cell i.
//
// Sensitive counts must be neither exact nor narrowed, sensitive scale
// sums not exact. A cell an earlier table hid (keep) must keep room on
// both sides of its value, because several tables are built on the same
// earlier one, each on its own (a breakdown by age, another by language):
// each alone may leave the cell undetermined, yet one bound it from below
// and the other from above, at the same value. With room on both sides in
// every table, any combination of them still leaves [v-1, v+1].
func (t *table) exposureOf(i int, lo, hi []int64) exposure {
	c := t.cells[i]
	if !c.hidden {
		return 0
	}
	var e exposure
	if (c.sensitive || c.keep) && lo[i] == hi[i] {
		e |= exact
	}
	if c.sensitive && c.kind != kindSum && lo[i] >= 1 && hi[i] <= int64(t.m)-1 {
		e |= narrowed
	}
	if c.keep && c.value > 0 && lo[i] >= c.value {
		e |= noRoomBelow
	}
	if c.keep && hi[i] <= c.value {
		e |= noRoomAbove
	}
	return e
}
