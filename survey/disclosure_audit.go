package survey

import (
	"math"
	"math/big"
	"slices"
)

// The attacker of the disclosure engine: given which cells are hidden, what
// can a reader of the shown figures work out about each hidden one? It
// combines exact linear algebra (every linear consequence of the published
// equations, by Gaussian elimination over the rationals) with interval
// propagation (non-negativity, a-priori bounds, inequalities, integrality)
// over both the original rows and the eliminated ones.

// maxPropagationPasses bounds interval propagation. Bounds tighten by whole
// numbers, so it always ends, but a pathological table could creep by one
// a pass; the cap keeps a page load bounded.
const maxPropagationPasses = 200

// maxPropagatedCoef keeps propagation's int64 arithmetic exact: eliminated
// rows with larger coefficients still count for exact determination (a row
// with a single variable) but are left out of propagation.
const maxPropagatedCoef = 1 << 16

// linear is sum(coef[k] * x[idx[k]]) <= rhs, or == rhs when eq.
type linear struct {
	idx  []int
	coef []int64
	rhs  int64
	eq   bool
}

// bounds returns, for every cell, the interval a reader can pin it to when
// the cells marked in hidden are hidden (a shown cell's interval is its
// value).
func (t *table) bounds(hidden []bool) (lo, hi []int64) {
	n := len(t.cells)
	lo, hi = make([]int64, n), make([]int64, n)
	for i, c := range t.cells {
		if hidden[i] {
			lo[i], hi[i] = 0, min(c.max, unknownBound)
		} else {
			lo[i], hi[i] = c.value, c.value
		}
	}
	var rows, eqs []linear
	for _, r := range t.rows {
		l := linear{eq: r.eq}
		for _, tm := range r.terms {
			if tm.coef == 0 {
				continue
			}
			if hidden[tm.cell] {
				l.idx = append(l.idx, tm.cell)
				l.coef = append(l.coef, tm.coef)
			} else {
				l.rhs -= tm.coef * t.cells[tm.cell].value
			}
		}
		if len(l.idx) == 0 {
			continue
		}
		rows = append(rows, l)
		if l.eq {
			eqs = append(eqs, l)
		}
	}
	rows = append(rows, eliminate(eqs)...)
	for pass := 0; pass < maxPropagationPasses; pass++ {
		changed := false
		for _, l := range rows {
			if tighten(l, lo, hi, 1) {
				changed = true
			}
			if l.eq && tighten(l, lo, hi, -1) {
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return lo, hi
}

// tighten applies sign*sum(coef*x) <= sign*rhs to the bounds of each of its
// variables and reports whether any bound moved.
func tighten(l linear, lo, hi []int64, sign int64) bool {
	var least int64 // the smallest the left side can be
	for k, i := range l.idx {
		least += minTerm(sign*l.coef[k], lo[i], hi[i])
	}
	changed := false
	for k, i := range l.idx {
		a := sign * l.coef[k]
		rest := sign*l.rhs - (least - minTerm(a, lo[i], hi[i]))
		if a > 0 {
			if b := floorDiv(rest, a); b < hi[i] {
				hi[i], changed = b, true
			}
		} else if b := ceilDiv(rest, a); b > lo[i] {
			lo[i], changed = b, true
		}
	}
	return changed
}

func minTerm(a, lo, hi int64) int64 {
	if a > 0 {
		return a * lo
	}
	return a * hi
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) == (b < 0)) {
		q++
	}
	return q
}

// eliminate brings the equations to reduced row echelon form (each pivot
// variable in one row only) and returns the rows usable for propagation.
// It works in int64 with rows kept primitive (divided by the gcd of their
// entries) and redoes the work with big integers if that would overflow.
func eliminate(eqs []linear) []linear {
	if len(eqs) == 0 {
		return nil
	}
	vars, pos := []int{}, map[int]int{}
	for _, l := range eqs {
		for _, i := range l.idx {
			if _, ok := pos[i]; !ok {
				pos[i] = len(vars)
				vars = append(vars, i)
			}
		}
	}
	m := make([][]int64, len(eqs))
	for r, l := range eqs {
		m[r] = make([]int64, len(vars)+1)
		for k, i := range l.idx {
			m[r][pos[i]] += l.coef[k]
		}
		m[r][len(vars)] = l.rhs
	}
	work := make([][]int64, len(m))
	for r := range m {
		work[r] = slices.Clone(m[r])
	}
	if rows, ok := reduceInt(work, len(vars)); ok {
		return toLinear(rows, vars)
	}
	return reduceBig(m, len(vars), vars)
}

// smallEntry bounds int64 matrix entries so that a*x - b*y cannot overflow.
const smallEntry = 1 << 31

func reduceInt(m [][]int64, nvars int) ([][]int64, bool) {
	r := 0
	for col := 0; col < nvars && r < len(m); col++ {
		p := -1
		for i := r; i < len(m); i++ {
			if m[i][col] != 0 && (p < 0 || abs64(m[i][col]) < abs64(m[p][col])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		for i := range m {
			if i == r || m[i][col] == 0 {
				continue
			}
			a, b := m[r][col], m[i][col]
			for k := range m[i] {
				x, y := m[i][k], m[r][k]
				if abs64(x) >= smallEntry || abs64(y) >= smallEntry || abs64(a) >= smallEntry || abs64(b) >= smallEntry {
					return nil, false
				}
				m[i][k] = a*x - b*y
			}
			if !primitive(m[i]) {
				return nil, false
			}
		}
		r++
	}
	return m[:r], true
}

// primitive divides a row by the gcd of its entries and reports whether the
// result is small enough to keep working in int64.
func primitive(row []int64) bool {
	var g int64
	for _, x := range row {
		g = gcd(g, abs64(x))
	}
	if g > 1 {
		for k := range row {
			row[k] /= g
		}
	}
	for _, x := range row {
		if abs64(x) >= smallEntry {
			return false
		}
	}
	return true
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// toLinear turns reduced rows into equations over cells, keeping those
// whose coefficients propagation can use exactly.
func toLinear(rows [][]int64, vars []int) []linear {
	var out []linear
	for _, row := range rows {
		nv := len(row) - 1
		l := linear{eq: true, rhs: row[nv]}
		ok := abs64(row[nv]) < math.MaxInt64/4
		for k := 0; k < nv; k++ {
			if row[k] == 0 {
				continue
			}
			if abs64(row[k]) > maxPropagatedCoef {
				ok = false
			}
			l.idx = append(l.idx, vars[k])
			l.coef = append(l.coef, row[k])
		}
		if ok && len(l.idx) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// reduceBig is reduceInt with arbitrary precision, for the rare table whose
// elimination outgrows int64.
func reduceBig(src [][]int64, nvars int, vars []int) []linear {
	m := make([][]*big.Int, len(src))
	for i, row := range src {
		m[i] = make([]*big.Int, len(row))
		for k, x := range row {
			m[i][k] = big.NewInt(x)
		}
	}
	r := 0
	tmp := new(big.Int)
	for col := 0; col < nvars && r < len(m); col++ {
		p := -1
		for i := r; i < len(m); i++ {
			if m[i][col].Sign() != 0 && (p < 0 || m[i][col].CmpAbs(m[p][col]) < 0) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		for i := range m {
			if i == r || m[i][col].Sign() == 0 {
				continue
			}
			a, b := new(big.Int).Set(m[r][col]), new(big.Int).Set(m[i][col])
			g := new(big.Int)
			for k := range m[i] {
				m[i][k].Mul(m[i][k], a)
				tmp.Mul(m[r][k], b)
				m[i][k].Sub(m[i][k], tmp)
				g.GCD(nil, nil, g, new(big.Int).Abs(m[i][k]))
			}
			if g.Sign() > 0 && g.Cmp(big.NewInt(1)) != 0 {
				for k := range m[i] {
					m[i][k].Quo(m[i][k], g)
				}
			}
		}
		r++
	}
	rows := make([][]int64, 0, r)
	for _, row := range m[:r] {
		out := make([]int64, len(row))
		fits := true
		for k, x := range row {
			if !x.IsInt64() || abs64(x.Int64()) >= math.MaxInt64/4 {
				fits = false
				break
			}
			out[k] = x.Int64()
		}
		if fits {
			rows = append(rows, out)
		}
	}
	return toLinear(rows, vars)
}
