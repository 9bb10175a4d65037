package survey_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"yousaid/survey"
)

// The property tests publish everything a wave has (the whole wave's
// results and the breakdown by every dimension), hand all of it to the
// attacker with every fact the survey's structure gives away, and require
// that no suppressed small count (and no suppressed sum of fewer than
// min_cell scale answers) can be worked out exactly.

type testResponse struct {
	lang    string
	answers survey.Answers
}

// randomWave makes a small random survey (a banded question, a choice,
// a multi and a scale question with indicators, a text question) and
// responses skewed so that small cells are common.
func randomWave(rng *rand.Rand) (*survey.Definition, []testResponse) {
	langs := []string{"en", "ar", "ps"}[:2+rng.IntN(2)]
	txt := func(s string) survey.Text {
		t := survey.Text{}
		for _, l := range langs {
			t[l] = s
		}
		return t
	}
	options := func(prefix string, n int) []survey.Option {
		var out []survey.Option
		for i := range n {
			v := fmt.Sprintf("%s%d", prefix, i)
			out = append(out, survey.Option{Value: v, Label: txt(v)})
		}
		return out
	}
	subset := func(opts []survey.Option, min, max int) []string {
		n := min + rng.IntN(max-min+1)
		perm := rng.Perm(len(opts))[:n]
		slices.Sort(perm)
		var out []string
		for _, i := range perm {
			out = append(out, opts[i].Value)
		}
		return out
	}
	lo, hi := 0, 3
	band := survey.Question{ID: "band", Type: survey.TypeChoice, Text: txt("band"), Banded: true, Options: options("b", 2+rng.IntN(2))}
	q1 := survey.Question{ID: "q1", Type: survey.TypeChoice, Text: txt("q1"), Options: options("c", 2+rng.IntN(3))}
	q2 := survey.Question{ID: "q2", Type: survey.TypeMulti, Text: txt("q2"), Options: options("m", 2+rng.IntN(2)), MaxChoices: rng.IntN(3)}
	q3 := survey.Question{ID: "q3", Type: survey.TypeScale, Text: txt("q3"), Min: &lo, Max: &hi}
	q4 := survey.Question{ID: "q4", Type: survey.TypeText, Text: txt("q4")}
	a := rng.IntN(4)
	b := a + rng.IntN(4-a)
	inds := []survey.Indicator{
		{ID: "i1", Label: txt("i1"), Question: "q1", Counts: subset(q1.Options, 1, len(q1.Options)-1), Better: "lower"},
		{ID: "i2", Label: txt("i2"), Question: "q2", Counts: subset(q2.Options, 1, 2), Better: "lower"},
		{ID: "i3", Label: txt("i3"), Question: "q3", Range: []int{a, b}, Better: "lower"},
	}
	if rng.IntN(2) == 0 {
		inds = append(inds, survey.Indicator{ID: "i4", Label: txt("i4"), Question: "q1", Counts: subset(q1.Options, 1, len(q1.Options)), Better: "higher"})
	}
	if rng.IntN(3) == 0 {
		inds = append(inds, survey.Indicator{ID: "i6", Label: txt("i6"), Question: "band", Counts: subset(band.Options, 1, len(band.Options)-1), Better: "lower"})
	}
	if rng.IntN(2) == 0 {
		c := rng.IntN(4)
		inds = append(inds, survey.Indicator{ID: "i5", Label: txt("i5"), Question: "q3", Range: []int{c, 3}, Better: "higher"})
	}
	d := &survey.Definition{
		ID: "random", Version: 1, Languages: langs, Title: txt("random"),
		Sections:   []survey.Section{{ID: "s", Title: txt("s"), Questions: []survey.Question{band, q1, q2, q3, q4}}},
		Priorities: "q2", Indicators: inds,
	}
	if err := d.Validate(); err != nil {
		panic(err)
	}

	weights := func(n int) []float64 {
		w := make([]float64, n)
		for i := range w {
			// Skewed, so small cells are common, but never zero, so
			// sampling without replacement always finds another.
			x := rng.Float64()
			w[i] = x*x*x + 0.001
		}
		return w
	}
	pick := func(w []float64) int {
		var total float64
		for _, x := range w {
			total += x
		}
		r := rng.Float64() * total
		last := -1
		for i, x := range w {
			if x == 0 {
				continue
			}
			if r < x {
				return i
			}
			r -= x
			last = i
		}
		return last // rounding left r just above the total
	}
	wLang, wBand, w1, w3 := weights(len(langs)), weights(len(band.Options)), weights(len(q1.Options)), weights(hi-lo+1)
	w2 := weights(len(q2.Options))
	pAnswer := 0.6 + 0.4*rng.Float64()
	n := rng.IntN(31)
	var rs []testResponse
	for range n {
		ans := survey.Answers{}
		if rng.Float64() < pAnswer {
			ans["band"] = band.Options[pick(wBand)].Value
		}
		if rng.Float64() < pAnswer {
			ans["q1"] = q1.Options[pick(w1)].Value
		}
		if rng.Float64() < pAnswer {
			max := len(q2.Options)
			if q2.MaxChoices > 0 {
				max = q2.MaxChoices
			}
			k := 1 + rng.IntN(max)
			w := slices.Clone(w2)
			var chosen []string
			for len(chosen) < k {
				i := pick(w)
				chosen = append(chosen, q2.Options[i].Value)
				w[i] = 0 // without replacement
			}
			ans["q2"] = chosen
		}
		if rng.Float64() < pAnswer {
			ans["q3"] = lo + pick(w3)
		}
		if rng.Float64() < 0.3 {
			ans["q4"] = "text"
		}
		rs = append(rs, testResponse{lang: langs[pick(wLang)], answers: ans})
	}
	return d, rs
}

