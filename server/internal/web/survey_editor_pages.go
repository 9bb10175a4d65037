package web

// The editor's page for one question and its translation page.

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/survey"
)

type surveyQuestionPage struct {
	page.Base
	SurveyID  string
	InUse     bool
	Q         editorQuestionForm
	TypeLabel string
	// Earlier lists the choice and multi questions before this one, whose
	// answers may make it a follow-up.
	Earlier []showIfQuestion
}

// editorQuestionForm is the question as its form shows it: the working
// version, or what was sent when it could not be saved.
type editorQuestionForm struct {
	ID, Type                     string
	Text, Hint                   string
	Required                     bool
	Options                      []editorOption
	MaxChoices, MaxLength        string
	Min, Max, MinLabel, MaxLabel string
}

type editorOption struct {
	Index        int
	Was          string // the value the row edits
	Value, Label string
}

type showIfQuestion struct {
	ID      string
	Text    textView
	Open    bool // some of its answers are ticked
	Answers []showIfAnswer
}

type showIfAnswer struct {
	ID, Value string
	Label     textView
	Checked   bool
}

func (s *Server) questionView(c *gin.Context, st *editorState, def *survey.Definition, q *survey.Question) surveyQuestionPage {
	l := s.localizer(c)
	p := surveyQuestionPage{Base: s.staffBase(c, "SurveyQuestionTitle", "Question", q.ID), SurveyID: def.ID,
		InUse: st.inUse, TypeLabel: l.T(typeLabels[q.Type])}
	f := editorQuestionForm{ID: q.ID, Type: q.Type, Text: q.Text["en"], Hint: q.Hint["en"], Required: q.Required,
		MinLabel: q.MinLabel["en"], MaxLabel: q.MaxLabel["en"]}
	if q.MaxChoices != 0 {
		f.MaxChoices = strconv.Itoa(q.MaxChoices)
	}
	if q.MaxLength != 0 {
		f.MaxLength = strconv.Itoa(q.MaxLength)
	}
	if q.Min != nil {
		f.Min = strconv.Itoa(*q.Min)
	}
	if q.Max != nil {
		f.Max = strconv.Itoa(*q.Max)
	}
	for k, o := range q.Options {
		f.Options = append(f.Options, editorOption{Index: k, Was: o.Value, Value: o.Value, Label: o.Label["en"]})
	}
	p.Q = f
	first := true
	for _, earlier := range def.Questions() {
		if earlier.ID == q.ID {
			break
		}
		if earlier.Type != survey.TypeChoice && earlier.Type != survey.TypeMulti {
			continue
		}
		sq := showIfQuestion{ID: earlier.ID, Text: editorEnglish(earlier.Text)}
		for _, o := range earlier.Options {
			a := showIfAnswer{ID: "ed-if-" + earlier.ID + "-" + o.Value, Value: showIfValue(earlier.ID, o.Value), Label: editorEnglish(o.Label)}
			if first {
				// The error summary links to the first box.
				a.ID, first = ctlShowIf, false
			}
			a.Checked = q.ShowIf != nil && q.ShowIf.Question == earlier.ID && slices.Contains(q.ShowIf.In, o.Value)
			sq.Open = sq.Open || a.Checked
			sq.Answers = append(sq.Answers, a)
		}
		p.Earlier = append(p.Earlier, sq)
	}
	return p
}

// surveyQuestionPage is GET /staff/surveys/{survey}/question?id=: one
// question's form.
func (s *Server) surveyQuestionPage(c *gin.Context) {
	st, err := s.loadEditor(c.Request.Context(), currentUser(c), c.Param("survey"))
	if err != nil {
		s.pageError(c, "staff.surveyQuestion", err)
		return
	}
	si, qi, ok := questionIndex(st.def, c.Query("id"))
	if !ok || !st.canEdit || !st.editable(st.def.Sections[si].ID) {
		if ok && st.editable(st.def.Sections[si].ID) {
			s.errorPage(c, http.StatusForbidden)
			return
		}
		s.errorPage(c, http.StatusNotFound)
		return
	}
	s.render(c, http.StatusOK, "survey-question", s.questionView(c, st, st.def, &st.def.Sections[si].Questions[qi]))
}

