package survey

import "strconv"

// CSV cell markers, as DfE statistics use them: c for a suppressed figure,
// z for a figure that cannot exist (a mean or share when nobody answered).
const (
	csvSuppressed    = "c"
	csvNotApplicable = "z"
)

// CSVHeader is the header of results.csv (API.md, Results).
var CSVHeader = []string{"kind", "id", "option", "count", "value", "ci95_low", "ci95_high"}

// CSVRows lays out r as the rows of results.csv, header first, for
// encoding/csv. A suppressed figure is written c, a figure that cannot
// exist z, and a column with no such figure is left empty. The rows are:
//
//	question,<question>,,<answered>,<mean>,,            one per question; mean for scales only
//	question,<question>,<option>,<count>,,,             one per option
//	indicator,<indicator>,,<numerator>,<value>,<lo>,<hi>
//	priority,<option>,,<count>,<share>,,                in rank order
//
// and with a breakdown, for each group:
//
//	group,<dimension>,<group>,<responses>,,,
//
// followed, for a shown group with responses, by its rows as above with
// kind group_question, group_indicator or group_priority and the id
// prefixed by the group's value and a slash ("16-17/home_safe"). Neither
// ids, option values nor language tags can contain a slash.
func CSVRows(r *Results) [][]string {
	rows := [][]string{append([]string(nil), CSVHeader...)}
	rows = appendFigures(rows, "", "", r.Questions, r.Indicators, r.Priorities)
	if r.By == nil {
		return rows
	}
	for _, g := range r.By.Groups {
		rows = append(rows, []string{"group", r.By.Question, g.Value, csvCount(g.Responses), "", "", ""})
		if g.Suppressed || g.Responses == nil || *g.Responses == 0 {
			continue
		}
		rows = appendFigures(rows, "group_", g.Value+"/", g.Questions, g.Indicators, g.Priorities)
	}
	return rows
}

func appendFigures(rows [][]string, kind, id string, qs []QuestionResult, inds []IndicatorResult, ps []PriorityResult) [][]string {
	for _, q := range qs {
		mean := ""
		if q.Type == TypeScale {
			switch {
			case q.Mean != nil:
				mean = csvFloat(*q.Mean)
			case q.Answered == 0:
				mean = csvNotApplicable
			default:
				mean = csvSuppressed
			}
		}
		rows = append(rows, []string{kind + "question", id + q.ID, "", strconv.FormatInt(q.Answered, 10), mean, "", ""})
		for _, o := range q.Options {
			rows = append(rows, []string{kind + "question", id + q.ID, o.Value, csvCount(o.Count), "", "", ""})
		}
	}
	for _, ind := range inds {
		row := []string{kind + "indicator", id + ind.ID, "", csvSuppressed, csvSuppressed, csvSuppressed, csvSuppressed}
		if !ind.Suppressed && ind.Numerator != nil && ind.Value != nil && ind.CI95 != nil {
			row[3] = strconv.FormatInt(*ind.Numerator, 10)
			row[4] = csvFloat(*ind.Value)
			row[5], row[6] = csvFloat(ind.CI95[0]), csvFloat(ind.CI95[1])
		}
		rows = append(rows, row)
	}
	for _, p := range ps {
		share := csvSuppressed
		switch {
		case p.Share != nil:
			share = csvFloat(*p.Share)
		case !p.Suppressed:
			share = csvNotApplicable
		}
		rows = append(rows, []string{kind + "priority", id + p.Value, "", csvCount(p.Count), share, "", ""})
	}
	return rows
}

func csvCount(n *int64) string {
	if n == nil {
		return csvSuppressed
	}
	return strconv.FormatInt(*n, 10)
}

func csvFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
