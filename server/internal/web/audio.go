package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/page"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// Recorded audio: staff attach a short recording of a question, read
// aloud in one language, for young people who cannot read the language
// they speak. The survey page shows a native <audio controls
// preload="none"> beside that question, which costs nothing until it is
// played; the clip is served by its content hash and cached for ever.

// Routes that take a recording's bytes, and how many bytes they read: the
// API takes the raw file, the page a multipart form whose fields and
// boundaries need a little room besides the file (limitBody).
const (
	clipAPIRoute    = "PUT /api/v1/surveys/:survey/audio/:question/:lang"
	clipUploadRoute = "POST /staff/surveys/:survey/audio/:question/:lang"
	clipFormSlack   = 16 << 10
)

// clipFileField is the upload form's file input, by name and id.
const clipFileField = "clip"

// audioAPIRoutes registers the recording API on the token-authenticated group.
func (s *Server) audioAPIRoutes(staff *gin.RouterGroup) {
	staff.GET("/surveys/:survey/audio", s.listClips)
	staff.PUT("/surveys/:survey/audio/:question/:lang", s.putClipAPI)
	staff.DELETE("/surveys/:survey/audio/:question/:lang", s.deleteClipAPI)
}

// audioPageRoutes registers the public clip files and the staff pages.
func (s *Server) audioPageRoutes(r *gin.Engine, staff *gin.RouterGroup) {
	r.GET("/audio/*file", s.serveClip)
	staff.GET("/audio", s.audioSurveysPage)
	staff.GET("/surveys/:survey/audio", s.audioPage)
	staff.GET("/surveys/:survey/audio/:question/:lang", s.audioClipPage)
	staff.POST("/surveys/:survey/audio/:question/:lang", s.crossOrigin, s.audioUploadForm)
	staff.POST("/surveys/:survey/audio/:question/:lang/delete", s.crossOrigin, s.audioDeleteForm)
}

// clipURL is where a clip is served: its digest names it, so the URL
// changes whenever the recording does and may be cached for ever.
func clipURL(c *store.Clip) string { return "/audio/" + c.SHA256 + "." + c.Ext }

var clipPath = regexp.MustCompile(`^/([0-9a-f]{64})\.([a-z0-9]{2,4})$`)

// clipBlob is a clip's bytes as served.
type clipBlob struct {
	data        []byte
	contentType string
	ext         string
	modified    time.Time
}

// clipBlobs keeps served clips in memory: a survey day plays the same few
// recordings many times, and GridFS is read once for each. Bounded by
// total size; when full it simply starts again.
type clipBlobs struct {
	mu    sync.Mutex
	size  int
	blobs map[string]clipBlob
}

const clipBlobsMax = 32 << 20

func (b *clipBlobs) get(sum string) (clipBlob, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	blob, ok := b.blobs[sum]
	return blob, ok
}

// drop forgets the bytes of digest sum: a replaced or removed recording
// must stop being served at once, not when the memory is next reclaimed.
// If another clip still has the same bytes, the next request reads them
// again from the store.
func (b *clipBlobs) drop(sum string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if blob, ok := b.blobs[sum]; ok {
		b.size -= len(blob.data)
		delete(b.blobs, sum)
	}
}

func (b *clipBlobs) put(sum string, blob clipBlob) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.blobs == nil || b.size+len(blob.data) > clipBlobsMax {
		b.blobs, b.size = map[string]clipBlob{}, 0
	}
	b.blobs[sum] = blob
	b.size += len(blob.data)
}

