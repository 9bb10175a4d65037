package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"yousaid/server/internal/metrics"
	"yousaid/server/internal/store"
	"yousaid/survey"
)

// submission is one young person's validated answers on their way to the
// store.
type submission struct {
	wave     *store.Wave
	def      *survey.Definition
	language string
	code     string // codes waves only; never stored, never logged
	key      string // Idempotency-Key, "" when the client sent none
	answers  survey.Answers
}

// receiptFor is the opaque receipt of a stored response: derived from its
// id one way, so it cannot be used to find the response.
func receiptFor(id string) string {
	sum := sha256.Sum256([]byte("receipt\x00" + id))
	return hex.EncodeToString(sum[:10])
}

// storeTimeout bounds one submission's work in the store. The work is
// detached from the client's connection: a client that gives up mid-write
// must not leave a code spent for a response that was never stored.
const storeTimeout = 10 * time.Second

// submit stores a submission exactly once and returns its receipt. A replay
// of an Idempotency-Key with the same body gets the first receipt; with a
// different body errIdemMismatch. A codes wave spends its code first and
// gives it back if the response could not be stored.
func (s *Server) submit(parent context.Context, sub submission) (string, error) {
	if err := s.allowWave(sub.wave.ID); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), storeTimeout)
	defer cancel()
	id := store.ResponseID(sub.wave.ID, sub.key)

	var release func(context.Context) error
	if sub.wave.Access == store.AccessCodes {
		if strings.TrimSpace(sub.code) == "" {
			return "", errCodeInvalid
		}
		rel, err := s.store.SpendCode(ctx, sub.wave.ID, sub.code)
		if errors.Is(err, store.ErrCodeSpent) && sub.key != "" {
			// A retry of a stored response, or the same submission arriving
			// twice at once: answer as the first did, once it is stored. The
			// happy path reads nothing first, since reads scan on the
			// embedded store. (A code that does not exist is refused at once.)
			return s.awaitReplay(ctx, id, sub)
		}
		if errors.Is(err, store.ErrCodeInvalid) {
			return "", errCodeInvalid
		}
		if err != nil {
			return "", err
		}
		release = rel
	}

	if err := s.tally.Prepare(ctx, sub.wave.ID); err != nil {
		s.releaseCode(release)
		return "", err
	}
	resp := &store.Response{
		ID: id, Wave: sub.wave.ID, Survey: sub.def.ID, Version: sub.def.Version,
		Language: sub.language, Answers: map[string]any(sub.answers), Week: store.ISOWeek(s.now()),
	}
	err := s.store.InsertResponse(ctx, resp)
	if errors.Is(err, store.ErrConflict) {
		s.releaseCode(release)
		receipt, err, _ := s.replay(ctx, id, sub)
		return receipt, err
	}
	if err != nil {
		s.releaseCode(release)
		if !errors.Is(err, context.Canceled) {
			// The store may have taken the write and lost the reply: a
			// retry will find it stored, and nothing counted it.
			s.markUnsure(sub.wave.ID)
		}
		return "", err
	}
	s.tally.Add(resp, sub.def, sub.answers)
	return receiptFor(id), nil
}

// replay compares a stored response with a resubmission under the same
// id. found is false when nothing is stored under id.
func (s *Server) replay(ctx context.Context, id string, sub submission) (receipt string, err error, found bool) {
	stored, err := s.store.Response(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, false
	}
	if err != nil {
		return "", err, true
	}
	same := stored.Language == sub.language &&
		bytes.Equal(survey.NormaliseStored(sub.def, stored.Answers).Canonical(), sub.answers.Canonical())
	if !same {
		return "", errIdemMismatch, true
	}
	return receiptFor(id), nil, true
}

