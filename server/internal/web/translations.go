package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/pofile"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Translation review: each survey's text and the interface messages, per
// language, go out as a PO file, are reviewed in the translator's own tool
// and come back. A text the tool leaves marked "fuzzy" (Poedit: "Needs
// work") stays drafted; every other translated text is recorded as
// reviewed by the member of staff who uploaded it, against a hash of its
// English. A file with any fault is refused whole, each fault with its
// line, and nothing of it is applied.

// PO header fields that tie a file to what it was made from.
const (
	poHeaderScope   = "X-Yousaid-Scope"
	poHeaderVersion = "X-Yousaid-Version"
	poHeaderLang    = "Language"
	// poContentType is the media type of PO files (RFC-less but common).
	poContentType = "text/x-gettext-translation"
)

func init() {
	// A PO file of every interface message runs to a few hundred KB: the
	// uploads take the survey writes' larger body limit.
	for _, r := range []string{
		"POST /staff/surveys/:survey/translations/:lang",
		"POST /staff/translations/interface/:lang",
		"PUT /api/v1/surveys/:survey/translations/:lang/po",
		"PUT /api/v1/translations/interface/:lang/po",
	} {
		surveyWriteRoutes[r] = true
	}
}

// translationRoutes registers the translation review API.
func (s *Server) translationRoutes(staffAPI *gin.RouterGroup) {
	staffAPI.GET("/surveys/:survey/translations/:lang", s.apiTranslationStatus)
	staffAPI.GET("/surveys/:survey/translations/:lang/po", s.apiTranslationDownload)
	staffAPI.PUT("/surveys/:survey/translations/:lang/po", s.apiTranslationUpload)
	staffAPI.GET("/translations/interface/:lang", s.apiTranslationStatus)
	staffAPI.GET("/translations/interface/:lang/po", s.apiTranslationDownload)
	staffAPI.PUT("/translations/interface/:lang/po", s.apiTranslationUpload)
}

// translationPages registers the translation review pages under /staff.
func (s *Server) translationPages(pages *gin.RouterGroup) {
	pages.GET("/surveys/:survey/translations/:lang", s.translationPageHandler)
	pages.GET("/surveys/:survey/translations/:lang/po", s.translationDownloadPage)
	pages.POST("/surveys/:survey/translations/:lang", s.crossOrigin, s.translationUploadPage)
	pages.GET("/translations/interface/:lang", s.translationPageHandler)
	pages.GET("/translations/interface/:lang/po", s.translationDownloadPage)
	pages.POST("/translations/interface/:lang", s.crossOrigin, s.translationUploadPage)
}

// translationTarget is one scope (a survey's newest version, or the
// interface) in one language, as the signed-in user may review it.
type translationTarget struct {
	scope   string             // survey id or store.ScopeInterface
	def     *survey.Definition // nil for the interface
	texts   *survey.Definition // the part of def reviewed here (see reviewedPart)
	version int                // the survey's version; 0 for the interface
	lang    string
	strings []survey.String
}

func (t *translationTarget) isInterface() bool { return t.def == nil }

// translationTarget resolves the request's scope and language: the survey
// (404 if u may not see it, 403 if u may not change it) or the interface
// (platform administrators only); a language the survey or the interface
// does not have, or English, is 404.
func (s *Server) translationTarget(c *gin.Context) (*translationTarget, error) {
	u := currentUser(c)
	lang := c.Param("lang")
	id := c.Param("survey")
	if id == "" {
		if !hasRole(u, store.RolePlatformAdmin) {
			return nil, errForbidden
		}
		l, ok := locale.Lookup(lang)
		if !ok || l.Tag != lang || lang == "en" {
			return nil, errNotFound
		}
		return &translationTarget{scope: store.ScopeInterface, lang: lang, strings: s.locale.Strings(lang)}, nil
	}
	def, err := s.visibleSurvey(c.Request.Context(), u, id, 0)
	if err != nil {
		return nil, err
	}
	if !canEditSurvey(u, def) {
		return nil, errForbidden
	}
	if lang == "en" || !def.HasLanguage(lang) {
		return nil, errNotFound
	}
	texts, err := s.reviewedPart(c.Request.Context(), def)
	if err != nil {
		return nil, err
	}
	return &translationTarget{scope: def.ID, def: def, texts: texts, version: def.Version, lang: lang, strings: texts.Strings(lang)}, nil
}

