package web

// The survey editor: staff pages that shape a survey without JavaScript.
// The list of surveys a person can see (with forms to start a survey or
// an extension of a national one), the editor of a survey's working
// version (its newest), one page per question, the translation page that
// puts each English text beside its translation, and a confirmation step
// before anything is deleted. Every change is a small form that posts,
// goes through saveSurvey (so a rule the survey breaks shows as 422 with
// an error summary, values kept) and answers 303 back to the editor.
// Preview and the differences between versions are in
// survey_editor_view.go.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// surveyEditorRoutes registers the editor's pages under /staff/surveys.
func (s *Server) surveyEditorRoutes(staff *gin.RouterGroup) {
	staff.GET("/surveys", s.surveyListPage)
	staff.POST("/surveys", s.crossOrigin, s.surveyCreateForm)
	staff.GET("/surveys/:survey", s.surveyEditorPage)
	staff.POST("/surveys/:survey/settings", s.crossOrigin, s.surveySettingsForm)
	staff.POST("/surveys/:survey/sections", s.crossOrigin, s.surveyAddSectionForm)
	staff.POST("/surveys/:survey/section", s.crossOrigin, s.surveySectionForm)
	staff.POST("/surveys/:survey/questions", s.crossOrigin, s.surveyAddQuestionForm)
	staff.GET("/surveys/:survey/question", s.surveyQuestionPage)
	staff.POST("/surveys/:survey/question", s.crossOrigin, s.surveyQuestionForm)
	staff.POST("/surveys/:survey/move", s.crossOrigin, s.surveyMoveForm)
	staff.GET("/surveys/:survey/delete", s.surveyDeletePage)
	staff.POST("/surveys/:survey/delete", s.crossOrigin, s.surveyDeleteForm)
	staff.GET("/surveys/:survey/translate", s.surveyTranslatePage)
	staff.POST("/surveys/:survey/translate", s.crossOrigin, s.surveyTranslateForm)
	staff.GET("/surveys/:survey/preview", s.surveyPreviewPage)
	staff.GET("/surveys/:survey/diff", s.surveyDiffPage)
}

// editorState is what every editor page starts from: who asks, the
// working version as stored, and which of its sections an extension
// inherits from its national survey.
type editorState struct {
	u       *store.User
	def     *survey.Definition
	base    map[string]bool // ids of the sections of the national base
	canEdit bool
	// inUse reports that a wave uses the working version, so that saving
	// stores the next version and leaves the wave's as it is.
	inUse    bool
	versions []store.SurveyVersion
}

// editable reports whether a section may be changed: an extension's
// base sections may not.
func (st *editorState) editable(section string) bool { return !st.base[section] }

// localQuestions counts the questions an extension adds to its base.
func (st *editorState) localQuestions(def *survey.Definition) int {
	n := 0
	for _, sec := range def.Sections {
		if st.editable(sec.ID) {
			n += len(sec.Questions)
		}
	}
	return n
}

func (s *Server) loadEditor(ctx context.Context, u *store.User, id string) (*editorState, error) {
	def, err := s.visibleSurvey(ctx, u, id, 0)
	if err != nil {
		return nil, err
	}
	st := &editorState{u: u, def: def, base: map[string]bool{}, canEdit: canEditSurvey(u, def)}
	if def.Extends != "" {
		base, err := s.store.Survey(ctx, def.Extends, def.BaseVersion)
		if err != nil {
			return nil, err
		}
		for _, sec := range base.Sections {
			st.base[sec.ID] = true
		}
	}
	st.versions, err = s.store.SurveyVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, v := range st.versions {
		if v.Version == def.Version {
			st.inUse = v.InUse
		}
	}
	return st, nil
}

// editorEnglish shows survey text (edited in English) on a page in
// another language, marked as English for screen readers.
func editorEnglish(t survey.Text) textView {
	return textView{S: t["en"], Lang: "en"}
}

// --- the list of surveys ---