// awaitReplay waits briefly for a concurrent twin of this submission to be
// stored; if none appears, the code really was spent or wrong.
func (s *Server) awaitReplay(ctx context.Context, id string, sub submission) (string, error) {
	for range 20 {
		if receipt, err, found := s.replay(ctx, id, sub); found {
			return receipt, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return "", errCodeInvalid
}

// releaseCode gives back a spent code whose response was not stored. It
// tries for a while in the background: the store may be the thing failing.
func (s *Server) releaseCode(release func(context.Context) error) {
	if release == nil {
		return
	}
	go func() {
		for attempt := range 10 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := release(ctx)
			cancel()
			if err == nil {
				return
			}
			s.logger.Warn("could not give back a code yet", "attempt", attempt+1, "err", err)
			time.Sleep(time.Duration(attempt+1) * time.Second)
		}
	}()
}

// envelope is the top level of a JSON response submission.
type envelope struct {
	language *string
	code     string
	answers  []byte
}

// parseEnvelope reads {"language", "code", "answers"} strictly: keys that
// look like query operators are refused by name, and so are unknown or
// repeated keys.
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return env, errInvalidJSON
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return env, errInvalidJSON
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return env, errInvalidJSON
		}
		if strings.HasPrefix(key, "$") || strings.Contains(key, ".") {
			return env, invalid(survey.CodeInvalidKey, survey.MessageInvalidKey, key, nil)
		}
		if seen[key] {
			return env, invalid("duplicate_key", "ErrorDuplicateKey", key, nil)
		}
		seen[key] = true
		switch key {
		case "language":
			var lang string
			if err := json.Unmarshal(raw, &lang); err != nil {
				return env, invalid(survey.CodeWrongType, "ErrorLanguageType", "language", nil)
			}
			env.language = &lang
		case "code":
			if string(raw) == "null" {
				continue
			}
			if err := json.Unmarshal(raw, &env.code); err != nil {
				return env, invalid(survey.CodeWrongType, "ErrorCodeType", "code", nil)
			}
		case "answers":
			env.answers = raw
		default:
			return env, invalid("unknown_field", "ErrorUnknownField", key, map[string]any{"Field": key})
		}
	}
	if _, err := dec.Token(); err != nil {
		return env, errInvalidJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return env, errInvalidJSON
	}
	if env.answers == nil || string(env.answers) == "null" {
		env.answers = []byte("{}")
	}
	return env, nil
}

// openWaveFor loads the wave and its survey version for a submission: 404
// for an unknown wave, 410 for a closed one.
func (s *Server) openWaveFor(ctx context.Context, waveID string) (*store.Wave, *survey.Definition, error) {
	w, err := s.wave(ctx, waveID)
	if err != nil {
		return nil, nil, err
	}
	if w.Closed(s.now()) {
		return nil, nil, errWaveClosed
	}
	def, err := s.definition(ctx, w.Survey, w.Version)
	if err != nil {
		return nil, nil, err
	}
	return w, def, nil
}

// postResponse is POST /api/v1/waves/{wave}/responses (anonymous).
func (s *Server) postResponse(c *gin.Context) {
	refuse := func(err error) {
		s.countResponse(metrics.ChannelAPI, err)
		s.fail(c, "responses.post", err)
	}
	body, err := readJSONBody(c)
	if err != nil {
		refuse(err)
		return
	}
	w, def, err := s.openWaveFor(c.Request.Context(), c.Param("wave"))
	if err != nil {
		refuse(err)
		return
	}
	env, err := parseEnvelope(body)
	if err != nil {
		refuse(err)
		return
	}
	if env.language == nil || *env.language == "" {
		refuse(invalid(survey.CodeRequired, "ErrorLanguageRequired", "language", nil))
		return
	}
	if !slices.Contains(def.Languages, *env.language) {
		refuse(invalid("unknown_language", "ErrorUnknownLanguage", "language", map[string]any{"Language": *env.language}))
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if key != "" {
		if _, err := uuid.Parse(key); err != nil {
			refuse(invalid("invalid_idempotency_key", "ErrorIdempotencyKey", "Idempotency-Key", nil))
			return
		}
		key = strings.ToLower(key)
	}
	answers, ferrs, err := survey.ParseJSONAnswers(def, env.answers)
	if err != nil {
		refuse(invalid(survey.CodeWrongType, "ErrorAnswersType", "answers", nil))
		return
	}
	if len(ferrs) > 0 {
		refuse(fieldErrors(def, ferrs))
		return
	}
	receipt, err := s.submit(c.Request.Context(), submission{
		wave: w, def: def, language: *env.language, code: env.code, key: key, answers: answers,
	})
	if err != nil {
		refuse(err)
		return
	}
	s.countResponse(metrics.ChannelAPI, nil)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"receipt": receipt})
}