// serveClip is GET /audio/{sha256}.{ext}: a recording, with the type it
// was checked to be, cached for ever (its URL changes with its bytes), no
// cookie, and Range requests answered (players seek with them).
func (s *Server) serveClip(c *gin.Context) {
	m := clipPath.FindStringSubmatch(c.Param("file"))
	if m == nil {
		s.errorPage(c, http.StatusNotFound)
		return
	}
	sum, ext := m[1], m[2]
	blob, ok := s.clipBlobs.get(sum)
	if !ok {
		clip, err := s.store.ClipByDigest(c.Request.Context(), sum)
		if err != nil {
			s.pageError(c, "audio.serve", err)
			return
		}
		data, err := s.store.ClipData(c.Request.Context(), clip)
		if err != nil {
			s.pageError(c, "audio.serve", err)
			return
		}
		if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
			s.logger.Error("clip bytes do not match their digest", "op", "audio.serve", "clip", clip.ID)
			s.errorPage(c, http.StatusNotFound)
			return
		}
		blob = clipBlob{data: data, contentType: clip.ContentType, ext: clip.Ext, modified: clip.UploadedAt}
		s.clipBlobs.put(sum, blob)
	}
	if blob.ext != ext {
		s.errorPage(c, http.StatusNotFound)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", blob.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+sum+`"`)
	http.ServeContent(c.Writer, c.Request, "", blob.modified, bytes.NewReader(blob.data))
	c.Abort()
}

// clipCache keeps each survey's clip URLs for a short time, so that a
// survey page never reads the store for them on every view. A change made
// in this process is seen at once; another process sees it within ttl.
type clipCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]clipEntry
}

type clipEntry struct {
	urls    map[string]string // "<question>/<language>" → URL
	fetched time.Time
}

func clipCacheKey(question, lang string) string { return question + "/" + lang }

// clipURLs returns the URLs of a survey's clips by question and language.
// A store failure shows no clips (the survey works without them; the
// Listen button stays) and is logged. The read is shared by every page
// view that waits on it, so it runs on its own bounded context rather
// than one visitor's request.
func (s *Server) clipURLs(surveyID string) map[string]string {
	now := time.Now()
	s.clipCache.mu.Lock()
	e, ok := s.clipCache.entries[surveyID]
	s.clipCache.mu.Unlock()
	if ok && now.Sub(e.fetched) < s.clipCache.ttl {
		return e.urls
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	clips, err := s.store.SurveyClips(ctx, surveyID)
	if err != nil {
		s.logger.Error("clips not read", "op", "audio.urls", "err", err)
		return nil
	}
	urls := make(map[string]string, len(clips))
	for i := range clips {
		urls[clipCacheKey(clips[i].Question, clips[i].Language)] = clipURL(&clips[i])
	}
	s.clipCache.mu.Lock()
	if s.clipCache.entries == nil || len(s.clipCache.entries) > 1000 {
		s.clipCache.entries = map[string]clipEntry{}
	}
	s.clipCache.entries[surveyID] = clipEntry{urls: urls, fetched: now}
	s.clipCache.mu.Unlock()
	return urls
}

// surveyClipURLs returns the clip URLs a survey page shows: an
// extension of a national survey plays the national recordings of the
// base questions it keeps unchanged, unless it has its own.
func (s *Server) surveyClipURLs(def *survey.Definition) map[string]string {
	own := s.clipURLs(def.ID)
	if def.Extends == "" {
		return own
	}
	base := s.clipURLs(def.Extends)
	if len(base) == 0 {
		return own
	}
	merged := make(map[string]string, len(base)+len(own))
	for k, v := range base {
		merged[k] = v
	}
	for k, v := range own {
		merged[k] = v
	}
	return merged
}

func (s *Server) forgetClips(surveyID string) {
	s.clipCache.mu.Lock()
	delete(s.clipCache.entries, surveyID)
	s.clipCache.mu.Unlock()
}

// clipTarget is the survey, question and language of a clip's URL, as
// the signed-in user may reach them.
type clipTarget struct {
	def      *survey.Definition
	question *survey.Question
	lang     string
}

// audioSurvey returns the newest version of the URL's survey for a member
// of staff who may look after its recordings: a council_admin or platform
// admin who can see the survey (404 otherwise, as if it did not exist;
// 403 for a lower role). canEdit reports whether they may change them.
func (s *Server) audioSurvey(c *gin.Context) (def *survey.Definition, canEdit bool, err error) {
	u := currentUser(c)
	def, err = s.visibleSurvey(c.Request.Context(), u, c.Param("survey"), 0)
	if err != nil {
		return nil, false, err
	}
	if !hasRole(u, store.RoleCouncilAdmin) {
		return nil, false, errForbidden
	}
	return def, canEditSurvey(u, def), nil
}

// audioTarget resolves a clip's URL: the survey as for audioSurvey, then a
// question of its newest version and one of its languages (404 for
// others). With edit set, a user who may not change the survey's
// recordings gets 403.
func (s *Server) audioTarget(c *gin.Context, edit bool) (clipTarget, bool, error) {
	def, canEdit, err := s.audioSurvey(c)
	if err != nil {
		return clipTarget{}, false, err
	}
	if edit && !canEdit {
		return clipTarget{}, false, errForbidden
	}
	q, ok := def.Question(c.Param("question"))
	if !ok {
		return clipTarget{}, false, &apiError{Status: http.StatusNotFound, Code: "not_found", MessageID: "ClipNoSuchQuestion", Field: "question"}
	}
	lang := c.Param("lang")
	if !def.HasLanguage(lang) {
		return clipTarget{}, false, &apiError{Status: http.StatusNotFound, Code: "not_found", MessageID: "ClipNoSuchLanguage", Field: "lang"}
	}
	return clipTarget{def: def, question: q, lang: lang}, canEdit, nil
}

// clipRefused is the API's answer to a file that is no accepted recording.
func clipRefused(ce *survey.ClipError) *apiError {
	status := http.StatusUnsupportedMediaType
	switch ce.Code {
	case survey.CodeClipTooLarge:
		status = http.StatusRequestEntityTooLarge
	case survey.CodeClipEmpty:
		status = http.StatusBadRequest
	}
	return &apiError{Status: status, Code: ce.Code, MessageID: ce.MessageID, Field: clipFileField, Data: ce.TemplateData()}
}

// attachClip checks data and stores it as t's recording, writes the audit
// entry and forgets the cached clip URLs. replaced reports that an earlier
// recording was replaced. A file that is no accepted recording is a
// *survey.ClipError, and nothing is stored.
func (s *Server) attachClip(ctx context.Context, u *store.User, t clipTarget, data []byte) (clip *store.Clip, replaced bool, err error) {
	format, err := survey.DetectClip(data)
	if err != nil {
		return nil, false, err
	}
	clip = &store.Clip{
		Survey: t.def.ID, Question: t.question.ID, Language: t.lang,
		Ext: format.Ext, ContentType: format.ContentType,
		UploadedBy: u.ID, UploadedByEmail: u.Email,
	}
	old, err := s.store.PutClip(ctx, clip, data)
	if err != nil {
		return nil, false, err
	}
	s.forgetClips(t.def.ID)
	action := "audio.uploaded"
	if old != nil {
		action = "audio.replaced"
		if old.SHA256 != clip.SHA256 {
			s.clipBlobs.drop(old.SHA256)
		}
	}
	s.auditClip(ctx, u, t.def, action, clip)
	return clip, old != nil, nil
}

// detachClip removes t's recording: ErrNotFound when there is none.
func (s *Server) detachClip(ctx context.Context, u *store.User, t clipTarget) error {
	old, err := s.store.DeleteClip(ctx, t.def.ID, t.question.ID, t.lang)
	if old != nil {
		s.forgetClips(t.def.ID)
		s.clipBlobs.drop(old.SHA256)
		s.auditClip(ctx, u, t.def, "audio.removed", old)
	}
	return err
}

// auditClip records a change of recording. The change is made already: a
// failure to record it is logged, not undone.
func (s *Server) auditClip(ctx context.Context, u *store.User, def *survey.Definition, action string, clip *store.Clip) {
	s.auditAfter(ctx, u, def.Council, action, def.ID, map[string]string{
		"question": clip.Question, "language": clip.Language, "sha256": clip.SHA256,
		"format": clip.Ext, "bytes": strconv.FormatInt(clip.Bytes, 10),
	})
}

// clipJSON is a recording in the API.
type clipJSON struct {
	Survey      string    `json:"survey"`
	Question    string    `json:"question"`
	Language    string    `json:"language"`
	URL         string    `json:"url"`
	Format      string    `json:"format"`
	ContentType string    `json:"content_type"`
	Bytes       int64     `json:"bytes"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

func newClipJSON(c *store.Clip) clipJSON {
	return clipJSON{
		Survey: c.Survey, Question: c.Question, Language: c.Language, URL: clipURL(c),
		Format: c.Ext, ContentType: c.ContentType, Bytes: c.Bytes, SHA256: c.SHA256,
		UploadedBy: c.UploadedByEmail, UploadedAt: c.UploadedAt.UTC(),
	}
}

// listClips is GET /api/v1/surveys/{survey}/audio.
func (s *Server) listClips(c *gin.Context) {
	def, _, err := s.audioSurvey(c)
	if err != nil {
		s.fail(c, "audio.list", err)
		return
	}
	clips, err := s.store.SurveyClips(c.Request.Context(), def.ID)
	if err != nil {
		s.fail(c, "audio.list", err)
		return
	}
	out := make([]clipJSON, 0, len(clips))
	for i := range clips {
		out = append(out, newClipJSON(&clips[i]))
	}
	c.JSON(http.StatusOK, gin.H{"clips": out})
}

// putClipAPI is PUT /api/v1/surveys/{survey}/audio/{question}/{lang} with
// the recording's bytes as the body, whatever its Content-Type says: 201
// for a new recording, 200 for a replaced one; 413 over 1 MB, 415 for a
// file that is not Opus, MP3 or AAC, 400 for an empty body.
func (s *Server) putClipAPI(c *gin.Context) {
	t, _, err := s.audioTarget(c, true)
	if err != nil {
		s.fail(c, "audio.put", err)
		return
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.fail(c, "audio.put", clipRefused(&survey.ClipError{Code: survey.CodeClipTooLarge, MessageID: survey.MessageClipTooLarge}))
			return
		}
		s.fail(c, "audio.put", errInvalidBody)
		return
	}
	clip, replaced, err := s.attachClip(c.Request.Context(), currentUser(c), t, data)
	var ce *survey.ClipError
	if errors.As(err, &ce) {
		s.fail(c, "audio.put", clipRefused(ce))
		return
	}
	if err != nil {
		s.fail(c, "audio.put", err)
		return
	}
	status := http.StatusCreated
	if replaced {
		status = http.StatusOK
	}
	c.JSON(status, newClipJSON(clip))
}

