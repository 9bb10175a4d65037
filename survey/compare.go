package survey

// Comparison sets an indicator beside the same indicator of an earlier wave
// (or of a reference): the difference in proportions with its 95%
// interval. It is computed only when both are published, so a comparison
// can never reveal what suppression hid.
type Comparison struct {
	// Previous is the indicator compared with.
	Previous *IndicatorResult `json:"previous"`
	// Diff is current minus previous proportion, and Lo and Hi bound its
	// 95% interval (Newcombe's hybrid score method), all rounded to 3
	// decimals; nil when Suppressed.
	Diff *float64 `json:"diff"`
	Lo   *float64 `json:"lo"`
	Hi   *float64 `json:"hi"`
	// Significant says the interval excludes 0 (a difference unlikely to be
	// chance, at the 5% level).
	Significant bool `json:"significant"`
	// Suppressed says either indicator was suppressed: nothing is computed.
	Suppressed bool `json:"suppressed"`
}

// Compare compares cur with prev. When either is suppressed (or lacks a
// numerator or denominator) the result has Suppressed set and nothing else
// but Previous.
func Compare(cur, prev IndicatorResult) Comparison {
	c := Comparison{Previous: &prev}
	a, okA := cur.Counts()
	b, okB := prev.Counts()
	if !okA || !okB {
		c.Suppressed = true
		return c
	}
	diff, lo, hi := NewcombeDiff(a.Numerator, a.Denominator, b.Numerator, b.Denominator)
	// Significance is judged on the unrounded bounds: rounding must not
	// turn 0.0004 into "excludes 0" or the reverse.
	c.Significant = lo > 0 || hi < 0
	diff, lo, hi = round3(diff), round3(lo), round3(hi)
	c.Diff, c.Lo, c.Hi = &diff, &lo, &hi
	return c
}

// IndicatorCounts is an indicator's numerator and denominator.
type IndicatorCounts struct {
	Numerator   int64 `json:"numerator"`
	Denominator int64 `json:"denominator"`
}

// Counts returns a published indicator's counts; ok is false when it is
// suppressed or lacks them.
func (r IndicatorResult) Counts() (IndicatorCounts, bool) {
	if r.Suppressed || r.Numerator == nil || r.Denominator == nil || *r.Denominator <= 0 {
		return IndicatorCounts{}, false
	}
	return IndicatorCounts{Numerator: *r.Numerator, Denominator: *r.Denominator}, true
}

// Pool adds up several councils' counts of one indicator into a pooled
// figure (the national comparison). The caller decides how many councils
// make a figure (at least three), and should pass only published counts:
// a pool that included a council's suppressed figure would give it away to
// anyone who knows the other councils' figures.
func Pool(parts []IndicatorCounts) (num, den int64) {
	for _, p := range parts {
		num += p.Numerator
		den += p.Denominator
	}
	return num, den
}