// tallies counts responses as the server does.
func tallies(d *survey.Definition, rs []testResponse) (survey.Counts, map[string]map[string]survey.Counts) {
	all := survey.Counts{}
	groups := map[string]map[string]survey.Counts{}
	for _, r := range rs {
		keys := survey.Contributions(d, r.answers)
		for _, k := range keys {
			all[k]++
		}
		for _, g := range survey.Groups(d, r.lang, r.answers) {
			if groups[g.Dim] == nil {
				groups[g.Dim] = map[string]survey.Counts{}
			}
			if groups[g.Dim][g.Value] == nil {
				groups[g.Dim][g.Value] = survey.Counts{}
			}
			for _, k := range keys {
				groups[g.Dim][g.Value][k]++
			}
		}
	}
	return all, groups
}

// publication is everything published for a wave.
type publication struct {
	results    *survey.Results
	breakdowns map[string]*survey.Breakdown
}

func publish(t testing.TB, d *survey.Definition, rs []testResponse, m int) publication {
	t.Helper()
	all, groups := tallies(d, rs)
	p := publication{results: survey.Compute(d, all, m), breakdowns: map[string]*survey.Breakdown{}}
	for _, dim := range survey.Dimensions(d) {
		b, err := survey.ComputeBreakdown(d, dim, all, groups[dim], m)
		if err != nil {
			t.Fatalf("ComputeBreakdown(%s): %v", dim, err)
		}
		p.breakdowns[dim] = b
	}
	return p
}

// truths are a population's true figures, counted from the answers
// themselves rather than from tallies.
type truths map[string]int64

