package survey

import "math"

// naturalTolerance is how far, relative to the smaller of p and 1-p, a
// natural frequency may be from the proportion it stands for: "about 1 in
// 3" for 0.32 (4% off) but not for 0.41 (19% off).
const naturalTolerance = 0.1

// Denominators tried in order: the familiar ones first, so 0.7 reads
// "7 in 10" rather than "5 in 7".
var (
	familiarDenominators = []int{2, 3, 4, 5, 10}
	otherDenominators    = []int{6, 7, 8, 9}
)

// NaturalFrequency returns p as "about n in d", the form people read most
// easily (Gigerenzer): the first familiar denominator (2, 3, 4, 5, 10), then
// any other up to 10, whose nearest fraction is within 10% (of the smaller
// of p and 1-p) of p, with 1 <= n < d and n/d in lowest terms. For p below
// 0.1 or above 0.9 that no such fraction fits, it gives "1 in d" or "d-1 in
// d" with d up to whatever p needs (0.05 is 1 in 20). Otherwise it gives the
// nearest fraction with d up to 10. p <= 0 (or NaN) gives 0 in 1 and p >= 1
// gives 1 in 1, for the caller to say "none" or "all". The sentence itself
// is the web layer's, through go-i18n.
func NaturalFrequency(p float64) (n, d int) {
	switch {
	case math.IsNaN(p) || p <= 0:
		return 0, 1
	case p >= 1:
		return 1, 1
	}
	tolerance := naturalTolerance * math.Min(p, 1-p)
	for _, ds := range [][]int{familiarDenominators, otherDenominators} {
		for _, den := range ds {
			if num, ok := nearest(p, den); ok && math.Abs(float64(num)/float64(den)-p) <= tolerance {
				return lowest(num, den)
			}
		}
	}
	switch {
	case p < 0.1:
		return 1, int(math.Round(1 / p))
	case p > 0.9:
		den := int(math.Round(1 / (1 - p)))
		return den - 1, den
	}
	bestN, bestD, bestErr := 0, 0, math.Inf(1)
	for den := 2; den <= 10; den++ {
		if num, ok := nearest(p, den); ok {
			if e := math.Abs(float64(num)/float64(den) - p); e < bestErr {
				bestN, bestD, bestErr = num, den, e
			}
		}
	}
	return lowest(bestN, bestD)
}

// nearest returns the numerator nearest to p*den, if it is neither 0 nor
// den ("0 in 3" and "3 in 3" say something else than p).
func nearest(p float64, den int) (int, bool) {
	n := int(math.Round(p * float64(den)))
	return n, n >= 1 && n < den
}

func lowest(n, d int) (int, int) {
	g := int(gcd(int64(n), int64(d)))
	return n / g, d / g
}
