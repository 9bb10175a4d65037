package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/survey"
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
	// Drafted: some text is not reviewed by a fluent speaker (see
	// survey.StatusOf); Reviewed of Strings texts are.
	Drafted           bool
	Reviewed, Strings int
	// ReviewURL is the language's review page, when the user may review.
	ReviewURL string
	Missing   []string // message ids or survey text paths shown in English
}

func (s *Server) languagesPageHandler(c *gin.Context) {
	ctx := c.Request.Context()
	defs, err := s.surveysFor(c, currentUser(c))
	if err != nil {
		s.pageError(c, "staff.languages", err)
		return
	}
	reviews, err := s.store.AllTranslationReviews(ctx)
	if err != nil {
		s.pageError(c, "staff.languages", err)
		return
	}
	u := currentUser(c)
	l := s.localizer(c)
	p := languagesPage{Base: s.staffBase(c, "LanguagesTitle")}
	ui := coverageSection{Heading: l.T("LanguagesInterface")}
	for _, cov := range s.locale.Coverage() {
		row := languageRow{
			Tag: cov.Language.Tag, Name: cov.Language.Name, EnglishName: cov.Language.EnglishName,
			Translated: cov.Translated, Total: cov.Total, Missing: cov.Missing,
		}
		if row.Tag != "en" {
			reviewShare(&row, s.locale.Strings(row.Tag), reviews[store.ScopeInterface][row.Tag])
			if hasRole(u, store.RolePlatformAdmin) {
				row.ReviewURL = "/staff/translations/interface/" + row.Tag
			}
		}
		ui.Rows = append(ui.Rows, row)
	}
	p.Sections = append(p.Sections, ui)
	for _, d := range defs {
		// Another council's survey is not shown, not even its title.
		if !canSeeSurvey(u, d) {
			continue
		}
		part, err := s.reviewedPart(ctx, d)
		if err != nil {
			s.pageError(c, "staff.languages", err)
			return
		}
		title, _ := d.Title.In(l.Tag())
		sc := coverageSection{Heading: l.T("LanguagesSurvey", "Survey", title, "Version", d.Version)}
		for _, cov := range d.Coverage() {
			lang, _ := locale.Lookup(cov.Language)
			row := languageRow{
				Tag: cov.Language, Name: lang.Name, EnglishName: lang.EnglishName,
				Translated: cov.Translated, Total: cov.Texts, Missing: cov.Missing,
			}
			if row.Tag != "en" {
				reviewShare(&row, part.Strings(row.Tag), reviews[d.ID][row.Tag])
				if canEditSurvey(u, d) {
					row.ReviewURL = "/staff/surveys/" + d.ID + "/translations/" + row.Tag
				}
			}
			sc.Rows = append(sc.Rows, row)
		}
		p.Sections = append(p.Sections, sc)
	}
	s.render(c, http.StatusOK, "languages", p)
}

// reviewShare fills a row's review counts from a language's strings and
// stored reviews (nil: none yet).
func reviewShare(row *languageRow, strs []survey.String, tr *store.TranslationReviews) {
	var reviews map[string]*survey.Review
	if tr != nil {
		reviews = tr.Reviews
	}
	row.Strings = len(strs)
	row.Reviewed = survey.ReviewCount(strs, reviews)
	row.Drafted = row.Reviewed < row.Strings
}