// errInvalidBody is a request body that could not be read to its end.
var errInvalidBody = &apiError{Status: http.StatusBadRequest, Code: "invalid_body", MessageID: "ClipBodyUnreadable"}

// deleteClipAPI is DELETE /api/v1/surveys/{survey}/audio/{question}/{lang}:
// 204, or 404 when there is no recording.
func (s *Server) deleteClipAPI(c *gin.Context) {
	t, _, err := s.audioTarget(c, true)
	if err != nil {
		s.fail(c, "audio.delete", err)
		return
	}
	if err := s.detachClip(c.Request.Context(), currentUser(c), t); err != nil {
		s.fail(c, "audio.delete", err)
		return
	}
	c.Status(http.StatusNoContent)
}

// audioSurveysPage is GET /staff/audio: the surveys whose recordings the
// user looks after, with how many each has.
type audioSurveysPage struct {
	page.Base
	Surveys []audioSurveyRow
}

type audioSurveyRow struct {
	ID, Title       string
	Recorded, Total int
	CanEdit         bool
}

func (s *Server) audioSurveysPage(c *gin.Context) {
	u := currentUser(c)
	if !hasRole(u, store.RoleCouncilAdmin) {
		s.errorPage(c, http.StatusForbidden)
		return
	}
	ctx := c.Request.Context()
	var defs []*survey.Definition
	var err error
	if u.Council == "" {
		defs, err = s.store.AllLatestSurveys(ctx)
	} else {
		defs, err = s.councilSurveys(ctx, u.Council)
	}
	if err != nil {
		s.pageError(c, "audio.surveys", err)
		return
	}
	l := s.localizer(c)
	p := audioSurveysPage{Base: s.staffBase(c, "AudioTitle")}
	for _, d := range defs {
		clips, err := s.store.SurveyClips(ctx, d.ID)
		if err != nil {
			s.pageError(c, "audio.surveys", err)
			return
		}
		title, _ := d.Title.In(l.Tag())
		p.Surveys = append(p.Surveys, audioSurveyRow{
			ID: d.ID, Title: title, Recorded: countCurrent(d, clips),
			Total: len(d.Questions()) * len(d.Languages), CanEdit: canEditSurvey(u, d),
		})
	}
	s.render(c, http.StatusOK, "audio-surveys", p)
}

