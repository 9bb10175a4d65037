package survey_test

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// attacker is a test-only adversary, written apart from the package's own
// audit: it knows every published figure and every linear fact the survey's
// structure gives, and works out what it can about the rest by exact
// rational Gaussian elimination and interval propagation.
type attacker struct {
	names []string
	truth []int64
	known []bool
	max   []int64
	// sensitive marks the unknowns it must not pin.
	sensitive []bool
	// exact marks sensitive unknowns that are only exposed when pinned
	// exactly (sums); the others are also exposed when pinned inside
	// [1, m-1].
	exact []bool
	index map[string]int
	eqs   [][]coefVar // sum = 0
	les   [][]coefVar // sum <= 0
}

type coefVar struct {
	v    int
	coef int64
}

func newAttacker() *attacker { return &attacker{index: map[string]int{}} }

// variable adds a named quantity with its true value; known says whether
// the attacker sees it.
func (a *attacker) variable(name string, truth int64, known bool, max int64) int {
	if _, dup := a.index[name]; dup {
		panic("duplicate variable " + name)
	}
	a.index[name] = len(a.names)
	a.names = append(a.names, name)
	a.truth = append(a.truth, truth)
	a.known = append(a.known, known)
	a.max = append(a.max, max)
	a.sensitive = append(a.sensitive, false)
	a.exact = append(a.exact, false)
	return len(a.names) - 1
}

func (a *attacker) eq(terms ...coefVar) { a.eqs = append(a.eqs, terms) }
func (a *attacker) le(terms ...coefVar) { a.les = append(a.les, terms) }

// sumEq adds whole = sum of parts.
func (a *attacker) sumEq(whole int, parts ...int) {
	terms := []coefVar{{whole, 1}}
	for _, p := range parts {
		terms = append(terms, coefVar{p, -1})
	}
	a.eq(terms...)
}

// check verifies that the truth satisfies every fact (a broken model would
// make the attack meaningless).
func (a *attacker) check() error {
	for _, r := range a.eqs {
		if s := a.eval(r); s != 0 {
			return fmt.Errorf("equation %s is %d, not 0", a.show(r), s)
		}
	}
	for _, r := range a.les {
		if s := a.eval(r); s > 0 {
			return fmt.Errorf("inequality %s is %d, above 0", a.show(r), s)
		}
	}
	return nil
}

func (a *attacker) eval(r []coefVar) int64 {
	var s int64
	for _, t := range r {
		s += t.coef * a.truth[t.v]
	}
	return s
}

func (a *attacker) show(r []coefVar) string {
	var parts []string
	for _, t := range r {
		parts = append(parts, fmt.Sprintf("%+d*%s", t.coef, a.names[t.v]))
	}
	return strings.Join(parts, " ")
}

