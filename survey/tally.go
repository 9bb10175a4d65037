package survey

import "strconv"

// Counter keys of a tally: flat names, safe as document field names (ids
// and option values never hold "." or "$").
//
//	r                one response
//	a:<question>     answered the question
//	o:<question>:<v> chose option v (choice and multi)
//	v:<question>:<n> gave scale value n
//	i:<indicator>    counted in the indicator's numerator
const (
	KeyResponses = "r"
)

// KeyAnswered is the counter of respondents who answered question q.
func KeyAnswered(q string) string { return "a:" + q }

// KeyOption is the counter of respondents who chose value v of question q.
func KeyOption(q, v string) string { return "o:" + q + ":" + v }

// KeyScale is the counter of respondents who gave value n to scale q.
func KeyScale(q string, n int) string { return "v:" + q + ":" + strconv.Itoa(n) }

// KeyIndicator is the counter of an indicator's numerator.
func KeyIndicator(id string) string { return "i:" + id }

// Counts are a tally's counters by key.
type Counts map[string]int64

// Contributions lists the counters one response adds 1 to. Answers must be
// valid and normal (as ParseJSONAnswers or ParseForm return them).
func Contributions(d *Definition, a Answers) []string {
	keys := []string{KeyResponses}
	for _, q := range d.Questions() {
		v, ok := a[q.ID]
		if !ok {
			continue
		}
		keys = append(keys, KeyAnswered(q.ID))
		switch q.Type {
		case TypeChoice, TypeMulti:
			for _, value := range answerValues(v) {
				keys = append(keys, KeyOption(q.ID, value))
			}
		case TypeScale:
			if n, ok := v.(int); ok {
				keys = append(keys, KeyScale(q.ID, n))
			}
		}
	}
	for _, ind := range d.Indicators {
		if indicatorCounts(d, ind, a) {
			keys = append(keys, KeyIndicator(ind.ID))
		}
	}
	return keys
}

// indicatorCounts reports whether answers a count in ind's numerator: any
// chosen value in Counts, or a scale value within Range.
func indicatorCounts(d *Definition, ind Indicator, a Answers) bool {
	v, ok := a[ind.Question]
	if !ok {
		return false
	}
	if len(ind.Range) == 2 {
		n, ok := v.(int)
		return ok && n >= ind.Range[0] && n <= ind.Range[1]
	}
	return anyIn(answerValues(v), ind.Counts)
}

// DimLanguage is the breakdown by the language a response was given in.
const DimLanguage = "language"

// Group is one group of a breakdown: the respondents whose answer to the
// dimension (a banded question's id, or DimLanguage) was Value.
type Group struct {
	Dim, Value string
}

// Dimensions lists what results can be broken down by: the banded choice
// questions, then language.
func Dimensions(d *Definition) []string {
	var dims []string
	for _, q := range d.Questions() {
		if q.Banded && q.Type == TypeChoice {
			dims = append(dims, q.ID)
		}
	}
	return append(dims, DimLanguage)
}

// Groups lists the breakdown groups one response belongs to.
func Groups(d *Definition, language string, a Answers) []Group {
	var groups []Group
	for _, dim := range Dimensions(d) {
		if dim == DimLanguage {
			groups = append(groups, Group{Dim: DimLanguage, Value: language})
			continue
		}
		if v, ok := a[dim].(string); ok {
			groups = append(groups, Group{Dim: dim, Value: v})
		}
	}
	return groups
}