type surveyListPage struct {
	page.Base
	Surveys []surveyListItem
	// CanCreate is set for council admins (a council survey or an
	// extension) and platform admins (a national survey).
	CanCreate bool
	// National lists the national surveys a council can extend.
	National []surveyListItem
	Council  string // the council a new survey belongs to; "" national
	// Councils, for a platform admin, are those a new survey may be for
	// besides a national one (the form's council select).
	Councils []store.Council
	Form     surveyCreateInput
	Types    []editorTypeChoice
}

type surveyListItem struct {
	ID, Council, Extends string
	Title                textView
	Version              int
	Selected             bool
}

// surveyCreateInput is what the new-survey form sent, kept on a 422.
type surveyCreateInput struct {
	Council, Extends, ID, Title, SectionTitle, QuestionType, QuestionText string
}

func (s *Server) surveyListData(c *gin.Context) (p surveyListPage, err error) {
	u := currentUser(c)
	p = surveyListPage{Base: s.staffBase(c, "SurveysTitle"), Council: u.Council,
		CanCreate: hasRole(u, store.RoleCouncilAdmin), Form: surveyCreateInput{QuestionType: survey.TypeChoice}}
	p.Types = s.typeChoices(c)
	if hasRole(u, store.RolePlatformAdmin) {
		if p.Councils, err = s.store.Councils(c.Request.Context()); err != nil {
			return p, err
		}
	}
	// National surveys and the person's council's own; every survey for a
	// platform administrator.
	defs, err := s.surveysFor(c, u)
	if err != nil {
		return p, err
	}
	for _, def := range defs {
		if def.Council != "" && !inCouncil(u, def.Council) {
			continue
		}
		it := surveyListItem{ID: def.ID, Council: def.Council, Extends: def.Extends, Title: editorEnglish(def.Title), Version: def.Version}
		p.Surveys = append(p.Surveys, it)
		if def.Council == "" && def.Extends == "" && u.Council != "" {
			p.National = append(p.National, it)
		}
	}
	return p, nil
}

// surveyListPage is GET /staff/surveys: the surveys the person can see.
func (s *Server) surveyListPage(c *gin.Context) {
	p, err := s.surveyListData(c)
	if err != nil {
		s.pageError(c, "staff.surveys", err)
		return
	}
	s.render(c, http.StatusOK, "survey-list", p)
}