// surveyQuestionForm is POST /staff/surveys/{survey}/question: the
// question form (id names the question).
func (s *Server) surveyQuestionForm(c *gin.Context) {
	var id string
	s.editorChange(c, func(st *editorState, draft *survey.Definition, form url.Values) (string, error) {
		id = form.Get("id")
		si, qi, ok := questionIndex(draft, id)
		if !ok || !st.editable(draft.Sections[si].ID) {
			return "", errNotFound
		}
		return "question-" + id, applyQuestionForm(&draft.Sections[si].Questions[qi], form)
	}, func(st *editorState, draft *survey.Definition, form url.Values, fail error) bool {
		errs, ok := s.editorErrors(c, fail, func(path string) string {
			if t := targetOf(draft, path); t.Question == id {
				return questionControl(t.Rest)
			}
			return ctlText
		})
		if !ok {
			return false
		}
		si, qi, _ := questionIndex(draft, id)
		p := s.questionView(c, st, draft, &draft.Sections[si].Questions[qi])
		keepQuestionForm(&p, form)
		p.Errors = errs
		s.render(c, http.StatusUnprocessableEntity, "survey-question", p)
		return true
	})
}

// keepQuestionForm puts back what was sent exactly as typed, where the
// draft could not hold it (a number that was no number, an option row
// being added).
func keepQuestionForm(p *surveyQuestionPage, form url.Values) {
	for _, kept := range []struct {
		field string
		to    *string
	}{{"max_choices", &p.Q.MaxChoices}, {"max_length", &p.Q.MaxLength}, {"min", &p.Q.Min}, {"max", &p.Q.Max}} {
		if form.Has(kept.field) {
			*kept.to = form.Get(kept.field)
		}
	}
	ticked := form["show_if"]
	for i := range p.Earlier {
		for j := range p.Earlier[i].Answers {
			a := &p.Earlier[i].Answers[j]
			a.Checked = slices.Contains(ticked, a.Value)
			p.Earlier[i].Open = p.Earlier[i].Open || a.Checked
		}
	}
}

// --- translation, side by side with English ---

type surveyTranslatePage struct {
	page.Base
	SurveyID       string
	InUse          bool
	Target         string // the language's tag
	TargetName     string
	TargetDir      string
	Items          []editorTextRow
	Languages      []page.LanguageLink
	CanEdit        bool
	BaseReadOnly   bool // an extension: the national texts are not here
	PreviewURL     string
	MissingCount   int
	TranslateCount int
}

type editorTextRow struct {
	Key, Control, Label string
	English             string
	Text                string
	Long                bool
	Missing             bool
}

// translationLabels names each kind of text on the translation page.
func translationLabel(l *locale.Localizer, def *survey.Definition, key string) string {
	kind, rest, _ := cut3(key)
	switch kind {
	case "title":
		return l.T("SurveyEditorSurveyTitle")
	case "intro":
		return l.T("SurveyEditorIntro")
	case "s":
		return l.T("SurveyTranslateSectionTitle", "Section", rest[0])
	case "o":
		return l.T("SurveyTranslateOption", "Question", rest[0], "Value", rest[1])
	}
	switch rest[1] {
	case "hint":
		return l.T("SurveyTranslateHint", "Question", rest[0])
	case "min_label":
		return l.T("SurveyTranslateMinLabel", "Question", rest[0])
	case "max_label":
		return l.T("SurveyTranslateMaxLabel", "Question", rest[0])
	}
	return l.T("SurveyTranslateQuestion", "Question", rest[0])
}