// countCurrent counts the clips of questions and languages the survey's
// newest version still has.
func countCurrent(def *survey.Definition, clips []store.Clip) int {
	n := 0
	for _, c := range clips {
		if _, ok := def.Question(c.Question); ok && def.HasLanguage(c.Language) {
			n++
		}
	}
	return n
}

// audioPage is GET /staff/surveys/{survey}/audio: every question of the
// survey's newest version against every language, with whether it has a
// recording, each linking to its own page.
type audioPage struct {
	page.Base
	SurveyID        string
	CanEdit         bool
	Columns         []audioLanguage // the survey's languages
	Rows            []audioRow
	Recorded, Total int
}

type audioLanguage struct{ Tag, Name, EnglishName string }

type audioRow struct {
	QuestionID string
	Text       textView // in the page's language
	Cells      []audioCell
}

type audioCell struct {
	Lang     audioLanguage
	URL      string // the clip's own page
	Recorded bool
	// Inherited: the extension has no recording of its own here, and
	// plays the national survey's.
	Inherited bool
}

func languageOf(tag string) audioLanguage {
	if l, ok := locale.Lookup(tag); ok {
		return audioLanguage{Tag: tag, Name: l.Name, EnglishName: l.EnglishName}
	}
	return audioLanguage{Tag: tag, Name: tag, EnglishName: tag}
}