// surveyCreateForm is POST /staff/surveys: a council admin starts a
// council survey of their own council (or, with extends, an extension of
// a national one); a platform admin starts a national survey, or with
// council a survey of that council. 303 to its editor, or 422. A council
// admin's council field naming another council is 403 with a sentence
// saying so: councils are public, so there is nothing to hide by a 404.
func (s *Server) surveyCreateForm(c *gin.Context) {
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	u := currentUser(c)
	if !hasRole(u, store.RoleCouncilAdmin) {
		s.errorPage(c, http.StatusForbidden)
		return
	}
	in := surveyCreateInput{Council: strings.TrimSpace(form.Get("council")), Extends: form.Get("extends"), ID: cleanID(form.Get("id")), Title: form.Get("title"),
		SectionTitle: form.Get("section_title"), QuestionType: form.Get("question_type"), QuestionText: form.Get("question_text")}
	if u.Council != "" {
		// The form carries the council admin's own council; an empty field
		// means the same.
		if in.Council != "" && in.Council != u.Council {
			s.errorPageSaying(c, http.StatusForbidden, s.localizer(c).T("SurveysNewOwnCouncilOnly", "Council", u.Council))
			return
		}
		in.Council = u.Council
	}
	ctx := c.Request.Context()
	def := &survey.Definition{ID: in.ID, Version: 1, Languages: []string{"en"}, Title: englishText(in.Title)}
	var fail error
	if in.Council != "" && u.Council == "" {
		// A platform admin's choice of council: one that exists.
		if _, err := s.store.Council(ctx, in.Council); isNotFound(err) {
			fail = fieldProblemAt("new-council", "SurveysNewNoSuchCouncil", map[string]any{"Council": in.Council})
		} else if err != nil {
			s.pageError(c, "staff.surveyCreate", err)
			return
		}
	}
	if fail == nil && in.Extends != "" {
		if in.Council == "" {
			// Only a crafted form: a national survey extends nothing.
			s.errorPage(c, http.StatusBadRequest)
			return
		}
		base, err := s.visibleSurvey(ctx, u, in.Extends, 0)
		if err != nil || base.Council != "" || base.Extends != "" {
			fail = fieldProblemAt("new-extends", "SurveyEditorNoSuchNational", nil)
		} else {
			// createSurvey puts the national sections before the local
			// one made here.
			def.Extends, def.BaseVersion = base.ID, base.Version
		}
	}
	if fail == nil {
		fail = addSection(def, "", in.SectionTitle, in.QuestionType, "", in.QuestionText)
	}
	if fail == nil {
		_, fail = s.createSurvey(ctx, u, in.Council, def)
	}
	if fail == nil {
		c.Redirect(http.StatusSeeOther, "/staff/surveys/"+url.PathEscape(def.ID))
		return
	}
	errs, ok := s.editorErrors(c, fail, func(path string) string {
		t := targetOf(def, path)
		switch {
		case path == "id" || errors.Is(fail, store.ErrConflict):
			return "new-id"
		case t.Section == "":
			return "new-title"
		case t.Question == "":
			return "new-section-title"
		}
		return "new-question-text"
	})
	if !ok {
		return
	}
	p, err := s.surveyListData(c)
	if err != nil {
		s.pageError(c, "staff.surveyCreate", err)
		return
	}
	p.Form = in
	for i := range p.National {
		p.National[i].Selected = p.National[i].ID == in.Extends
	}
	p.Errors = errs
	s.render(c, http.StatusUnprocessableEntity, "survey-list", p)
}

// editorErrors turns a failed change into the error summary's entries,
// control mapping a definition path to the page's control. Anything that
// is no rule of the form or the survey (a store failure, a 404) is
// answered here with the error page, and ok is false.
func (s *Server) editorErrors(c *gin.Context, err error, control func(path string) string) (errs []page.FieldError, ok bool) {
	l := s.localizer(c)
	var fe *editorFieldError
	if errors.As(err, &fe) {
		return []page.FieldError{{ID: fe.Control, Message: l.T(fe.MessageID, fe.Data)}}, true
	}
	var ae *apiError
	if errors.Is(err, store.ErrConflict) || (errors.As(err, &ae) && ae.Status == http.StatusConflict && ae.Field == "id") {
		return []page.FieldError{{ID: control("id"), Message: l.T("SurveyEditorIDTaken")}}, true
	}
	if !errors.As(err, &ae) || ae.Status != http.StatusUnprocessableEntity {
		s.pageError(c, "staff.surveyEditor", err)
		return nil, false
	}
	problems := ae.Fields
	if len(problems) == 0 {
		problems = []fieldProblem{{Code: ae.Code, MessageID: ae.MessageID, Field: ae.Field, Data: ae.Data, Rule: ae.Rule}}
	}
	for _, p := range problems {
		errs = append(errs, page.FieldError{ID: control(p.Field), Message: p.message(l)})
	}
	return errs, true
}

// --- the editor of one survey ---

type surveyEditorPage struct {
	page.Base
	ID, Council, Extends string
	Version              int
	CanEdit, InUse       bool
	// Saved is the version a change was just stored as, for the notice.
	Saved     int
	Settings  editorSettings
	Sections  []editorSection
	Extension bool
	// LocalQuestions counts an extension's own questions, at most
	// MaxLocal.
	LocalQuestions, MaxLocal int
	CanAddQuestion           bool
	Types                    []editorTypeChoice
	AddSection               addSectionInput
	AddQuestion              addQuestionInput
	Translate, Preview       []page.LanguageLink
	Versions                 []editorVersion
}

type editorSettings struct {
	Title, Intro string
	Languages    []editorLanguage
}