// cut3 splits a translation key "o.question.value" into its kind and the
// ids after it (an option value may hold no dot, nor may an id).
func cut3(key string) (string, [2]string, bool) {
	var out [2]string
	kind, rest, ok := cutDot(key)
	if !ok {
		return kind, out, false
	}
	out[0], out[1], _ = cutDot(rest)
	return kind, out, true
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (s *Server) translateView(c *gin.Context, st *editorState, def *survey.Definition, lang string) surveyTranslatePage {
	l := s.localizer(c)
	name := lang
	if ll, ok := locale.Lookup(lang); ok {
		name = ll.Name
	}
	p := surveyTranslatePage{Base: s.staffBase(c, "SurveyTranslateTitle", "Language", name), SurveyID: def.ID, InUse: st.inUse,
		Target: lang, TargetName: name, TargetDir: locale.Dir(lang), CanEdit: st.canEdit, BaseReadOnly: def.Extends != "",
		PreviewURL: "/staff/surveys/" + def.ID + "/preview?lang=" + url.QueryEscape(lang)}
	var others []string
	for _, tag := range surveyLanguages(def) {
		if tag != "en" {
			others = append(others, tag)
		}
	}
	p.Languages = translateLinks(def.ID, lang, others)
	for _, it := range translationKeys(def, st.editable) {
		row := editorTextRow{Key: it.Key, Control: translationControl(it.Key), Label: translationLabel(l, def, it.Key),
			English: (*it.Text)["en"], Text: (*it.Text)[lang], Long: it.Long}
		row.Missing = row.Text == ""
		if row.Missing {
			p.MissingCount++
		}
		p.Items = append(p.Items, row)
	}
	p.TranslateCount = len(p.Items)
	return p
}

// translateLinks leads to the translation page of each language in tags;
// the language to translate into is "to", so that "lang" stays the
// language of the page itself.
func translateLinks(id, current string, tags []string) []page.LanguageLink {
	links := page.LanguageLinks(nil, current, tags)
	for i := range links {
		links[i].URL = "/staff/surveys/" + url.PathEscape(id) + "/translate?to=" + url.QueryEscape(links[i].Tag)
	}
	return links
}

// translateLanguage is the language a translation request names: one of
// the survey's, not English.
func translateLanguage(def *survey.Definition, tag string) (string, bool) {
	for _, t := range surveyLanguages(def) {
		if t == tag && t != "en" {
			return t, true
		}
	}
	return "", false
}

// surveyTranslatePage is GET /staff/surveys/{survey}/translate?to=:
// every text of the survey in English beside its translation.
func (s *Server) surveyTranslatePage(c *gin.Context) {
	st, err := s.loadEditor(c.Request.Context(), currentUser(c), c.Param("survey"))
	if err != nil {
		s.pageError(c, "staff.surveyTranslate", err)
		return
	}
	lang, ok := translateLanguage(st.def, c.Query("to"))
	if !ok {
		s.errorPage(c, http.StatusNotFound)
		return
	}
	s.render(c, http.StatusOK, "survey-translate", s.translateView(c, st, st.def, lang))
}

// surveyTranslateForm is POST /staff/surveys/{survey}/translate: the
// texts in one language (to), each field t:<key>.
func (s *Server) surveyTranslateForm(c *gin.Context) {
	var lang string
	s.editorChange(c, func(st *editorState, draft *survey.Definition, form url.Values) (string, error) {
		var ok bool
		if lang, ok = translateLanguage(draft, form.Get("to")); !ok {
			return "", errNotFound
		}
		applyTranslations(draft, lang, form, st.editable)
		return "/staff/surveys/" + url.PathEscape(draft.ID) + "/translate?to=" + url.QueryEscape(lang), nil
	}, func(st *editorState, draft *survey.Definition, _ url.Values, fail error) bool {
		errs, ok := s.editorErrors(c, fail, func(path string) string {
			return translationControl(translationKeyOf(draft, path))
		})
		if !ok {
			return false
		}
		p := s.translateView(c, st, draft, lang)
		p.Errors = errs
		s.render(c, http.StatusUnprocessableEntity, "survey-translate", p)
		return true
	})
}
