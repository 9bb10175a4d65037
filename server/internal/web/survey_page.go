package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/metrics"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// The survey form's own fields, besides one per question (see API.md,
// "Responses"). survey.ParseForm is told to ignore them.
const (
	fieldLang       = "lang"            // the language the answers were given in
	fieldCode       = "code"            // a codes wave's single-use code
	fieldIdemKey    = "idempotency_key" // made when the form is drawn, so a resubmission is stored once
	fieldSwitchLang = "switch_lang"     // a language button: draw the form again in that language
)

var reservedFields = []string{fieldLang, fieldCode, fieldIdemKey, fieldSwitchLang}

// codeControlID is the id of the code input, which the error summary links to.
const codeControlID = "code"

// surveyPage is the view model of the page "survey": the whole survey on
// one page, every section shown, for a browser without JavaScript;
// survey.js turns it into one section at a time.
type surveyPage struct {
	page.Base
	WaveID      string
	SurveyTitle textView
	// Intro is the survey's own introduction; without one the page says in
	// interface messages that the survey is anonymous and skippable.
	Intro          textView
	AnyRequired    bool
	SurveyFellBack bool // some survey text is shown in English
	// Codes is set for a codes wave: the page asks for the code first.
	Codes bool
	Code  string
	// CodeField carries the code's error, if any.
	CodeField page.Field
	// IdempotencyKey goes back with the form, so that the same form sent
	// twice (a double tap, a resend after a dropped connection) is stored
	// once.
	IdempotencyKey string
	// Switch lists the survey's languages as buttons that post the form
	// back, so answers survive a change of language without JavaScript.
	Switch []page.LanguageLink
	// ChooseLanguage opens the list of languages: the language was only
	// guessed from the browser, so the person may be looking for theirs.
	ChooseLanguage bool
	// Filled reports that the form carries answers sent by the person, so
	// survey.js must not overwrite them with a saved draft.
	Filled bool
	// NotSaved is set when the store could not take the answers: the page
	// says so above the form, which still holds every answer.
	NotSaved bool
	Sections []sectionView
	// Attribution is a notice the survey must show (e.g. a licence).
	Attribution textView
	// Preview is set when staff preview the survey in the editor: the
	// form then goes back to the preview, never to a wave.
	Preview *surveyPreview
}

// textView is one piece of survey text in the page's language; Lang is
// "en" when the text fell back to English, and empty otherwise, for a lang
// attribute that lets a screen reader switch voice.
type textView struct {
	S    string
	Lang string
}

type sectionView struct {
	ID        string
	Title     textView
	Questions []questionView
}

// questionView is one question as the page draws it. Every control id
// starts with "q-" so that no question id can collide with the page's own
// ids.
type questionView struct {
	L        *locale.Localizer
	ID       string
	Type     string
	Text     textView
	Hint     textView
	Required bool
	// FirstID is the id of the question's first control: the label's
	// target, and the error summary's link.
	FirstID string
	// Field carries the question's error message, if any.
	Field page.Field
	// DescribedBy lists the ids of the hint, condition and error, for
	// aria-describedby.
	DescribedBy string
	// Options are the choices of a choice, multi or scale question.
	Options []optionView
	// MinLabel and MaxLabel name a scale's ends.
	Min, Max           int
	MinLabel, MaxLabel textView
	MaxChoices         int
	MaxLength          int
	Value              string // a text question's answer
	ShowIf             *conditionView
	// Clip is the URL of a recording of the question in the page's
	// language, if staff attached one (audio.go).
	Clip string
}

type optionView struct {
	ID      string
	Value   string
	Label   textView
	Checked bool
}

// conditionView says which earlier answer a follow-up question depends on.
type conditionView struct {
	Question string // the id of the question it follows
	In       string // the values that show it, separated by spaces, for survey.js
	// Text is the earlier question; Answers the labels of the answers that
	// show this one.
	Text    textView
	Answers []textView
}

// surveyLanguages are the languages a survey page can be shown in: the
// survey's own, less any the interface does not have.
func surveyLanguages(def *survey.Definition) []string {
	langs := make([]string, 0, len(def.Languages))
	for _, tag := range def.Languages {
		if l, ok := locale.Lookup(tag); ok && l.Tag == tag {
			langs = append(langs, tag)
		}
	}
	if len(langs) == 0 {
		langs = append(langs, "en")
	}
	return langs
}

func textIn(t survey.Text, lang string) textView {
	s, fellBack := t.In(lang)
	if fellBack && s != "" {
		return textView{S: s, Lang: "en"}
	}
	return textView{S: s}
}

// surveyTexts picks a survey's texts in one language and remembers whether
// any of them fell back to English, so the page can say so.
type surveyTexts struct {
	lang     string
	fellBack bool
}

func (st *surveyTexts) in(t survey.Text) textView {
	v := textIn(t, st.lang)
	st.fellBack = st.fellBack || v.Lang != ""
	return v
}