type editorLanguage struct {
	Tag, Name, Dir string
	Checked        bool
}

type editorSection struct {
	ID          string
	Title       textView
	Base        bool // from the national survey: read-only
	First, Last bool
	Questions   []editorQuestion
}

type editorQuestion struct {
	ID          string
	TypeLabel   string
	Text        textView
	Required    bool
	First, Last bool // among the questions that may move: nowhere further
	ShowIf      string
}

type editorTypeChoice struct{ Value, Label string }

type addSectionInput struct{ ID, Title, QuestionType, QuestionID, QuestionText string }
type addQuestionInput struct{ Section, Type, ID, Text string }

type editorVersion struct {
	Version int
	Date    string
	InUse   bool
	Working bool
}

// typeLabels names the question types for staff.
var typeLabels = map[string]string{
	survey.TypeChoice: "SurveyEditorTypeChoice",
	survey.TypeMulti:  "SurveyEditorTypeMulti",
	survey.TypeScale:  "SurveyEditorTypeScale",
	survey.TypeText:   "SurveyEditorTypeText",
}

// typeChoices names the question types for a select.
func (s *Server) typeChoices(c *gin.Context) []editorTypeChoice {
	l := s.localizer(c)
	out := make([]editorTypeChoice, 0, len(editorTypes))
	for _, t := range editorTypes {
		out = append(out, editorTypeChoice{Value: t, Label: l.T(typeLabels[t])})
	}
	return out
}

// editorView builds the editor's page for def (the stored working
// version, or a draft that failed to save).
func (s *Server) editorView(c *gin.Context, st *editorState, def *survey.Definition) surveyEditorPage {
	l := s.localizer(c)
	p := surveyEditorPage{
		Base: s.staffBase(c, "SurveyEditorTitle", "Title", def.Title["en"]),
		ID:   def.ID, Council: def.Council, Extends: def.Extends, Version: st.def.Version,
		CanEdit: st.canEdit, InUse: st.inUse, Extension: def.Extends != "", MaxLocal: survey.MaxLocalQuestions,
		AddSection: addSectionInput{QuestionType: survey.TypeChoice},
	}
	if saved, err := strconv.Atoi(c.Query("saved")); err == nil && saved > 0 {
		p.Saved = saved
	}
	p.Settings = editorSettings{Title: def.Title["en"], Intro: def.Intro["en"]}
	for _, lang := range locale.Supported() {
		p.Settings.Languages = append(p.Settings.Languages, editorLanguage{Tag: lang.Tag, Name: lang.Name,
			Dir: locale.Dir(lang.Tag), Checked: def.HasLanguage(lang.Tag)})
	}
	p.Types = s.typeChoices(c)
	// Questions move across sections, but never into a national one.
	var movable []string
	for _, sec := range def.Sections {
		if st.editable(sec.ID) {
			for _, q := range sec.Questions {
				movable = append(movable, q.ID)
			}
		}
	}
	for i, sec := range def.Sections {
		es := editorSection{ID: sec.ID, Title: editorEnglish(sec.Title), Base: !st.editable(sec.ID),
			First: i == 0 || !st.editable(def.Sections[i-1].ID), Last: i == len(def.Sections)-1}
		for _, q := range sec.Questions {
			eq := editorQuestion{ID: q.ID, TypeLabel: l.T(typeLabels[q.Type]), Text: editorEnglish(q.Text), Required: q.Required}
			eq.First = len(movable) > 0 && movable[0] == q.ID
			eq.Last = len(movable) > 0 && movable[len(movable)-1] == q.ID
			if q.ShowIf != nil {
				eq.ShowIf = q.ShowIf.Question
			}
			es.Questions = append(es.Questions, eq)
		}
		p.Sections = append(p.Sections, es)
	}
	p.LocalQuestions = st.localQuestions(def)
	p.CanAddQuestion = !p.Extension || p.LocalQuestions < survey.MaxLocalQuestions
	var others []string
	for _, tag := range surveyLanguages(def) {
		if tag != "en" {
			others = append(others, tag)
		}
	}
	p.Translate = translateLinks(def.ID, "", others)
	p.Preview = page.LanguageLinks(&url.URL{Path: "/staff/surveys/" + def.ID + "/preview"}, "", surveyLanguages(def))
	for i := len(st.versions) - 1; i >= 0; i-- {
		v := st.versions[i]
		p.Versions = append(p.Versions, editorVersion{Version: v.Version, InUse: v.InUse, Working: v.Version == st.def.Version,
			Date: versionDate(v)})
	}
	return p
}

