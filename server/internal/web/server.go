// Package web is yousaid's HTTP layer: the Gin engine, its routes, the JSON
// API of the contract and the server-rendered pages.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"yousaid/frontend"

	"yousaid/server/internal/locale"
	"yousaid/server/internal/metrics"
	"yousaid/server/internal/page"
	"yousaid/server/internal/secretbox"
	"yousaid/server/internal/store"
	"yousaid/server/internal/tally"
	"yousaid/survey"
)

// Options are what the web layer needs from the process.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	Locale *locale.Bundle
	Pages  *page.Renderer
	Tally  *tally.Writer
	// Showcase, on a demonstration platform only, is what the home page
	// offers to try (showcase.go).
	Showcase *Showcase
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TokenTTL is how long an API token or sign-in session lasts.
	TokenTTL time.Duration
	// Limits bound requests in flight, submissions and sign-ins (limits.go).
	Limits Limits
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For names the client, for the per-client limits
	// only. Empty: no proxy is trusted, the connection's address is used.
	TrustedProxies []string
	// Metrics records requests, submissions and votes; nil records
	// nothing.
	Metrics *metrics.Metrics
	// Secrets seals TOTP secrets before they are stored (totp_secrets.go).
	// nil: no SECRET_KEY, so two-step sign-in cannot be set up.
	Secrets *secretbox.Box
}

// Server holds the handlers' dependencies.
type Server struct {
	store    *store.Store
	logger   *slog.Logger
	locale   *locale.Bundle
	pages    *page.Renderer
	tally    *tally.Writer
	demo     *Showcase
	now      func() time.Time
	tokenTTL time.Duration
	metrics  *metrics.Metrics // nil-safe
	secrets  *secretbox.Box   // nil without SECRET_KEY

	guards         *guards
	trustedProxies []string
	unsure         unsureWaves // waves to recount after failed inserts (unsure.go)

	cop *http.CrossOriginProtection
	// richText is the one policy that sanitises staff formatting (action
	// plan updates) before it is stored, and guards it when shown.
	richText *page.RichText
	assets   map[string]*asset

	nationalCache nationalCache
	resultsCache  resultsCache

	// definitions caches survey versions that a wave uses, which never
	// change: "<id>@<version>" → *survey.Definition. A version no wave
	// uses may still be replaced in place, so it is never cached.
	definitions sync.Map
	waves       waveCache
	// accountLocks serialise one council's account changes (accounts.go).
	accountLocks sync.Map
	clipCache    clipCache // each survey's recordings (audio.go)
	clipBlobs    clipBlobs // recordings' bytes as served (audio.go)

	engine *gin.Engine
}

// New builds the server and its routes.
func New(o Options) (*Server, error) {
	if o.Store == nil || o.Logger == nil || o.Locale == nil || o.Pages == nil || o.Tally == nil {
		return nil, errors.New("web.New: Store, Logger, Locale, Pages and Tally are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 12 * time.Hour
	}
	s := &Server{
		store: o.Store, logger: o.Logger, locale: o.Locale, pages: o.Pages, tally: o.Tally, demo: o.Showcase,
		now: o.Now, tokenTTL: o.TokenTTL, metrics: o.Metrics, secrets: o.Secrets,
		guards: newGuards(o.Limits, o.Now), trustedProxies: o.TrustedProxies,
		waves: waveCache{ttl: 2 * time.Second, entries: map[string]waveEntry{}},
	}
	s.clipCache.ttl = 5 * time.Second
	assets, err := loadAssets(frontend.FS)
	if err != nil {
		return nil, err
	}
	s.assets = assets
	s.cop = http.NewCrossOriginProtection()
	s.richText = page.NewRichText()
	// A tally update that failed may have been applied: recount its wave.
	s.tally.OnUncertain(s.markUnsure)
	s.metrics.WatchRecountsPending(s.unsure.pending)
	if err := s.pages.Require(pageNames...); err != nil {
		return nil, err
	}
	s.engine, err = s.routes()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// definition returns a survey version, from memory after the first read
// once a wave uses it (waves mark their version in use before they open).
func (s *Server) definition(ctx context.Context, id string, version int) (*survey.Definition, error) {
	key := fmt.Sprintf("%s@%d", id, version)
	if d, ok := s.definitions.Load(key); ok {
		return d.(*survey.Definition), nil
	}
	d, inUse, err := s.store.SurveyInUse(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if inUse && version > 0 {
		s.definitions.Store(key, d)
	}
	return d, nil
}

// Definition returns a survey version for maintenance code (recounts).
func (s *Server) Definition(id string, version int) (*survey.Definition, error) {
	return s.definition(context.Background(), id, version)
}

// waveCache keeps waves for a short time so that a survey day's stream of
// submissions does not read the same wave document for every answer. A
// wave closed in this process is dropped at once; another process sees the
// closing within ttl.
type waveCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]waveEntry
}

type waveEntry struct {
	wave    *store.Wave
	fetched time.Time
}

func (s *Server) wave(ctx context.Context, id string) (*store.Wave, error) {
	now := time.Now()
	s.waves.mu.Lock()
	e, ok := s.waves.entries[id]
	s.waves.mu.Unlock()
	if ok && now.Sub(e.fetched) < s.waves.ttl {
		return e.wave, nil
	}
	w, err := s.store.Wave(ctx, id)
	if err != nil {
		return nil, err
	}
	s.waves.mu.Lock()
	if len(s.waves.entries) > 10000 {
		s.waves.entries = map[string]waveEntry{} // bounded: a simple reset is enough
	}
	s.waves.entries[id] = waveEntry{wave: w, fetched: now}
	s.waves.mu.Unlock()
	return w, nil
}

func (s *Server) forgetWave(id string) {
	s.waves.mu.Lock()
	delete(s.waves.entries, id)
	s.waves.mu.Unlock()
}