// surveyView builds the page for def in l's language, filled from form
// (nil for a fresh page) with errs shown against their fields.
func (s *Server) surveyView(w *store.Wave, def *survey.Definition, l *locale.Localizer, form url.Values, errs []page.FieldError) surveyPage {
	lang := l.Tag()
	st := &surveyTexts{lang: lang}
	title := st.in(def.Title)
	p := surveyPage{
		Base:        s.pages.NewBase(l, title.S),
		WaveID:      w.ID,
		SurveyTitle: title,
		Intro:       st.in(def.Intro),
		Attribution: st.in(def.Attribution),
		Codes:       w.Access == store.AccessCodes,
		Code:        form.Get(fieldCode),
		Filled:      form != nil,
	}
	p.Errors = errs
	p.CodeField = p.Field(codeControlID)
	p.IdempotencyKey = form.Get(fieldIdemKey)
	if _, err := uuid.Parse(p.IdempotencyKey); err != nil {
		p.IdempotencyKey = uuid.NewString()
	}
	// The language buttons post to this page, which has no query to keep.
	p.Switch = page.LanguageLinks(&url.URL{Path: "/w/" + w.ID}, lang, surveyLanguages(def))
	clips := s.surveyClipURLs(def)
	for _, sec := range def.Sections {
		sv := sectionView{ID: sec.ID, Title: st.in(sec.Title)}
		for i := range sec.Questions {
			q := &sec.Questions[i]
			qv := newQuestionView(def, q, l, st, form)
			qv.Field = p.Field(qv.FirstID)
			qv.DescribedBy = describedBy(qv)
			qv.Clip = clips[clipCacheKey(q.ID, lang)]
			p.AnyRequired = p.AnyRequired || q.Required
			sv.Questions = append(sv.Questions, qv)
		}
		p.Sections = append(p.Sections, sv)
	}
	p.SurveyFellBack = st.fellBack
	return p
}

func newQuestionView(def *survey.Definition, q *survey.Question, l *locale.Localizer, st *surveyTexts, form url.Values) questionView {
	qv := questionView{
		L: l, ID: q.ID, Type: q.Type, Required: q.Required,
		Text: st.in(q.Text), Hint: st.in(q.Hint),
		MaxChoices: q.MaxChoices, MaxLength: q.MaxLength,
		FirstID: firstControlID(q),
	}
	given := form[q.ID]
	switch q.Type {
	case survey.TypeChoice, survey.TypeMulti:
		for i, o := range q.Options {
			qv.Options = append(qv.Options, optionView{
				ID: fmt.Sprintf("q-%s-%d", q.ID, i+1), Value: o.Value,
				Label: st.in(o.Label), Checked: slices.Contains(given, o.Value),
			})
		}
	case survey.TypeScale:
		if q.Min != nil && q.Max != nil {
			qv.Min, qv.Max = *q.Min, *q.Max
		}
		qv.MinLabel, qv.MaxLabel = st.in(q.MinLabel), st.in(q.MaxLabel)
		for n := qv.Min; n <= qv.Max && n-qv.Min < 1000; n++ {
			v := strconv.Itoa(n)
			qv.Options = append(qv.Options, optionView{
				ID: fmt.Sprintf("q-%s-%d", q.ID, n-qv.Min+1), Value: v,
				Label: textView{S: v}, Checked: slices.Contains(given, v),
			})
		}
	case survey.TypeText:
		if qv.MaxLength <= 0 {
			qv.MaxLength = survey.DefaultMaxTextLength
		}
		// Two values only come from a hand-made form; show both to fix.
		qv.Value = strings.Join(given, "\n")
	}
	if c := q.ShowIf; c != nil {
		cv := &conditionView{Question: c.Question, In: strings.Join(c.In, " ")}
		if target, ok := def.Question(c.Question); ok {
			cv.Text = st.in(target.Text)
			for _, v := range c.In {
				if o, ok := target.Option(v); ok {
					cv.Answers = append(cv.Answers, st.in(o.Label))
				}
			}
		}
		qv.ShowIf = cv
	}
	return qv
}

// describedBy lists the ids of what describes a question's controls, in
// the order they are read: when it applies, its hint, its limits, its error.
func describedBy(q questionView) string {
	var ids []string
	if q.ShowIf != nil {
		ids = append(ids, "q-"+q.ID+"-if")
	}
	if q.Hint.S != "" {
		ids = append(ids, "q-"+q.ID+"-hint")
	}
	if q.Type == survey.TypeScale || (q.Type == survey.TypeMulti && q.MaxChoices > 0) || q.Type == survey.TypeText {
		ids = append(ids, "q-"+q.ID+"-more")
	}
	if d := q.Field.DescribedBy(); d != "" {
		ids = append(ids, d)
	}
	return strings.Join(ids, " ")
}