func countTruths(d *survey.Definition, rs []testResponse) truths {
	tr := truths{"n": int64(len(rs))}
	for _, r := range rs {
		for _, q := range d.Questions() {
			v, ok := r.answers[q.ID]
			if !ok {
				continue
			}
			tr["a|"+q.ID]++
			switch q.Type {
			case survey.TypeChoice:
				tr["o|"+q.ID+"|"+v.(string)]++
			case survey.TypeMulti:
				for _, x := range v.([]string) {
					tr["o|"+q.ID+"|"+x]++
				}
			case survey.TypeScale:
				tr[fmt.Sprintf("x|%s|%d", q.ID, v.(int))]++
				tr["s|"+q.ID] += int64(v.(int))
			}
		}
		for _, ind := range d.Indicators {
			v, ok := r.answers[ind.Question]
			if !ok {
				continue
			}
			in := false
			switch v := v.(type) {
			case string:
				in = slices.Contains(ind.Counts, v)
			case []string:
				for _, x := range v {
					in = in || slices.Contains(ind.Counts, x)
				}
			case int:
				in = v >= ind.Range[0] && v <= ind.Range[1]
			}
			if in {
				tr["i|"+ind.ID]++
			}
		}
	}
	return tr
}

// seen is what was published of one population: nil when nothing was
// (a suppressed group, the remainder).
type seen struct {
	responses  int64
	questions  map[string]survey.QuestionResult
	indicators map[string]survey.IndicatorResult
	priorities []survey.PriorityResult
}

func seenOf(qs []survey.QuestionResult, inds []survey.IndicatorResult, ps []survey.PriorityResult, responses int64) *seen {
	s := &seen{responses: responses, questions: map[string]survey.QuestionResult{}, indicators: map[string]survey.IndicatorResult{}, priorities: ps}
	for _, q := range qs {
		s.questions[q.ID] = q
	}
	for _, ind := range inds {
		s.indicators[ind.ID] = ind
	}
	return s
}

// Attack modes: what the model takes as published.
type attackMode int

const (
	// asPublished: what the package published.
	asPublished attackMode = iota
	// primaryOnly: every small count hidden, nothing else, to show that
	// the attacker works.
	primaryOnly
	// baseline: only what the API always shows (responses, answered) of
	// the populations being judged; anything exposed even then cannot be
	// protected by hiding cells, so it is exempt from the property.
	baseline
)

// model builds the attacker for a publication.
type model struct {
	t    testing.TB
	d    *survey.Definition
	m    int64
	a    *attacker
	nN   int64
	mode attackMode
	// overallOnly leaves the breakdowns out (the baseline of the whole
	// wave's figures); otherwise, in baseline mode, the whole wave's
	// figures are taken as published and only the groups are baseline.
	overallOnly bool
}

func (md *model) small(x int64) bool { return x > 0 && x < md.m }

// known decides whether one figure of population p is known to the
// attacker: published says whether it was published, primary whether
// primary suppression alone would show it.
func (md *model) known(p string, shown, published, primary bool) bool {
	switch md.mode {
	case primaryOnly:
		return shown && primary
	case baseline:
		return p == "all|" && !md.overallOnly && published
	}
	return published
}

