package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
)

// languagesPage is the translation coverage report: how much of the
// interface and of each survey is in each language, and which translations
// are machine drafts that a fluent speaker must still review.
type languagesPage struct {
	page.Base
	Sections []coverageSection // the interface first, then each survey
}

type coverageSection struct {
	Heading string
	Rows    []languageRow
}

type languageRow struct {
	Tag, Name, EnglishName string
	Translated, Total      int
	Drafted                bool
	Missing                []string // message ids or survey text paths shown in English
}

func (s *Server) languagesPageHandler(c *gin.Context) {
	ctx := c.Request.Context()
	defs, err := s.store.LatestSurveys(ctx)
	if err != nil {
		s.pageError(c, "staff.languages", err)
		return
	}
	l := s.localizer(c)
	p := languagesPage{Base: s.staffBase(c, "LanguagesTitle")}
	ui := coverageSection{Heading: l.T("LanguagesInterface")}
	for _, cov := range s.locale.Coverage() {
		ui.Rows = append(ui.Rows, languageRow{
			Tag: cov.Language.Tag, Name: cov.Language.Name, EnglishName: cov.Language.EnglishName,
			Translated: cov.Translated, Total: cov.Total, Drafted: cov.Drafted && cov.Language.Tag != "en", Missing: cov.Missing,
		})
	}
	p.Sections = append(p.Sections, ui)
	for _, d := range defs {
		title, _ := d.Title.In(l.Tag())
		sc := coverageSection{Heading: l.T("LanguagesSurvey", "Survey", title, "Version", d.Version)}
		for _, cov := range d.Coverage() {
			lang, _ := locale.Lookup(cov.Language)
			sc.Rows = append(sc.Rows, languageRow{
				Tag: cov.Language, Name: lang.Name, EnglishName: lang.EnglishName,
				Translated: cov.Translated, Total: cov.Texts, Drafted: slices.Contains(d.Drafted, cov.Language), Missing: cov.Missing,
			})
		}
		p.Sections = append(p.Sections, sc)
	}
	s.render(c, http.StatusOK, "languages", p)
}
