package survey

import (
	"fmt"
	"strings"
)

// LanguageCoverage counts how much of a survey's text exists in one
// language, so a test or report can catch a survey that claims a language
// it does not fully carry.
type LanguageCoverage struct {
	// Language is a tag from Definition.Languages.
	Language string
	// Texts is the number of texts in the survey: every required text and
	// every optional text (hint, intro, ...) that is present.
	Texts int
	// Translated is the number of those texts with non-blank text in Language.
	Translated int
	// Missing holds the paths of the other texts, in document order, for
	// example "sections[0].questions[2].options[1].label".
	Missing []string
}

// Coverage reports, for each of the survey's languages in order, how many
// of its texts are written in that language.
func (d *Definition) Coverage() []LanguageCoverage {
	out := make([]LanguageCoverage, len(d.Languages))
	for i, lang := range d.Languages {
		out[i].Language = lang
	}
	d.eachText(func(path string, t Text) {
		for i := range out {
			c := &out[i]
			c.Texts++
			if strings.TrimSpace(t[c.Language]) != "" {
				c.Translated++
			} else {
				c.Missing = append(c.Missing, path)
			}
		}
	})
	return out
}

// eachText calls fn, in document order, with each required text and each
// optional text that is present, and its path.
func (d *Definition) eachText(fn func(path string, t Text)) {
	text := func(path string, t Text, required bool) {
		if t != nil || required {
			fn(path, t)
		}
	}
	text("title", d.Title, true)
	text("intro", d.Intro, false)
	for i := range d.Sections {
		s := &d.Sections[i]
		spath := fmt.Sprintf("sections[%d]", i)
		text(spath+".title", s.Title, true)
		for j := range s.Questions {
			q := &s.Questions[j]
			qpath := fmt.Sprintf("%s.questions[%d]", spath, j)
			text(qpath+".text", q.Text, true)
			text(qpath+".hint", q.Hint, false)
			for k := range q.Options {
				text(fmt.Sprintf("%s.options[%d].label", qpath, k), q.Options[k].Label, true)
			}
			text(qpath+".min_label", q.MinLabel, false)
			text(qpath+".max_label", q.MaxLabel, false)
		}
	}
	for i := range d.Indicators {
		ipath := fmt.Sprintf("indicators[%d]", i)
		text(ipath+".label", d.Indicators[i].Label, true)
		text(ipath+".definition", d.Indicators[i].Definition, false)
	}
	text("attribution", d.Attribution, false)
}