// population adds one population's quantities (prefix p) and the facts
// within it. s is what was published of it, nil if nothing; group marks a
// listed group of a breakdown (whose size is sensitive when hidden).
func (md *model) population(p string, tr truths, s *seen, group bool) {
	a, d := md.a, md.d
	shown := s != nil
	if md.mode == primaryOnly && group {
		shown = !md.small(tr["n"])
	}
	n := a.variable(p+"n", tr["n"], shown, md.nN)
	if group && !shown {
		a.sensitive[n] = md.small(tr["n"])
	}
	if shown && s != nil && s.responses != tr["n"] {
		md.t.Fatalf("%sresponses published %d, true %d", p, s.responses, tr["n"])
	}
	for _, q := range d.Questions() {
		var qr survey.QuestionResult
		if s != nil {
			qr = s.questions[q.ID]
			if qr.Answered != tr["a|"+q.ID] {
				md.t.Fatalf("%s%s answered published %d, true %d", p, q.ID, qr.Answered, tr["a|"+q.ID])
			}
		}
		ans := a.variable(p+"a|"+q.ID, tr["a|"+q.ID], shown, md.nN)
		a.le(coefVar{ans, 1}, coefVar{n, -1})
		var parts []int
		switch q.Type {
		case survey.TypeChoice, survey.TypeMulti:
			for i, o := range q.Options {
				key := "o|" + q.ID + "|" + o.Value
				published := false
				if s != nil {
					or := qr.Options[i]
					published = !or.Suppressed
					if published && *or.Count != tr[key] {
						md.t.Fatalf("%s%s published %d, true %d", p, key, *or.Count, tr[key])
					}
				}
				c := a.variable(p+key, tr[key], md.known(p, shown, published, !md.small(tr[key])), md.nN)
				a.sensitive[c] = md.small(tr[key])
				parts = append(parts, c)
			}
			if q.Type == survey.TypeChoice {
				a.sumEq(ans, parts...)
			} else {
				k := int64(len(q.Options))
				if q.MaxChoices > 0 {
					k = int64(q.MaxChoices)
				}
				atLeast := []coefVar{{ans, 1}}
				atMost := []coefVar{{ans, -k}}
				for _, c := range parts {
					a.le(coefVar{c, 1}, coefVar{ans, -1})
					atLeast = append(atLeast, coefVar{c, -1})
					atMost = append(atMost, coefVar{c, 1})
				}
				a.le(atLeast...)
				a.le(atMost...)
			}
			if q.ID == d.Priorities && s != nil {
				md.checkPriorities(p, q, qr, s.priorities)
			}
		case survey.TypeScale:
			sumTerms := []coefVar{}
			for x := *q.Min; x <= *q.Max; x++ {
				key := fmt.Sprintf("x|%s|%d", q.ID, x)
				c := a.variable(p+key, tr[key], false, md.nN)
				a.sensitive[c] = md.small(tr[key])
				parts = append(parts, c)
				sumTerms = append(sumTerms, coefVar{c, int64(x)})
			}
			a.sumEq(ans, parts...)
			key := "s|" + q.ID
			published := s != nil && qr.Mean != nil
			if published && math.Abs(float64(tr[key])/float64(tr["a|"+q.ID])-*qr.Mean) > 0.005+1e-9 {
				md.t.Fatalf("%s mean published %v, true %d/%d", p+key, *qr.Mean, tr[key], tr["a|"+q.ID])
			}
			sum := a.variable(p+key, tr[key], md.known(p, shown, published, !md.small(tr["a|"+q.ID])), int64(*q.Max)*md.nN)
			a.sensitive[sum] = md.small(tr["a|"+q.ID])
			a.exact[sum] = true
			a.eq(append([]coefVar{{sum, -1}}, sumTerms...)...)
			// The same fact as distances from each end of the scale, which
			// interval propagation can use directly.
			above := []coefVar{{sum, -1}, {ans, int64(*q.Min)}}
			below := []coefVar{{sum, 1}, {ans, -int64(*q.Max)}}
			for k, c := range parts {
				x := int64(*q.Min + k)
				above = append(above, coefVar{c, x - int64(*q.Min)})
				below = append(below, coefVar{c, int64(*q.Max) - x})
			}
			a.eq(above...)
			a.eq(below...)
		}
		for _, ind := range d.Indicators {
			if ind.Question != q.ID {
				continue
			}
			key := "i|" + ind.ID
			published := false
			if s != nil {
				ir := s.indicators[ind.ID]
				published = !ir.Suppressed
				if published && (*ir.Numerator != tr[key] || *ir.Denominator != tr["a|"+q.ID]) {
					md.t.Fatalf("%s published %d/%d, true %d/%d", p+key, *ir.Numerator, *ir.Denominator, tr[key], tr["a|"+q.ID])
				}
			}
			primary := !md.small(tr[key]) && !md.small(tr["a|"+q.ID]-tr[key])
			known := md.known(p, shown, published, primary)
			num := a.variable(p+key, tr[key], known, md.nN)
			comp := a.variable(p+"ic|"+ind.ID, tr["a|"+q.ID]-tr[key], known, md.nN)
			a.sensitive[num], a.sensitive[comp] = md.small(tr[key]), md.small(tr["a|"+q.ID]-tr[key])
			a.sumEq(ans, num, comp)
			var in, out []int
			for i, c := range parts {
				member := false
				if q.Type == survey.TypeScale {
					member = *q.Min+i >= ind.Range[0] && *q.Min+i <= ind.Range[1]
				} else {
					member = slices.Contains(ind.Counts, q.Options[i].Value)
				}
				if member {
					in = append(in, c)
				} else {
					out = append(out, c)
				}
			}
			if q.Type != survey.TypeMulti {
				a.sumEq(num, in...)
				a.sumEq(comp, out...)
				if q.Type == survey.TypeScale {
					// The sum measured from each end of the range.
					sum := a.index[p+"s|"+q.ID]
					for _, from := range []int64{int64(ind.Range[0]), int64(ind.Range[1])} {
						terms := []coefVar{{sum, 1}, {num, -from}}
						for i, c := range parts {
							x := int64(*q.Min + i)
							if slices.Contains(in, c) {
								terms = append(terms, coefVar{c, -(x - from)})
							} else {
								terms = append(terms, coefVar{c, -x})
							}
						}
						a.eq(terms...)
					}
				}
				continue
			}
			up := []coefVar{{num, 1}}
			for _, c := range in {
				a.le(coefVar{c, 1}, coefVar{num, -1})
				up = append(up, coefVar{c, -1})
			}
			a.le(up...)
			rest := []coefVar{{comp, 1}}
			for _, c := range out {
				rest = append(rest, coefVar{c, -1})
			}
			a.le(rest...)
		}
	}
}