// surveyEditorPage is GET /staff/surveys/{survey}: the working version.
func (s *Server) surveyEditorPage(c *gin.Context) {
	st, err := s.loadEditor(c.Request.Context(), currentUser(c), c.Param("survey"))
	if err != nil {
		s.pageError(c, "staff.surveyEditor", err)
		return
	}
	s.render(c, http.StatusOK, "survey-editor", s.editorView(c, st, st.def))
}

// editorChange runs one change of the working version: the form is read,
// the person's right to edit checked, apply run on a copy and the copy
// saved; then 303 to the editor (at anchor, or to anchor itself when it
// is a path with a query), or the page again with 422 through again.
func (s *Server) editorChange(c *gin.Context,
	apply func(st *editorState, draft *survey.Definition, form url.Values) (anchor string, err error),
	again func(st *editorState, draft *survey.Definition, form url.Values, fail error) bool,
) {
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	u := currentUser(c)
	st, err := s.loadEditor(ctx, u, c.Param("survey"))
	if err != nil {
		s.pageError(c, "staff.surveyEdit", err)
		return
	}
	if !st.canEdit {
		s.errorPage(c, http.StatusForbidden)
		return
	}
	draft, err := cloneDefinition(st.def)
	if err != nil {
		s.pageError(c, "staff.surveyEdit", err)
		return
	}
	anchor, err := apply(st, draft, form)
	version := 0
	if err == nil {
		version, err = s.saveSurvey(ctx, u, draft)
	}
	if err == nil {
		next := "/staff/surveys/" + url.PathEscape(st.def.ID) + "?saved=" + strconv.Itoa(version)
		switch {
		case strings.HasPrefix(anchor, "/"):
			next = anchor + "&saved=" + strconv.Itoa(version)
		case anchor != "":
			next += "#" + anchor
		}
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	if errors.Is(err, errNotFound) || errors.Is(err, store.ErrNotFound) {
		// A section or question the form names is not there (a stale
		// page, or a hand-made form).
		s.errorPage(c, http.StatusNotFound)
		return
	}
	again(st, draft, form, err)
}

// editorAgain shows the editor again with 422: from the draft when keep
// is set (the form edited text that must be kept), else from the stored
// version, with the add forms refilled by fill.
func (s *Server) editorAgain(c *gin.Context, keep bool, control func(def *survey.Definition, path string) string, fill func(p *surveyEditorPage)) func(*editorState, *survey.Definition, url.Values, error) bool {
	return func(st *editorState, draft *survey.Definition, _ url.Values, fail error) bool {
		shown := st.def
		if keep {
			shown = draft
		}
		errs, ok := s.editorErrors(c, fail, func(path string) string { return control(draft, path) })
		if !ok {
			return false
		}
		p := s.editorView(c, st, shown)
		if fill != nil {
			fill(&p)
		}
		p.Errors = errs
		s.render(c, http.StatusUnprocessableEntity, "survey-editor", p)
		return true
	}
}

// editorControl maps a path to the editor page's controls.
func editorControl(def *survey.Definition, path string) string {
	t := targetOf(def, path)
	switch {
	case t.Section == "" && (path == "intro" || len(path) > 5 && path[:6] == "intro."):
		return "survey-intro"
	case t.Section == "" && len(path) >= 9 && path[:9] == "languages":
		return "survey-languages"
	case t.Section == "":
		return "survey-title"
	case t.Question == "":
		return "section-" + t.Section + "-title"
	}
	return "question-" + t.Question
}

// surveySettingsForm is POST /staff/surveys/{survey}/settings: English
// title, introduction and languages.
func (s *Server) surveySettingsForm(c *gin.Context) {
	s.editorChange(c, func(_ *editorState, draft *survey.Definition, form url.Values) (string, error) {
		applySettings(draft, form)
		return "settings", nil
	}, s.editorAgain(c, true, editorControl, nil))
}

// surveyAddSectionForm is POST /staff/surveys/{survey}/sections: a new
// section at the end, with its first question.
func (s *Server) surveyAddSectionForm(c *gin.Context) {
	var in addSectionInput
	var newSection string
	s.editorChange(c, func(st *editorState, draft *survey.Definition, form url.Values) (string, error) {
		in = addSectionInput{ID: form.Get("id"), Title: form.Get("title"), QuestionType: form.Get("question_type"),
			QuestionID: form.Get("question_id"), QuestionText: form.Get("question_text")}
		if draft.Extends != "" && st.localQuestions(draft) >= survey.MaxLocalQuestions {
			return "", fieldProblemAt("add-section-question-text", "SurveyEditorLocalLimit", map[string]any{"Max": survey.MaxLocalQuestions})
		}
		if err := addSection(draft, in.ID, in.Title, in.QuestionType, in.QuestionID, in.QuestionText); err != nil {
			var fe *editorFieldError
			if errors.As(err, &fe) {
				fe.Control = "add-section-question-type"
			}
			return "", err
		}
		newSection = draft.Sections[len(draft.Sections)-1].ID
		return "section-" + newSection, nil
	}, s.editorAgain(c, false, func(def *survey.Definition, path string) string {
		t := targetOf(def, path)
		switch {
		case t.Section != newSection:
			return editorControl(def, path)
		case t.Question == "" && t.Rest == ".id":
			return "add-section-id"
		case t.Question == "":
			return "add-section-title"
		case t.Rest == ".id":
			return "add-section-question-id"
		}
		return "add-section-question-text"
	}, func(p *surveyEditorPage) { p.AddSection = in }))
}

// surveySectionForm is POST /staff/surveys/{survey}/section: a section's
// English title.
func (s *Server) surveySectionForm(c *gin.Context) {
	s.editorChange(c, func(st *editorState, draft *survey.Definition, form url.Values) (string, error) {
		id := form.Get("section")
		i := sectionIndex(draft, id)
		if i < 0 || !st.editable(id) {
			return "", errNotFound
		}
		draft.Sections[i].Title = setEnglish(draft.Sections[i].Title, form.Get("title"), false)
		return "section-" + id, nil
	}, s.editorAgain(c, true, editorControl, nil))
}

// surveyAddQuestionForm is POST /staff/surveys/{survey}/questions: a new
// question of a type at the end of a section; the editor then opens it.
func (s *Server) surveyAddQuestionForm(c *gin.Context) {
	var in addQuestionInput
	var added string
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	in = addQuestionInput{Section: form.Get("section"), Type: form.Get("type"), ID: form.Get("id"), Text: form.Get("text")}
	s.editorChange(c, func(st *editorState, draft *survey.Definition, _ url.Values) (string, error) {
		if !st.editable(in.Section) {
			return "", errNotFound
		}
		if draft.Extends != "" && st.localQuestions(draft) >= survey.MaxLocalQuestions {
			return "", fieldProblemAt("add-"+in.Section+"-text", "SurveyEditorLocalLimit", map[string]any{"Max": survey.MaxLocalQuestions})
		}
		if err := addQuestion(draft, in.Section, in.Type, in.ID, in.Text); err != nil {
			return "", err
		}
		sec := draft.Sections[sectionIndex(draft, in.Section)]
		added = sec.Questions[len(sec.Questions)-1].ID
		return "question-" + added, nil
	}, s.editorAgain(c, false, func(def *survey.Definition, path string) string {
		t := targetOf(def, path)
		switch {
		case t.Question != added || added == "":
			return editorControl(def, path)
		case t.Rest == ".id":
			return "add-" + in.Section + "-id"
		}
		return "add-" + in.Section + "-text"
	}, func(p *surveyEditorPage) { p.AddQuestion = in }))
}

// surveyMoveForm is POST /staff/surveys/{survey}/move: a section or a
// question one place up or down.
func (s *Server) surveyMoveForm(c *gin.Context) {
	s.editorChange(c, func(st *editorState, draft *survey.Definition, form url.Values) (string, error) {
		by := 1
		switch form.Get("direction") {
		case "up":
			by = -1
		case "down":
		default:
			return "", errNotFound
		}
		if id := form.Get("section"); id != "" {
			if !st.editable(id) {
				return "", errNotFound
			}
			if _, err := moveSection(draft, id, by); err != nil {
				return "", err
			}
			return "section-" + id, nil
		}
		id := form.Get("question")
		if si, _, ok := questionIndex(draft, id); !ok || !st.editable(draft.Sections[si].ID) {
			return "", errNotFound
		}
		if _, err := moveQuestion(draft, id, by); err != nil {
			return "", err
		}
		return "question-" + id, nil
	}, s.editorAgain(c, false, editorControl, nil))
}

// --- deleting, with a confirmation step ---

type surveyDeletePage struct {
	page.Base
	SurveyID  string
	Section   string
	Question  string
	What      textView // the English title or text of what goes
	Questions int      // how many questions go with a section
	InUse     bool
}

// deleteTarget finds what a delete request names, in an editable part.
func deleteTarget(st *editorState, values url.Values) (section, question string, what survey.Text, questions int, ok bool) {
	if id := values.Get("question"); id != "" {
		si, qi, found := questionIndex(st.def, id)
		if !found || !st.editable(st.def.Sections[si].ID) {
			return "", "", nil, 0, false
		}
		return "", id, st.def.Sections[si].Questions[qi].Text, 0, true
	}
	id := values.Get("section")
	i := sectionIndex(st.def, id)
	if i < 0 || !st.editable(id) {
		return "", "", nil, 0, false
	}
	return id, "", st.def.Sections[i].Title, len(st.def.Sections[i].Questions), true
}

// surveyDeletePage is GET /staff/surveys/{survey}/delete?section= or
// ?question=: what will go, and a button to confirm.
func (s *Server) surveyDeletePage(c *gin.Context) {
	st, err := s.loadEditor(c.Request.Context(), currentUser(c), c.Param("survey"))
	if err != nil {
		s.pageError(c, "staff.surveyDelete", err)
		return
	}
	if !st.canEdit {
		s.errorPage(c, http.StatusForbidden)
		return
	}
	section, question, what, n, ok := deleteTarget(st, c.Request.URL.Query())
	if !ok {
		s.errorPage(c, http.StatusNotFound)
		return
	}
	title := "SurveyDeleteSectionTitle"
	if question != "" {
		title = "SurveyDeleteQuestionTitle"
	}
	s.render(c, http.StatusOK, "survey-delete", surveyDeletePage{Base: s.staffBase(c, title),
		SurveyID: st.def.ID, Section: section, Question: question, What: editorEnglish(what), Questions: n, InUse: st.inUse})
}

// surveyDeleteForm is POST /staff/surveys/{survey}/delete: the confirmed
// deletion.
func (s *Server) surveyDeleteForm(c *gin.Context) {
	s.editorChange(c, func(st *editorState, draft *survey.Definition, form url.Values) (string, error) {
		section, question, _, _, ok := deleteTarget(st, form)
		switch {
		case !ok:
			return "", errNotFound
		case question != "":
			return "", deleteQuestion(draft, question)
		}
		return "", deleteSection(draft, section)
	}, s.editorAgain(c, false, editorControl, nil))
}

// versionDate is the day a version was stored, if known.
func versionDate(v store.SurveyVersion) string {
	if v.CreatedAt.IsZero() {
		return ""
	}
	return dateOnly(v.CreatedAt)
}