// reviewedPart is the part of a survey whose texts are reviewed with it:
// all of it, or an extension's own part (its national texts are the
// national survey's to review, and an extension cannot change them).
func (s *Server) reviewedPart(ctx context.Context, def *survey.Definition) (*survey.Definition, error) {
	if def.Extends == "" {
		return def, nil
	}
	base, err := s.definition(ctx, def.Extends, def.BaseVersion)
	if err != nil {
		return nil, err
	}
	return survey.Local(base, def), nil
}

// translationFile builds the PO file of a target: each text with its key
// as msgctxt, its English as msgid, a note for the translator, and
// "fuzzy" on every translated text that is not reviewed.
func translationFile(t *translationTarget, reviews map[string]*survey.Review) *pofile.File {
	f := &pofile.File{
		HeaderComments: []string{"yousaid: review each text against the English, clear \"Needs work\" (fuzzy) when it is right, and upload the file again."},
		Header: []pofile.HeaderField{
			{Name: "Project-Id-Version", Value: strings.TrimSpace(fmt.Sprintf("yousaid %s %s", t.scope, versionText(t.version)))},
			{Name: poHeaderLang, Value: t.lang},
			{Name: "MIME-Version", Value: "1.0"},
			{Name: "Content-Type", Value: "text/plain; charset=UTF-8"},
			{Name: "Content-Transfer-Encoding", Value: "8bit"},
			{Name: poHeaderScope, Value: t.scope},
		},
	}
	if !t.isInterface() {
		f.Header = append(f.Header, pofile.HeaderField{Name: poHeaderVersion, Value: strconv.Itoa(t.version)})
	}
	for _, str := range t.strings {
		e := pofile.Entry{HasContext: true, Context: str.Key, ID: str.Source, Str: str.Target}
		if str.Note != "" {
			e.Extracted = []string{str.Note}
		}
		if str.Target != "" && survey.StatusOf(str, reviews[str.Key]) != survey.StatusReviewed {
			e.Flags = []string{"fuzzy"}
		}
		f.Entries = append(f.Entries, e)
	}
	return f
}

func versionText(v int) string {
	if v == 0 {
		return ""
	}
	return strconv.Itoa(v)
}

// uploadProblem is one fault of an uploaded file: its line, and a message
// (with its data) saying what is wrong as a sentence.
type uploadProblem struct {
	Line      int
	MessageID string
	Data      map[string]any
}

// uploadRefused is a file with faults; nothing of it was applied.
type uploadRefused struct{ problems []uploadProblem }

func (e *uploadRefused) Error() string {
	return fmt.Sprintf("%d problems in the file", len(e.problems))
}

// uploadPlan is what a file changes: new texts by key, and the reviews to
// record.
type uploadPlan struct {
	texts   map[string]string
	reviews map[string]*survey.Review
}