// solve returns the interval the attacker pins each quantity to.
func (a *attacker) solve() (lo, hi []int64) {
	n := len(a.names)
	lo, hi = make([]int64, n), make([]int64, n)
	for i := range n {
		if a.known[i] {
			lo[i], hi[i] = a.truth[i], a.truth[i]
		} else {
			lo[i], hi[i] = 0, a.max[i]
		}
	}
	reduce := func(r []coefVar) lin {
		l := lin{rhs: new(big.Rat)}
		for _, t := range r {
			if t.coef == 0 {
				continue
			}
			if a.known[t.v] {
				l.rhs.Sub(l.rhs, new(big.Rat).SetInt64(t.coef*a.truth[t.v]))
				continue
			}
			l.vars = append(l.vars, t.v)
			l.coefs = append(l.coefs, new(big.Rat).SetInt64(t.coef))
		}
		return l
	}
	var eqs, les []lin
	for _, r := range a.eqs {
		if l := reduce(r); len(l.vars) > 0 {
			eqs = append(eqs, l)
		}
	}
	for _, r := range a.les {
		if l := reduce(r); len(l.vars) > 0 {
			les = append(les, l)
		}
	}

	// Gauss-Jordan elimination over the rationals, component by component
	// (unknowns joined by an equation), densely within each.
	parent := map[int]int{}
	var find func(int) int
	find = func(v int) int {
		if p, ok := parent[v]; ok && p != v {
			parent[v] = find(p)
			return parent[v]
		}
		parent[v] = v
		return v
	}
	for _, l := range eqs {
		for _, v := range l.vars[1:] {
			parent[find(v)] = find(l.vars[0])
		}
	}
	byComponent := map[int][]lin{}
	var roots []int
	for _, l := range eqs {
		r := find(l.vars[0])
		if _, ok := byComponent[r]; !ok {
			roots = append(roots, r)
		}
		byComponent[r] = append(byComponent[r], l)
	}
	var reduced []lin
	for _, r := range roots {
		reduced = append(reduced, gaussJordan(byComponent[r])...)
	}
	// Interval propagation over whole-number rows: the original facts and
	// the eliminated rows scaled by the lcm of their denominators.
	type intRow struct {
		vars  []int
		coefs []int64
		rhs   int64
		eq    bool
	}
	toInt := func(l lin, eq bool) (intRow, bool) {
		lcm := big.NewInt(1)
		for _, c := range append(slices.Clone(l.coefs), l.rhs) {
			g := new(big.Int).GCD(nil, nil, lcm, c.Denom())
			lcm.Mul(lcm, new(big.Int).Quo(c.Denom(), g))
		}
		r := intRow{eq: eq}
		scaled := func(c *big.Rat) (int64, bool) {
			z := new(big.Int).Mul(c.Num(), new(big.Int).Quo(lcm, c.Denom()))
			return z.Int64(), z.IsInt64() && z.CmpAbs(big.NewInt(1<<20)) < 0
		}
		for k, v := range l.vars {
			c, ok := scaled(l.coefs[k])
			if !ok {
				return r, false
			}
			r.vars, r.coefs = append(r.vars, v), append(r.coefs, c)
		}
		rhs, ok := scaled(l.rhs)
		r.rhs = rhs
		return r, ok
	}
	var rows []intRow
	for _, l := range eqs {
		if r, ok := toInt(l, true); ok {
			rows = append(rows, r)
		}
	}
	for _, l := range les {
		if r, ok := toInt(l, false); ok {
			rows = append(rows, r)
		}
	}
	for _, l := range reduced {
		if r, ok := toInt(l, true); ok {
			rows = append(rows, r)
		}
	}
	floorDiv := func(a, b int64) int64 {
		q := a / b
		if a%b != 0 && (a < 0) != (b < 0) {
			q--
		}
		return q
	}
	tighten := func(r intRow, sign int64) bool {
		var least int64
		for k, v := range r.vars {
			c := sign * r.coefs[k]
			if c > 0 {
				least += c * lo[v]
			} else {
				least += c * hi[v]
			}
		}
		changed := false
		for k, v := range r.vars {
			c := sign * r.coefs[k]
			own := c * lo[v]
			if c < 0 {
				own = c * hi[v]
			}
			rest := sign*r.rhs - (least - own)
			if c > 0 {
				if b := floorDiv(rest, c); b < hi[v] {
					hi[v], changed = b, true
				}
			} else if b := -floorDiv(rest, -c); b > lo[v] { // ceil(rest / c)
				lo[v], changed = b, true
			}
		}
		return changed
	}
	for range 300 {
		changed := false
		for _, r := range rows {
			if tighten(r, 1) {
				changed = true
			}
			if r.eq && tighten(r, -1) {
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return lo, hi
}

// lin is sum(coefs[k] * x[vars[k]]) = rhs (or <= rhs), over the rationals.
type lin struct {
	vars  []int
	coefs []*big.Rat
	rhs   *big.Rat
}

// gaussJordan reduces equations to reduced row echelon form, densely over
// the unknowns they mention, and returns the non-zero rows.
func gaussJordan(eqs []lin) []lin {
	col := map[int]int{}
	var vars []int
	for _, l := range eqs {
		for _, v := range l.vars {
			if _, ok := col[v]; !ok {
				col[v] = len(vars)
				vars = append(vars, v)
			}
		}
	}
	m := make([][]*big.Rat, len(eqs))
	for i, l := range eqs {
		m[i] = make([]*big.Rat, len(vars)+1)
		for k := range m[i] {
			m[i][k] = new(big.Rat)
		}
		for k, v := range l.vars {
			m[i][col[v]].Add(m[i][col[v]], l.coefs[k])
		}
		m[i][len(vars)].Set(l.rhs)
	}
	rank := 0
	tmp := new(big.Rat)
	for c := 0; c < len(vars) && rank < len(m); c++ {
		p := -1
		for i := rank; i < len(m); i++ {
			if m[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[rank], m[p] = m[p], m[rank]
		inv := new(big.Rat).Inv(m[rank][c])
		for k := range m[rank] {
			if m[rank][k].Sign() != 0 {
				m[rank][k].Mul(m[rank][k], inv)
			}
		}
		for i := range m {
			if i == rank || m[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(m[i][c])
			for k := range m[i] {
				if m[rank][k].Sign() != 0 {
					m[i][k].Sub(m[i][k], tmp.Mul(f, m[rank][k]))
				}
			}
		}
		rank++
	}
	var out []lin
	for _, row := range m[:rank] {
		l := lin{rhs: row[len(vars)]}
		for k, v := range vars {
			if row[k].Sign() != 0 {
				l.vars = append(l.vars, v)
				l.coefs = append(l.coefs, row[k])
			}
		}
		out = append(out, l)
	}
	return out
}

// exposure is an unknown the attacker pinned.
type exposure struct {
	name          string
	truth, lo, hi int64
}

// exposures lists the sensitive unknowns pinned exactly, and those pinned
// inside [1, m-1].
func (a *attacker) exposures(m int64) (exact, small []exposure) {
	lo, hi := a.solve()
	for i := range a.names {
		if a.known[i] || !a.sensitive[i] {
			continue
		}
		e := exposure{a.names[i], a.truth[i], lo[i], hi[i]}
		if lo[i] > a.truth[i] || hi[i] < a.truth[i] {
			panic(fmt.Sprintf("attacker is unsound: %s = %d outside [%d, %d]", e.name, e.truth, e.lo, e.hi))
		}
		if lo[i] == hi[i] {
			exact = append(exact, e)
		} else if !a.exact[i] && lo[i] >= 1 && hi[i] <= m-1 {
			small = append(small, e)
		}
	}
	slices.SortFunc(exact, func(x, y exposure) int { return strings.Compare(x.name, y.name) })
	return exact, small
}