func (s *Server) audioPage(c *gin.Context) {
	def, canEdit, err := s.audioSurvey(c)
	if err != nil {
		s.pageError(c, "audio.page", err)
		return
	}
	clips, err := s.store.SurveyClips(c.Request.Context(), def.ID)
	if err != nil {
		s.pageError(c, "audio.page", err)
		return
	}
	have := map[string]bool{}
	for _, cl := range clips {
		have[clipCacheKey(cl.Question, cl.Language)] = true
	}
	// An extension plays the national recordings of its base questions.
	inherited := map[string]bool{}
	if def.Extends != "" {
		base, err := s.store.SurveyClips(c.Request.Context(), def.Extends)
		if err != nil {
			s.pageError(c, "audio.page", err)
			return
		}
		for _, cl := range base {
			inherited[clipCacheKey(cl.Question, cl.Language)] = true
		}
	}
	l := s.localizer(c)
	title, _ := def.Title.In(l.Tag())
	p := audioPage{Base: s.staffBase(c, "AudioSurveyTitle", "Survey", title), SurveyID: def.ID, CanEdit: canEdit}
	for _, tag := range def.Languages {
		p.Columns = append(p.Columns, languageOf(tag))
	}
	for _, q := range def.Questions() {
		row := audioRow{QuestionID: q.ID, Text: textIn(q.Text, l.Tag())}
		for _, lang := range p.Columns {
			key := clipCacheKey(q.ID, lang.Tag)
			cell := audioCell{Lang: lang, Recorded: have[key], Inherited: !have[key] && inherited[key], URL: clipPagePath(def.ID, q.ID, lang.Tag)}
			if cell.Recorded || cell.Inherited {
				p.Recorded++
			}
			row.Cells = append(row.Cells, cell)
		}
		p.Total += len(row.Cells)
		p.Rows = append(p.Rows, row)
	}
	s.render(c, http.StatusOK, "audio", p)
}