func (md *model) checkPriorities(p string, q *survey.Question, qr survey.QuestionResult, ps []survey.PriorityResult) {
	if len(ps) != len(q.Options) {
		md.t.Fatalf("%spriorities: %d, want %d", p, len(ps), len(q.Options))
	}
	for _, pr := range ps {
		i := slices.IndexFunc(q.Options, func(o survey.Option) bool { return o.Value == pr.Value })
		or := qr.Options[i]
		if pr.Suppressed != or.Suppressed || (!pr.Suppressed && *pr.Count != *or.Count) {
			md.t.Fatalf("%spriority %s disagrees with its option: %+v vs %+v", p, pr.Value, pr, or)
		}
	}
}

// keys lists every quantity name of a population, for the links between
// the whole and its parts.
func (md *model) keys() []string {
	out := []string{"n"}
	for _, q := range md.d.Questions() {
		out = append(out, "a|"+q.ID)
		switch q.Type {
		case survey.TypeChoice, survey.TypeMulti:
			for _, o := range q.Options {
				out = append(out, "o|"+q.ID+"|"+o.Value)
			}
		case survey.TypeScale:
			for x := *q.Min; x <= *q.Max; x++ {
				out = append(out, fmt.Sprintf("x|%s|%d", q.ID, x))
			}
			out = append(out, "s|"+q.ID)
		}
	}
	for _, ind := range md.d.Indicators {
		out = append(out, "i|"+ind.ID, "ic|"+ind.ID)
	}
	return out
}