// surveyWave loads the wave of the URL and its survey for a survey page,
// and chooses the page's language among the survey's: explicit values
// first (?lang=, then the form's choices), then Accept-Language.
func (s *Server) surveyWave(c *gin.Context, explicit ...string) (*store.Wave, *survey.Definition, *locale.Localizer, error) {
	w, def, err := s.openWaveFor(c.Request.Context(), c.Param("wave"))
	if err != nil {
		return nil, nil, nil, err
	}
	l := s.useLanguage(c, surveyLanguages(def), explicit...)
	return w, def, l, nil
}

// surveyForm is GET /w/{wave}: the survey, in the language of ?lang= or
// the browser's, among the survey's languages.
func (s *Server) surveyForm(c *gin.Context) {
	w, def, l, err := s.surveyWave(c)
	if err != nil {
		s.pageError(c, "survey.form", err)
		return
	}
	p := s.surveyView(w, def, l, nil, nil)
	p.ChooseLanguage = c.Query("lang") == ""
	s.render(c, http.StatusOK, "survey", p)
}

// surveySubmit is POST /w/{wave}, the form without JavaScript. It stores
// the answers through submit, as the JSON endpoint does, and answers:
//
//   - 303 to the thank-you page once they are stored;
//   - 200 with the form again, in the new language and with every answer
//     kept, when a language button was pressed (nothing is stored);
//   - 422 with the form again, an error summary and every answer kept,
//     when answers are invalid, and also when the code is missing, wrong
//     or used: the JSON endpoint's 403 code_invalid would be an error page
//     here, and the person would lose their answers to it;
//   - 503 with the form again, every answer kept, a banner and Retry-After
//     when the store could not take them: never a thank-you;
//   - the error page for an unknown (404) or closed (410) wave.
func (s *Server) surveySubmit(c *gin.Context) {
	form, ok := s.postedForm(c)
	if !ok {
		return
	}
	switchTo := form.Get(fieldSwitchLang)
	w, def, l, err := s.surveyWave(c, switchTo, form.Get(fieldLang))
	if err != nil {
		s.countResponse(metrics.ChannelForm, err)
		s.pageError(c, "survey.submit", err)
		return
	}
	if switchTo != "" {
		s.render(c, http.StatusOK, "survey", s.surveyView(w, def, l, form, nil))
		return
	}

	answers, ferrs := survey.ParseForm(def, form, reservedFields...)
	code := strings.TrimSpace(form.Get(fieldCode))
	var errs []page.FieldError
	if w.Access == store.AccessCodes && code == "" {
		errs = append(errs, page.FieldError{ID: codeControlID, Message: l.T("SurveyCodeMissing")})
	}
	for _, fe := range ferrs {
		errs = append(errs, page.FieldError{ID: s.controlID(def, fe.Field), Message: l.T(fe.MessageID, fe.TemplateData(def))})
	}
	if len(errs) > 0 {
		if len(ferrs) > 0 {
			s.countResponse(metrics.ChannelForm, errFormInvalid)
		} else {
			s.countResponse(metrics.ChannelForm, errCodeInvalid)
		}
		s.render(c, http.StatusUnprocessableEntity, "survey", s.surveyView(w, def, l, form, errs))
		return
	}

	key := strings.ToLower(form.Get(fieldIdemKey))
	if _, err := uuid.Parse(key); err != nil {
		key = ""
	}
	_, err = s.submit(c.Request.Context(), submission{
		wave: w, def: def, language: l.Tag(), code: code, key: key, answers: answers,
	})
	s.countResponse(metrics.ChannelForm, err)
	thanks := "/w/" + url.PathEscape(w.ID) + "/thanks?lang=" + url.QueryEscape(l.Tag())
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, thanks)
	case errors.Is(err, errIdemMismatch):
		// This form's first sending was stored already (the answer to it
		// was lost on the way, or the person came back and changed it):
		// the response is in, once. Storing the changed answers too would
		// count them twice, so the thank-you page says which were kept.
		c.Redirect(http.StatusSeeOther, thanks+"&"+thanksResentParam+"=1")
	case errors.Is(err, errCodeInvalid):
		errs = []page.FieldError{{ID: codeControlID, Message: l.T("ErrorCodeInvalid")}}
		s.render(c, http.StatusUnprocessableEntity, "survey", s.surveyView(w, def, l, form, errs))
	default:
		s.logger.Error("survey form not stored", "op", "survey.submit", "err", err)
		p := s.surveyView(w, def, l, form, nil)
		p.NotSaved = true
		c.Header("Retry-After", strconv.Itoa(errUnavailable.RetryAfter))
		s.render(c, http.StatusServiceUnavailable, "survey", p)
	}
}

// controlID is the id the error summary links to for a field at fault:
// its question's first control. A field that is no question (which only a
// hand-made form can send) links to the form.
func (s *Server) controlID(def *survey.Definition, field string) string {
	if q, ok := def.Question(field); ok {
		return firstControlID(q)
	}
	return "survey"
}

// firstControlID is the id of a question's first control: its first
// option's radio button or checkbox, or its text box.
func firstControlID(q *survey.Question) string {
	if q.Type == survey.TypeText {
		return "q-" + q.ID
	}
	return "q-" + q.ID + "-1"
}