func clipPagePath(surveyID, question, lang string) string {
	return "/staff/surveys/" + url.PathEscape(surveyID) + "/audio/" + url.PathEscape(question) + "/" + url.PathEscape(lang)
}

// audioClipPage is one question's recording in one language: the
// question as written in that language, the recording if there is one
// (to play, with who uploaded it and when), and forms to upload, replace
// and remove it.
type audioClipPage struct {
	page.Base
	SurveyID    string
	SurveyTitle string
	QuestionID  string
	// Question is the question's text in the clip's language, which the
	// recording should say.
	Question textView
	Language audioLanguage
	Clip     *clipView
	// Inherited is the national survey's recording that an extension
	// without its own plays.
	Inherited *clipView
	CanEdit   bool
	// Done is "uploaded" or "removed" after a change, for the notice.
	Done    string
	Action  string // the forms' URL
	Accept  string // the file input's accept list
	Formats string // the accepted formats, for people
	MaxKB   int
}

type clipView struct {
	URL, Format, UploadedBy, UploadedAt string
	KB                                  int64
}

func (s *Server) clipPageData(c *gin.Context, t clipTarget, canEdit bool) (audioClipPage, error) {
	l := s.localizer(c)
	title, _ := t.def.Title.In(l.Tag())
	q := textIn(t.question.Text, t.lang)
	if q.Lang == "" {
		q.Lang = t.lang
	}
	p := audioClipPage{
		Base:     s.staffBase(c, "AudioClipTitle", "Question", t.question.ID, "Language", languageOf(t.lang).EnglishName),
		SurveyID: t.def.ID, SurveyTitle: title, QuestionID: t.question.ID, Question: q,
		Language: languageOf(t.lang), CanEdit: canEdit,
		Action: clipPagePath(t.def.ID, t.question.ID, t.lang),
		Accept: "audio/ogg,audio/opus,audio/mpeg,audio/aac,audio/mp4,audio/x-m4a,.opus,.ogg,.mp3,.aac,.m4a",
		MaxKB:  survey.MaxClipBytes >> 10,
	}
	for i, f := range survey.ClipFormats {
		if i > 0 {
			p.Formats += ", "
		}
		p.Formats += f.Name
	}
	var err error
	if p.Clip, err = s.findClip(c.Request.Context(), t.def.ID, t.question.ID, t.lang); err != nil || p.Clip != nil || t.def.Extends == "" {
		return p, err
	}
	p.Inherited, err = s.findClip(c.Request.Context(), t.def.Extends, t.question.ID, t.lang)
	return p, err
}