// attack builds the whole model and returns the exposures.
func attack(t testing.TB, d *survey.Definition, rs []testResponse, pub publication, m int, mode attackMode, overallOnly bool) (exact, small []exposure) {
	t.Helper()
	md := &model{t: t, d: d, m: int64(m), a: newAttacker(), nN: int64(len(rs)), mode: mode, overallOnly: overallOnly}
	r := pub.results
	md.population("all|", countTruths(d, rs), seenOf(r.Questions, r.Indicators, r.Priorities, r.Responses), false)
	dims := survey.Dimensions(d)
	if overallOnly {
		dims = nil
	}
	for _, dim := range dims {
		b := pub.breakdowns[dim]
		var members [][]testResponse
		var rest []testResponse
		for _, g := range b.Groups {
			var in []testResponse
			for _, x := range rs {
				if groupOf(dim, x) == g.Value {
					in = append(in, x)
				}
			}
			members = append(members, in)
		}
		for _, x := range rs {
			if !slices.ContainsFunc(b.Groups, func(g survey.GroupResult) bool { return g.Value == groupOf(dim, x) }) {
				rest = append(rest, x)
			}
		}
		var prefixes []string
		for i, g := range b.Groups {
			p := dim + "=" + g.Value + "|"
			prefixes = append(prefixes, p)
			var s *seen
			if !g.Suppressed {
				s = seenOf(g.Questions, g.Indicators, g.Priorities, *g.Responses)
				if *g.Responses == 0 {
					s = seenOf(zeroQuestions(d), nil, nil, 0)
					for _, ind := range d.Indicators {
						s.indicators[ind.ID] = survey.IndicatorResult{ID: ind.ID, Suppressed: true}
					}
					for _, o := range d.Questions() {
						if o.ID == d.Priorities {
							s.priorities = zeroPriorities(o)
						}
					}
				}
			}
			md.population(p, countTruths(d, members[i]), s, true)
		}
		rp := dim + "=(rest)|"
		prefixes = append(prefixes, rp)
		md.population(rp, countTruths(d, rest), nil, false)
		// The whole is the sum of the groups and the remainder.
		for _, k := range md.keys() {
			terms := []coefVar{{md.a.index["all|"+k], 1}}
			for _, p := range prefixes {
				terms = append(terms, coefVar{md.a.index[p+k], -1})
			}
			md.a.eq(terms...)
		}
		if dim == survey.DimLanguage {
			continue
		}
		// A banded question's groups are its options.
		q, _ := d.Question(dim)
		for i, g := range b.Groups {
			p := prefixes[i]
			md.a.sumEq(md.a.index[p+"n"], md.a.index["all|o|"+dim+"|"+g.Value])
			md.a.sumEq(md.a.index[p+"a|"+dim], md.a.index[p+"n"])
			for _, o := range q.Options {
				if o.Value == g.Value {
					md.a.sumEq(md.a.index[p+"o|"+dim+"|"+o.Value], md.a.index[p+"n"])
				} else {
					md.a.eq(coefVar{md.a.index[p+"o|"+dim+"|"+o.Value], 1})
				}
			}
		}
		md.a.eq(coefVar{md.a.index[rp+"a|"+dim], 1})
	}
	if err := md.a.check(); err != nil {
		t.Fatalf("the attacker's model does not fit the truth: %v", err)
	}
	return md.a.exposures(int64(m))
}

func groupOf(dim string, r testResponse) string {
	if dim == survey.DimLanguage {
		return r.lang
	}
	v, _ := r.answers[dim].(string)
	return v
}

func zeroQuestions(d *survey.Definition) []survey.QuestionResult {
	var out []survey.QuestionResult
	for _, q := range d.Questions() {
		qr := survey.QuestionResult{ID: q.ID, Type: q.Type}
		for _, o := range q.Options {
			zero := int64(0)
			qr.Options = append(qr.Options, survey.OptionResult{Value: o.Value, Count: &zero})
		}
		out = append(out, qr)
	}
	return out
}

func zeroPriorities(q *survey.Question) []survey.PriorityResult {
	var out []survey.PriorityResult
	for _, o := range q.Options {
		zero := int64(0)
		out = append(out, survey.PriorityResult{Value: o.Value, Count: &zero})
	}
	return out
}

