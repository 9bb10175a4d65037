package survey_test

import (
	"math/rand/v2"
	"os"
	"testing"

	"yousaid/survey"
)

// BenchmarkComputeSeed publishes the seed survey's results and every
// breakdown for 300 random responses in six languages, as a results page
// with ?by= does.
func BenchmarkComputeSeed(b *testing.B) {
	data, err := os.ReadFile("../seed/surveys/life-beyond-care.json")
	if err != nil {
		b.Skip("no seed survey:", err)
	}
	d, err := survey.Load(data)
	if err != nil {
		b.Fatal(err)
	}
	d.Languages = []string{"en", "ar", "ps", "fa-AF", "ckb", "ti"}
	rng := rand.New(rand.NewPCG(1, 2))
	var rs []testResponse
	for range 300 {
		a := survey.Answers{}
		for _, q := range d.Questions() {
			if rng.IntN(10) == 0 {
				continue
			}
			switch q.Type {
			case survey.TypeChoice:
				// Skewed towards the first options, so small cells are common.
				a[q.ID] = q.Options[min(rng.IntN(len(q.Options)), rng.IntN(len(q.Options)))].Value
			case survey.TypeMulti:
				a[q.ID] = []string{q.Options[rng.IntN(len(q.Options))].Value}
			case survey.TypeScale:
				a[q.ID] = *q.Min + rng.IntN(*q.Max-*q.Min+1)
			case survey.TypeText:
				a[q.ID] = "text"
			}
		}
		lang := d.Languages[min(rng.IntN(len(d.Languages)), rng.IntN(len(d.Languages)))]
		rs = append(rs, testResponse{lang: lang, answers: a})
	}
	all, groups := tallies(d, rs)
	b.ResetTimer()
	for range b.N {
		survey.Compute(d, all, 5)
		for _, dim := range survey.Dimensions(d) {
			if _, err := survey.ComputeBreakdown(d, dim, all, groups[dim], 5); err != nil {
				b.Fatal(err)
			}
		}
	}
}