// findClip returns a survey's recording of a question in one language, or
// nil when there is none.
func (s *Server) findClip(ctx context.Context, surveyID, question, lang string) (*clipView, error) {
	clips, err := s.store.SurveyClips(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	for i := range clips {
		cl := &clips[i]
		if cl.Question == question && cl.Language == lang {
			format := cl.Ext
			if f, ok := survey.ClipFormatByExt(cl.Ext); ok {
				format = f.Name
			}
			return &clipView{
				URL: clipURL(cl), Format: format, UploadedBy: cl.UploadedByEmail,
				UploadedAt: cl.UploadedAt.UTC().Format("2006-01-02 15:04 MST"), KB: (cl.Bytes + 1023) / 1024,
			}, nil
		}
	}
	return nil, nil
}

func (s *Server) audioClipPage(c *gin.Context) {
	t, canEdit, err := s.audioTarget(c, false)
	if err != nil {
		s.pageError(c, "audio.clip", err)
		return
	}
	p, err := s.clipPageData(c, t, canEdit)
	if err != nil {
		s.pageError(c, "audio.clip", err)
		return
	}
	if d := c.Query("done"); d == "uploaded" || d == "removed" {
		p.Done = d
	}
	s.render(c, http.StatusOK, "audio-clip", p)
}

// audioUploadForm is the upload form's POST (multipart/form-data, the file
// in the field "clip"): 303 back to the clip's page once stored; the page
// again with the problem in its error summary otherwise: 413 for a file
// over 1 MB, 422 for no file or a file that is not Opus, MP3 or AAC.
func (s *Server) audioUploadForm(c *gin.Context) {
	t, _, err := s.audioTarget(c, true)
	if err != nil {
		s.pageError(c, "audio.upload", err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "multipart/form-data" {
		s.errorPage(c, http.StatusUnsupportedMediaType)
		return
	}
	data, err := readClipPart(c.Request)
	var ce *survey.ClipError
	switch {
	case errors.As(err, &ce):
	case err != nil:
		s.errorPage(c, http.StatusBadRequest)
		return
	default:
		_, _, err = s.attachClip(c.Request.Context(), currentUser(c), t, data)
		if err == nil {
			c.Redirect(http.StatusSeeOther, clipPagePath(t.def.ID, t.question.ID, t.lang)+"?done=uploaded"+keepLang(c))
			return
		}
		if !errors.As(err, &ce) {
			s.pageError(c, "audio.upload", err)
			return
		}
	}
	p, err := s.clipPageData(c, t, true)
	if err != nil {
		s.pageError(c, "audio.upload", err)
		return
	}
	p.Errors = []page.FieldError{{ID: clipFileField, Message: s.localizer(c).T(ce.MessageID, ce.TemplateData())}}
	status := http.StatusUnprocessableEntity
	if ce.Code == survey.CodeClipTooLarge {
		status = http.StatusRequestEntityTooLarge
	}
	s.render(c, status, "audio-clip", p)
}

// readClipPart reads the file of the upload form's field "clip", at most
// MaxClipBytes of it: a *survey.ClipError when it is missing, empty or
// larger; another error when the form cannot be read.
func readClipPart(r *http.Request) ([]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	tooLarge := &survey.ClipError{Code: survey.CodeClipTooLarge, MessageID: survey.MessageClipTooLarge}
	for {
		part, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return nil, &survey.ClipError{Code: survey.CodeClipEmpty, MessageID: "ClipChooseFile"}
		case errors.As(err, &mbe):
			return nil, tooLarge
		case err != nil:
			return nil, err
		}
		if part.FormName() != clipFileField {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, survey.MaxClipBytes+1))
		switch {
		case errors.As(err, &mbe):
			return nil, tooLarge
		case err != nil:
			return nil, err
		case len(data) > survey.MaxClipBytes:
			return nil, tooLarge
		case len(data) == 0:
			return nil, &survey.ClipError{Code: survey.CodeClipEmpty, MessageID: "ClipChooseFile"}
		}
		return data, nil
	}
}

// audioDeleteForm is the remove button's POST: 303 back to the clip's page.
func (s *Server) audioDeleteForm(c *gin.Context) {
	t, _, err := s.audioTarget(c, true)
	if err != nil {
		s.pageError(c, "audio.delete", err)
		return
	}
	if err := s.detachClip(c.Request.Context(), currentUser(c), t); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.pageError(c, "audio.delete", err)
		return
	}
	c.Redirect(http.StatusSeeOther, clipPagePath(t.def.ID, t.question.ID, t.lang)+"?done=removed"+keepLang(c))
}

// keepLang carries the page's language (the forms post to ?lang=) to the
// page a form sends back to.
func keepLang(c *gin.Context) string {
	if lang := c.Query("lang"); lang != "" {
		return "&lang=" + url.QueryEscape(lang)
	}
	return ""
}