func describe(d *survey.Definition, rs []testResponse) string {
	var b strings.Builder
	for _, q := range d.Questions() {
		fmt.Fprintf(&b, "%s(%s", q.ID, q.Type)
		if q.MaxChoices > 0 {
			fmt.Fprintf(&b, " max %d", q.MaxChoices)
		}
		b.WriteString(") ")
	}
	for _, ind := range d.Indicators {
		fmt.Fprintf(&b, "%s=%s%v%v ", ind.ID, ind.Question, ind.Counts, ind.Range)
	}
	b.WriteString("\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "  %s %v\n", r.lang, r.answers)
	}
	return b.String()
}

// withoutUnavoidable drops the exposures an attacker gets from what the
// API always shows: for the whole wave's figures, its responses and
// answered counts; for the groups', the whole wave's figures as published
// plus the groups' responses and answered counts. (Typical cases: an
// indicator that counts every option equals answered; when everyone in the
// wave gave the same answer, a group's answered count is its count of
// that answer.)
func withoutUnavoidable(t testing.TB, d *survey.Definition, rs []testResponse, pub publication, m int, exposed []exposure) []exposure {
	t.Helper()
	if len(exposed) == 0 {
		return nil
	}
	exempt := map[string]bool{}
	for _, overallOnly := range []bool{true, false} {
		base, _ := attack(t, d, rs, pub, m, baseline, overallOnly)
		for _, e := range base {
			exempt[e.name] = true
		}
	}
	var out []exposure
	for _, e := range exposed {
		// The baseline takes the groups' sizes as published, so it says
		// nothing of whether hiding those groups was right.
		if !exempt[e.name] || strings.HasSuffix(e.name, "|n") {
			out = append(out, e)
		}
	}
	return out
}

// propertyWaves is how many random waves the property test publishes for
// each minimum cell size (each wave is a dozen tables: the whole wave and
// two breakdowns of four questions): enough to meet most of the cases the
// engine handles within a few seconds under -race. YOUSAID_PROPERTY_WAVES
// runs more; the test has passed 20,000 per size.
func propertyWaves(t *testing.T) int {
	if s := os.Getenv("YOUSAID_PROPERTY_WAVES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("YOUSAID_PROPERTY_WAVES: %v", err)
		}
		return n
	}
	if testing.Short() {
		return 30
	}
	return 120
}

func TestDisclosureProperty(t *testing.T) {
	waves := propertyWaves(t)
	for _, m := range []int{3, 5} {
		t.Run(fmt.Sprintf("m=%d", m), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(2027, uint64(m)))
			smallCount, unavoidable := 0, 0
			for w := range waves {
				d, rs := randomWave(rng)
				pub := publish(t, d, rs, m)
				exact, small := attack(t, d, rs, pub, m, asPublished, false)
				n := len(exact)
				exact = withoutUnavoidable(t, d, rs, pub, m, exact)
				unavoidable += n - len(exact)
				if len(exact) > 0 {
					t.Fatalf("wave %d: the attacker worked out suppressed figures exactly: %+v\n%s", w, exact, describe(d, rs))
				}
				smallCount += len(small)
			}
			t.Logf("%d waves; %d figures given away by what is always shown; %d suppressed counts pinned inside [1, %d] but not exactly",
				waves, unavoidable, smallCount, m-1)
		})
	}
}

// TestAttackerBeatsPrimarySuppression shows the attacker is worth
// something: with primary suppression alone, it recovers hidden counts.
func TestAttackerBeatsPrimarySuppression(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const m, waves = 5, 30
	recovered := 0
	for range waves {
		d, rs := randomWave(rng)
		pub := publish(t, d, rs, m)
		exact, _ := attack(t, d, rs, pub, m, primaryOnly, false)
		exact = withoutUnavoidable(t, d, rs, pub, m, exact)
		if len(exact) > 0 {
			recovered++
		}
	}
	if recovered < waves/3 {
		t.Errorf("with primary suppression only, the attacker recovered counts in %d of %d waves; want many", recovered, waves)
	}
	t.Logf("with primary suppression only, the attacker recovered counts in %d of %d waves", recovered, waves)
}