// planUpload checks a parsed file against its target and the current
// reviews, and works out what it changes. A text the file leaves empty is
// left as it is; a text the file leaves out is left as it is.
func planUpload(t *translationTarget, f *pofile.File, reviews map[string]*survey.Review, by string, now time.Time) (*uploadPlan, []uploadProblem) {
	var problems []uploadProblem
	add := func(line int, id string, data ...any) {
		m := map[string]any{"Line": line}
		for i := 0; i+1 < len(data); i += 2 {
			m[data[i].(string)] = data[i+1]
		}
		problems = append(problems, uploadProblem{Line: line, MessageID: id, Data: m})
	}
	headerLine := func(line int) int { return max(line, 1) }

	scope, line, _ := f.Get(poHeaderScope)
	if scope != t.scope {
		add(headerLine(line), "TranslationErrorWrongScope", "Got", orNone(scope), "Want", t.scope)
	}
	if !t.isInterface() {
		v, line, _ := f.Get(poHeaderVersion)
		if v != strconv.Itoa(t.version) {
			add(headerLine(line), "TranslationErrorWrongVersion", "Got", orNone(v), "Want", t.version)
		}
	}
	lang, line, _ := f.Get(poHeaderLang)
	if canonicalTag(lang) != t.lang {
		add(headerLine(line), "TranslationErrorWrongLanguage", "Got", orNone(lang), "Want", t.lang)
	}

	byKey := make(map[string]survey.String, len(t.strings))
	for _, str := range t.strings {
		byKey[str.Key] = str
	}
	plan := &uploadPlan{texts: map[string]string{}, reviews: map[string]*survey.Review{}}
	seen := map[string]int{}
	for i := range f.Entries {
		e := &f.Entries[i]
		str, known := byKey[e.Context]
		switch {
		case !e.HasContext:
			add(e.Line, "TranslationErrorNoKey")
			continue
		case e.IDPlural != "" || len(e.Plural) > 0:
			add(e.Line, "TranslationErrorPlural", "Key", e.Context)
			continue
		case seen[e.Context] > 0:
			add(e.Line, "TranslationErrorDuplicate", "Key", e.Context, "First", seen[e.Context])
			continue
		case !known:
			add(e.Line, "TranslationErrorUnknownKey", "Key", e.Context)
			continue
		case e.ID != str.Source:
			add(e.Line, "TranslationErrorSourceChanged", "Key", e.Context)
			continue
		}
		seen[e.Context] = e.Line
		if e.Str == "" {
			continue
		}
		if t.isInterface() {
			var pe *locale.PlaceholderError
			if err := locale.CheckPlaceholders(e.Context, str.Source, e.Str); errors.As(err, &pe) {
				switch pe.Code {
				case "missing":
					add(e.StrLine, "TranslationErrorPlaceholderMissing", "Key", e.Context, "Name", pe.Name)
				case "extra":
					add(e.StrLine, "TranslationErrorPlaceholderExtra", "Key", e.Context, "Name", pe.Name)
				default:
					add(e.StrLine, "TranslationErrorPlaceholderBroken", "Key", e.Context)
				}
				continue
			}
		}
		status := survey.StatusReviewed
		if e.Fuzzy() {
			status = survey.StatusDrafted
		}
		if e.Str == str.Target && status == survey.StatusOf(str, reviews[str.Key]) {
			continue
		}
		if e.Str != str.Target {
			plan.texts[str.Key] = e.Str
		}
		plan.reviews[str.Key] = &survey.Review{Key: str.Key, SourceHash: survey.SourceHash(str.Source), Text: e.Str, Status: status, By: by, At: now}
	}
	return plan, problems
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// canonicalTag reads a PO Language header, which tools write as "fa_AF"
// as often as "fa-AF".
func canonicalTag(s string) string {
	t, err := language.Parse(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	if err != nil {
		return ""
	}
	return t.String()
}

// uploadResult says what an applied upload changed.
type uploadResult struct {
	Changed int `json:"changed"` // texts whose wording changed
	Marked  int `json:"marked"`  // review marks recorded (reviewed or drafted)
	// Version is the survey version the texts are in now; 0 for the
	// interface.
	Version int `json:"version,omitempty"`
}

// applyUpload reads, checks and applies a PO file to a target. Survey
// texts are saved through saveSurvey (a version in use is never changed:
// the texts become the next version); interface texts take effect in
// the running server at once. A file with faults comes back as
// *uploadRefused, changing nothing.
func (s *Server) applyUpload(ctx context.Context, u *store.User, t *translationTarget, data []byte) (*uploadResult, error) {
	f, err := pofile.Parse(data)
	if err != nil {
		var se *pofile.SyntaxError
		if errors.As(err, &se) {
			return nil, &uploadRefused{problems: []uploadProblem{{Line: se.Line, MessageID: "TranslationErrorSyntax", Data: map[string]any{"Line": se.Line}}}}
		}
		return nil, err
	}
	res := &uploadResult{Version: t.version}
	err = s.store.UpdateTranslationReviews(ctx, t.scope, t.lang, func(tr *store.TranslationReviews) (bool, error) {
		plan, problems := planUpload(t, f, tr.Reviews, u.Email, s.now().UTC())
		if len(problems) > 0 {
			return false, &uploadRefused{problems: problems}
		}
		if len(plan.reviews) == 0 {
			return false, nil
		}
		if len(plan.texts) > 0 && !t.isInterface() {
			next, err := t.def.WithTranslation(t.lang, plan.texts)
			if err != nil {
				return false, err
			}
			all, err := s.surveyReviews(ctx, t.scope)
			if err != nil {
				return false, err
			}
			merged := mergeReviews(tr.Reviews, plan.reviews)
			all[t.lang] = merged
			part, err := s.reviewedPart(ctx, next)
			if err != nil {
				return false, err
			}
			next.Drafted = part.DraftedLanguages(all)
			v, err := s.saveSurvey(ctx, u, next)
			if err != nil {
				return false, err
			}
			res.Version = v
		}
		for k, r := range plan.reviews {
			tr.Reviews[k] = r
		}
		res.Changed, res.Marked = len(plan.texts), len(plan.reviews)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if t.isInterface() && res.Marked > 0 {
		if err := s.applyInterfaceReviews(ctx, t.lang); err != nil {
			return nil, err
		}
	}
	if res.Marked > 0 {
		detail := map[string]string{"language": t.lang, "changed": strconv.Itoa(res.Changed), "marked": strconv.Itoa(res.Marked)}
		council := ""
		if t.def != nil {
			council = t.def.Council
			detail["version"] = strconv.Itoa(res.Version)
		}
		s.auditAfter(ctx, u, council, "translation.uploaded", t.scope, detail)
	}
	return res, nil
}

func mergeReviews(old, changed map[string]*survey.Review) map[string]*survey.Review {
	out := make(map[string]*survey.Review, len(old)+len(changed))
	for k, r := range old {
		out[k] = r
	}
	for k, r := range changed {
		out[k] = r
	}
	return out
}

// surveyReviews returns a survey's reviews by language, then key.
func (s *Server) surveyReviews(ctx context.Context, scope string) (map[string]map[string]*survey.Review, error) {
	all, err := s.store.AllTranslationReviews(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]*survey.Review{}
	for lang, tr := range all[scope] {
		out[lang] = tr.Reviews
	}
	return out, nil
}

// applyInterfaceReviews puts a language's stored interface texts into the
// running server: each text whose review was made against the English in
// use now (an English message changed since shows the file's text, and is
// drafted again).
func (s *Server) applyInterfaceReviews(ctx context.Context, lang string) error {
	tr, err := s.store.TranslationReviews(ctx, store.ScopeInterface, lang)
	if err != nil {
		return err
	}
	return s.locale.Apply(lang, interfaceTexts(s.locale.Strings(lang), tr.Reviews))
}

func interfaceTexts(strs []survey.String, reviews map[string]*survey.Review) map[string]string {
	texts := map[string]string{}
	for _, str := range strs {
		if r := reviews[str.Key]; r != nil && r.Text != "" && r.SourceHash == survey.SourceHash(str.Source) {
			texts[str.Key] = r.Text
		}
	}
	return texts
}

// LoadInterfaceTranslations applies every language's stored interface
// texts; the server calls it once at start-up.
func (s *Server) LoadInterfaceTranslations(ctx context.Context) error {
	all, err := s.store.AllTranslationReviews(ctx)
	if err != nil {
		return fmt.Errorf("web.LoadInterfaceTranslations: %w", err)
	}
	for lang, tr := range all[store.ScopeInterface] {
		if l, ok := locale.Lookup(lang); !ok || l.Tag != lang || lang == "en" {
			continue
		}
		if err := s.locale.Apply(lang, interfaceTexts(s.locale.Strings(lang), tr.Reviews)); err != nil {
			// A message removed from the code since: its review no longer
			// applies; the others still do.
			s.logger.Warn("stored interface translations not applied", "lang", lang, "err", err)
		}
	}
	return nil
}

// readUpload reads the uploaded file: the multipart field "file" of the
// page's form. ok is false when the form has no file (the error page or
// message has been answered already for other faults).
func (s *Server) readUploadForm(c *gin.Context) (data []byte, present bool, ok bool) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		s.errorPage(c, http.StatusUnsupportedMediaType)
		return nil, false, false
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			s.errorPage(c, http.StatusRequestEntityTooLarge)
			return nil, false, false
		case errors.Is(err, http.ErrMissingFile):
			return nil, false, true
		}
		s.errorPage(c, http.StatusBadRequest)
		return nil, false, false
	}
	file, err := fh.Open()
	if err != nil {
		s.errorPage(c, http.StatusBadRequest)
		return nil, false, false
	}
	defer file.Close()
	data, err = io.ReadAll(io.LimitReader(file, MaxSurveyBodyBytes+1))
	if err != nil || len(data) > MaxSurveyBodyBytes {
		s.errorPage(c, http.StatusRequestEntityTooLarge)
		return nil, false, false
	}
	return data, len(data) > 0, true
}

// translationPage is the review page of one scope and language.
type translationPage struct {
	page.Base
	Heading      string
	LangTag      string
	LangName     string
	Version      int // 0 for the interface
	Reviewed     int
	Total        int
	DownloadURL  string
	UploadURL    string
	Rows         []translationRow
	Applied      bool
	Changed      int
	Marked       int
	ProblemCount int
}

type translationRow struct {
	Key, Source, Target string
	Reviewed            bool
	By                  string
	At                  string // date only, as the page shows it
}

func (s *Server) translationPageHandler(c *gin.Context) {
	s.renderTranslationPage(c, http.StatusOK, nil)
}

func (s *Server) renderTranslationPage(c *gin.Context, status int, problems []uploadProblem) {
	ctx := c.Request.Context()
	t, err := s.translationTarget(c)
	if err != nil {
		s.pageError(c, "staff.translations", err)
		return
	}
	tr, err := s.store.TranslationReviews(ctx, t.scope, t.lang)
	if err != nil {
		s.pageError(c, "staff.translations", err)
		return
	}
	l := s.localizer(c)
	lang, _ := locale.Lookup(t.lang)
	langName := lang.EnglishName
	if langName == "" {
		langName = t.lang
	}
	var p translationPage
	if t.isInterface() {
		p.Base = s.staffBase(c, "TranslationsTitleInterface", "Language", langName)
	} else {
		title, _ := t.def.Title.In(l.Tag())
		p.Base = s.staffBase(c, "TranslationsTitleSurvey", "Language", langName, "Survey", title)
	}
	p.LangTag, p.LangName, p.Version = t.lang, lang.Name, t.version
	base := c.Request.URL.Path
	p.DownloadURL, p.UploadURL = base+"/po", base+"?"+url.Values{"lang": {l.Tag()}}.Encode()
	for _, str := range t.strings {
		r := tr.Reviews[str.Key]
		row := translationRow{Key: str.Key, Source: str.Source, Target: str.Target, Reviewed: survey.StatusOf(str, r) == survey.StatusReviewed}
		if row.Reviewed {
			p.Reviewed++
			row.By, row.At = r.By, r.At.UTC().Format("2006-01-02")
		}
		p.Rows = append(p.Rows, row)
	}
	p.Total = len(t.strings)
	q := c.Request.URL.Query()
	if q.Has("changed") {
		p.Applied = true
		p.Changed, _ = strconv.Atoi(q.Get("changed"))
		p.Marked, _ = strconv.Atoi(q.Get("marked"))
	}
	for _, pr := range problems {
		p.Errors = append(p.Errors, page.FieldError{ID: "po-file", Message: l.T(pr.MessageID, pr.Data)})
	}
	p.ProblemCount = len(problems)
	s.render(c, status, "translation", p)
}

func (s *Server) translationDownloadPage(c *gin.Context) {
	t, err := s.translationTarget(c)
	if err != nil {
		s.pageError(c, "staff.translations.download", err)
		return
	}
	s.sendTranslationFile(c, t, func(err error) { s.pageError(c, "staff.translations.download", err) })
}

func (s *Server) sendTranslationFile(c *gin.Context, t *translationTarget, fail func(error)) {
	tr, err := s.store.TranslationReviews(c.Request.Context(), t.scope, t.lang)
	if err != nil {
		fail(err)
		return
	}
	var buf bytes.Buffer
	if err := pofile.Write(&buf, translationFile(t, tr.Reviews)); err != nil {
		fail(err)
		return
	}
	name := t.scope
	if t.version > 0 {
		name += ".v" + strconv.Itoa(t.version)
	}
	name += "." + t.lang + ".po"
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Data(http.StatusOK, poContentType+"; charset=utf-8", buf.Bytes())
}

func (s *Server) translationUploadPage(c *gin.Context) {
	t, err := s.translationTarget(c)
	if err != nil {
		s.pageError(c, "staff.translations.upload", err)
		return
	}
	data, present, ok := s.readUploadForm(c)
	if !ok {
		return
	}
	if !present {
		s.renderTranslationPage(c, http.StatusUnprocessableEntity, []uploadProblem{{MessageID: "TranslationErrorNoFile"}})
		return
	}
	res, err := s.applyUpload(c.Request.Context(), currentUser(c), t, data)
	var refused *uploadRefused
	switch {
	case errors.As(err, &refused):
		s.renderTranslationPage(c, http.StatusUnprocessableEntity, refused.problems)
		return
	case errors.Is(err, store.ErrConflict):
		s.renderTranslationPage(c, http.StatusConflict, []uploadProblem{{MessageID: "TranslationErrorMeanwhile"}})
		return
	case err != nil:
		s.pageError(c, "staff.translations.upload", err)
		return
	}
	q := url.Values{"changed": {strconv.Itoa(res.Changed)}, "marked": {strconv.Itoa(res.Marked)}, "lang": {s.localizer(c).Tag()}}
	c.Redirect(http.StatusSeeOther, c.Request.URL.Path+"?"+q.Encode())
}

// translationStatus is the JSON of GET .../translations/:lang.
type translationStatus struct {
	Scope    string             `json:"scope"`
	Version  int                `json:"version,omitempty"`
	Language string             `json:"language"`
	Reviewed int                `json:"reviewed"`
	Total    int                `json:"total"`
	Strings  []translationEntry `json:"strings"`
}

type translationEntry struct {
	Key        string     `json:"key"`
	Source     string     `json:"source"`
	Text       string     `json:"text"`
	Status     string     `json:"status"`
	ReviewedBy string     `json:"reviewed_by,omitempty"`
	ReviewedAt *time.Time `json:"reviewed_at,omitempty"`
}

func (s *Server) apiTranslationStatus(c *gin.Context) {
	t, err := s.translationTarget(c)
	if err != nil {
		s.fail(c, "api.translations", err)
		return
	}
	tr, err := s.store.TranslationReviews(c.Request.Context(), t.scope, t.lang)
	if err != nil {
		s.fail(c, "api.translations", err)
		return
	}
	out := translationStatus{Scope: t.scope, Version: t.version, Language: t.lang, Total: len(t.strings), Strings: []translationEntry{}}
	for _, str := range t.strings {
		r := tr.Reviews[str.Key]
		e := translationEntry{Key: str.Key, Source: str.Source, Text: str.Target, Status: survey.StatusOf(str, r)}
		if e.Status == survey.StatusReviewed {
			out.Reviewed++
			at := r.At.UTC()
			e.ReviewedBy, e.ReviewedAt = r.By, &at
		}
		out.Strings = append(out.Strings, e)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) apiTranslationDownload(c *gin.Context) {
	t, err := s.translationTarget(c)
	if err != nil {
		s.fail(c, "api.translations.download", err)
		return
	}
	s.sendTranslationFile(c, t, func(err error) { s.fail(c, "api.translations.download", err) })
}

// errNotPO is a PUT whose body is not declared as a PO file.
var errNotPO = &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", MessageID: "TranslationErrorNotPO"}

func (s *Server) apiTranslationUpload(c *gin.Context) {
	t, err := s.translationTarget(c)
	if err != nil {
		s.fail(c, "api.translations.upload", err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != poContentType && mt != "text/x-po" && mt != "application/x-po" {
		s.fail(c, "api.translations.upload", errNotPO)
		return
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.fail(c, "api.translations.upload", errBodyTooLarge)
			return
		}
		s.fail(c, "api.translations.upload", errInvalidJSON)
		return
	}
	res, err := s.applyUpload(c.Request.Context(), currentUser(c), t, data)
	var refused *uploadRefused
	switch {
	case errors.As(err, &refused):
		s.fail(c, "api.translations.upload", refusedError(refused))
		return
	case errors.Is(err, store.ErrConflict):
		s.fail(c, "api.translations.upload", conflict("translation_conflict", "TranslationErrorMeanwhile", ""))
		return
	case err != nil:
		s.fail(c, "api.translations.upload", err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// refusedError is the 422 of a refused file: every fault, each with its
// line as the field ("line 14").
func refusedError(r *uploadRefused) *apiError {
	fields := make([]fieldProblem, len(r.problems))
	for i, p := range r.problems {
		fields[i] = fieldProblem{Code: "translation_refused", MessageID: p.MessageID, Field: "line " + strconv.Itoa(p.Line), Data: p.Data}
	}
	first := fields[0]
	return &apiError{Status: http.StatusUnprocessableEntity, Code: first.Code, MessageID: first.MessageID, Field: first.Field, Data: first.Data, Fields: fields}
}

// translationDrafted reports whether a survey's text in lang has any text
// not reviewed, for the drafted notice on the results page.
func (s *Server) translationDrafted(ctx context.Context, def *survey.Definition, lang string) (bool, error) {
	if lang == "en" || !def.HasLanguage(lang) {
		return false, nil
	}
	tr, err := s.store.TranslationReviews(ctx, def.ID, lang)
	if err != nil {
		return false, err
	}
	part, err := s.reviewedPart(ctx, def)
	if err != nil {
		return false, err
	}
	strs := part.Strings(lang)
	return survey.ReviewCount(strs, tr.Reviews) < len(strs), nil
}
