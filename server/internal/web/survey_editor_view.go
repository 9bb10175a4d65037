package web

// The editor's read-only views: the preview (the real survey page, as a
// young person sees it in any of the survey's languages, before any wave
// uses it) and the differences between two versions.

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// The preview form's own fields besides the survey's: it is sent with GET
// to the preview itself, never to a wave.
const (
	fieldPreviewVersion = "version"
	fieldPreviewCheck   = "preview_check" // the send button: check the answers, store nothing
)

var previewReserved = append([]string{fieldPreviewVersion, fieldPreviewCheck}, reservedFields...)

// surveyPreview marks a survey page as a preview.
type surveyPreview struct {
	SurveyID string
	Version  int
	// EditorURL leads back to the editor, in the staff member's language.
	EditorURL string
	// Checked is set when the answers were checked and would be
	// accepted.
	Checked bool
}

// surveyPreviewPage is GET /staff/surveys/{survey}/preview?lang=&version=:
// the survey page itself, as a young person sees it, marked as a preview;
// its form comes back here (with GET, so nothing can be stored): a
// language button draws it again in that language with the answers kept,
// and the send button checks the answers as the real page would.
func (s *Server) surveyPreviewPage(c *gin.Context) {
	version := 0
	if v := c.Query(fieldPreviewVersion); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.errorPage(c, http.StatusNotFound)
			return
		}
		version = n
	}
	def, err := s.visibleSurvey(c.Request.Context(), currentUser(c), c.Param("survey"), version)
	if err != nil {
		s.pageError(c, "staff.surveyPreview", err)
		return
	}
	back := s.localizer(c).Tag()
	query := c.Request.URL.Query()
	tag := s.locale.Resolve([]string{query.Get(fieldSwitchLang), query.Get(fieldLang)}, c.GetHeader("Accept-Language"), surveyLanguages(def))
	l := s.locale.Localizer(tag)
	c.Set(localizerKey, l)

	var form url.Values
	if query.Has(fieldIdemKey) {
		form = query // the preview's own form came back
	}
	var errs []page.FieldError
	checked := false
	if form != nil && form.Has(fieldPreviewCheck) && !form.Has(fieldSwitchLang) {
		_, ferrs := survey.ParseForm(def, form, previewReserved...)
		for _, fe := range ferrs {
			errs = append(errs, page.FieldError{ID: s.controlID(def, fe.Field), Message: l.T(fe.MessageID, fe.TemplateData(def))})
		}
		checked = len(errs) == 0
	}
	p := s.surveyView(&store.Wave{}, def, l, form, errs)
	p.ChooseLanguage = false
	// survey.js keeps a draft per wave: a preview's stays apart.
	p.WaveID = "preview:" + def.ID
	p.Preview = &surveyPreview{SurveyID: def.ID, Version: def.Version, Checked: checked,
		EditorURL: "/staff/surveys/" + url.PathEscape(def.ID) + "?lang=" + url.QueryEscape(back)}
	// The preview is not the young person's page: keep it out of search
	// engines and caches like every staff page.
	s.render(c, http.StatusOK, "survey", p)
}

// --- differences between versions ---

type surveyDiffPage struct {
	page.Base
	SurveyID string
	From, To int
	Versions []int
	Changes  []diffRow
}

type diffRow struct {
	Where, What    string
	Before, After  string
	Lang, Dir      string // of Before and After, when a text in one language
	Added, Removed bool
}

// diffKinds and diffSubjects name the parts of a change for staff.
var (
	diffKinds = map[string]string{
		survey.ChangeAdded: "SurveyDiffAdded", survey.ChangeRemoved: "SurveyDiffRemoved", survey.ChangeChanged: "SurveyDiffChanged",
	}
)

func diffWhere(l *locale.Localizer, ch survey.Change) string {
	switch ch.Subject {
	case survey.SubjectSection:
		return l.T("SurveyDiffSection", "Section", ch.Section)
	case survey.SubjectQuestion:
		return l.T("SurveyDiffQuestion", "Question", ch.Question)
	case survey.SubjectOption:
		return l.T("SurveyDiffOption", "Question", ch.Question, "Value", ch.Option)
	case survey.SubjectIndicator:
		return l.T("SurveyDiffIndicator", "Indicator", ch.Indicator)
	}
	return l.T("SurveyDiffSurvey")
}

func diffWhat(l *locale.Localizer, ch survey.Change) string {
	kind := l.T(diffKinds[ch.Kind])
	if ch.Field == "" {
		return kind
	}
	if ch.Lang != "" {
		name := ch.Lang
		if ll, ok := locale.Lookup(ch.Lang); ok {
			name = ll.Name
		}
		return l.T("SurveyDiffFieldIn", "Change", kind, "Field", ch.Field, "Language", name)
	}
	return l.T("SurveyDiffField", "Change", kind, "Field", ch.Field)
}

// surveyDiffPage is GET /staff/surveys/{survey}/diff?from=N&to=M: what
// changed between two versions (by default, the last two).
func (s *Server) surveyDiffPage(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	latest, err := s.visibleSurvey(ctx, u, c.Param("survey"), 0)
	if err != nil {
		s.pageError(c, "staff.surveyDiff", err)
		return
	}
	versions, err := s.store.SurveyVersions(ctx, latest.ID)
	if err != nil {
		s.pageError(c, "staff.surveyDiff", err)
		return
	}
	to := latest.Version
	from := max(to-1, 1)
	for _, q := range []struct {
		name string
		to   *int
	}{{"from", &from}, {"to", &to}} {
		if v := c.Query(q.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > latest.Version {
				s.errorPage(c, http.StatusNotFound)
				return
			}
			*q.to = n
		}
	}
	a, err := s.visibleSurvey(ctx, u, latest.ID, from)
	if err != nil {
		s.pageError(c, "staff.surveyDiff", err)
		return
	}
	b, err := s.visibleSurvey(ctx, u, latest.ID, to)
	if err != nil {
		s.pageError(c, "staff.surveyDiff", err)
		return
	}
	l := s.localizer(c)
	p := surveyDiffPage{Base: s.staffBase(c, "SurveyDiffTitle", "From", from, "To", to), SurveyID: latest.ID, From: from, To: to}
	for _, v := range versions {
		p.Versions = append(p.Versions, v.Version)
	}
	for _, ch := range survey.Diff(a, b) {
		row := diffRow{Where: diffWhere(l, ch), What: diffWhat(l, ch), Before: ch.Before, After: ch.After,
			Added: ch.Kind == survey.ChangeAdded, Removed: ch.Kind == survey.ChangeRemoved}
		if ch.Lang != "" && ch.Field != "languages" {
			row.Lang, row.Dir = ch.Lang, locale.Dir(ch.Lang)
		} else if ch.Before != "" || ch.After != "" {
			// Titles and texts in the list are the English ones.
			row.Lang, row.Dir = "en", "ltr"
		}
		p.Changes = append(p.Changes, row)
	}
	s.render(c, http.StatusOK, "survey-diff", p)
}
