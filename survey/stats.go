package survey

import "math"

// z95 is the standard normal quantile for a two-sided 95% interval.
const z95 = 1.959964

// Wilson returns the 95% Wilson score interval for the proportion num/den.
// Unlike the textbook normal interval it stays inside [0, 1] and behaves at
// 0 and den, which matters with the small numbers councils have. The bounds
// are not rounded. A den of 0 (or a num outside [0, den]) says nothing, so
// it returns the uninformative [0, 1].
func Wilson(num, den int64) (lo, hi float64) {
	if den <= 0 || num < 0 || num > den {
		return 0, 1
	}
	n := float64(den)
	p := float64(num) / n
	z2 := z95 * z95
	denom := 1 + z2/n
	centre := (p + z2/(2*n)) / denom
	half := z95 * math.Sqrt(p*(1-p)/n+z2/(4*n*n)) / denom
	// At num 0 and num den the exact bound is 0 or 1; rounding error in
	// centre-half could otherwise print -0.000 or 1.000 a hair off.
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	if num == 0 {
		lo = 0
	}
	if num == den {
		hi = 1
	}
	return lo, hi
}

// NewcombeDiff returns p1-p2 for p1 = n1/d1 and p2 = n2/d2, with the 95%
// interval of Newcombe's hybrid score method (method 10 of Newcombe 1998),
// built from the two Wilson intervals. The difference is significant at 5%
// when the interval excludes 0. Nothing is rounded. When either
// denominator is 0 there is nothing to compare: it returns 0 and the
// uninformative [-1, 1].
func NewcombeDiff(n1, d1, n2, d2 int64) (diff, lo, hi float64) {
	if d1 <= 0 || d2 <= 0 {
		return 0, -1, 1
	}
	p1, p2 := float64(n1)/float64(d1), float64(n2)/float64(d2)
	l1, u1 := Wilson(n1, d1)
	l2, u2 := Wilson(n2, d2)
	diff = p1 - p2
	lo = diff - math.Sqrt((p1-l1)*(p1-l1)+(u2-p2)*(u2-p2))
	hi = diff + math.Sqrt((u1-p1)*(u1-p1)+(p2-l2)*(p2-l2))
	return diff, math.Max(-1, lo), math.Min(1, hi)
}

// round3 rounds a published proportion, interval bound or share to 3
// decimals: enough for a percentage with one decimal, and no more precision
// than the numbers behind it carry.
func round3(x float64) float64 { return roundTo(x, 1000) }

// round2 rounds a published mean to 2 decimals.
func round2(x float64) float64 { return roundTo(x, 100) }

func roundTo(x, scale float64) float64 {
	r := math.Round(x*scale) / scale
	if r == 0 {
		return 0 // not -0, which JSON would print as "-0"
	}
	return r
}
