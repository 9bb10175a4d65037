package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"yousaid/frontend"
	"yousaid/locales"
	"yousaid/seed"
	"yousaid/server/internal/demo"
	"yousaid/server/internal/embedded"
	"yousaid/server/internal/locale"
	"yousaid/server/internal/metrics"
	"yousaid/server/internal/page"
	"yousaid/server/internal/retention"
	"yousaid/server/internal/store"
	"yousaid/server/internal/tally"
	"yousaid/server/internal/web"
	"yousaid/survey"
)

// App owns the running platform: the store (embedded or not), the HTTP
// server and its listener.
type App struct {
	cfg      Config
	logger   *slog.Logger
	embedded *embedded.Store
	Store    *store.Store
	tally    *tally.Writer
	web      *web.Server
	listener net.Listener

	metrics         *metrics.Metrics
	metricsListener net.Listener // nil unless cfg.MetricsAddr is set
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by Config
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// NewApp starts the store, loads the seed surveys, creates the configured
// administrator and the demo data, and listens on cfg.Addr. Close it, or
// run Serve, to release everything.
func NewApp(ctx context.Context, cfg Config, logger *slog.Logger) (app *App, err error) {
	// Counting costs little, so it always happens; only METRICS_ADDR
	// decides whether anyone can read the counts.
	a := &App{cfg: cfg, logger: logger, metrics: metrics.New()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	uri := cfg.MongoURI
	if uri == "" {
		a.embedded, err = embedded.Start(cfg.DataDir, logger)
		if err != nil {
			return nil, fmt.Errorf("starting the embedded store in %s: %w", cfg.DataDir, err)
		}
		uri = a.embedded.URI()
		logger.Info("embedded store started", "data", cfg.DataDir)
	}
	storeOpts := store.Options{ServerSelectionTimeout: cfg.StoreTimeout, OnError: a.metrics.StoreError}
	if a.embedded != nil {
		// 16 connections keep the embedded store busy; more only queue
		// inside it and cost memory (200 clients: RSS 180 → 142 MB,
		// submission p99 1.9 → 0.3 s; docs/benchmarks.md).
		storeOpts.MaxPoolSize = 16
		storeOpts.Indexer = a.embedded
	}
	a.Store, err = store.Open(ctx, uri, cfg.Database, storeOpts)
	if err != nil {
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	if err := loadSeedSurveys(ctx, a.Store, logger); err != nil {
		return nil, err
	}
	// Waves opened before survey versions were marked in use hold theirs.
	if err := a.Store.MarkUsedSurveyVersions(ctx); err != nil {
		return nil, err
	}
	if cfg.AdminEmail != "" {
		if err := ensureAdmin(ctx, a.Store, cfg.AdminEmail, cfg.AdminPassword, logger); err != nil {
			return nil, err
		}
	}
	bundle, err := locale.New(locales.FS)
	if err != nil {
		return nil, err
	}
	pages, err := page.New(frontend.FS, bundle)
	if err != nil {
		return nil, err
	}
	staleAfter := 90 * time.Second
	if a.embedded != nil {
		staleAfter = 0 // this process owns the embedded store: every other writer is dead
	}
	a.tally = tally.New(a.Store, logger, tally.Options{StaleAfter: staleAfter, Mask: survey.MaskPersonalData, Observer: a.metrics})
	writer := a.tally
	a.metrics.WatchTally(func() metrics.TallyLag {
		l := writer.Lag()
		return metrics.TallyLag{Responses: l.Responses, Votes: l.Votes, Oldest: l.Oldest}
	})
	if err := a.tally.Start(ctx); err != nil {
		return nil, err
	}
	secrets, err := secretsBox(cfg, logger)
	if err != nil {
		return nil, err
	}
	a.web, err = web.New(web.Options{
		Store: a.Store, Logger: logger, Locale: bundle, Pages: pages, Tally: a.tally, TokenTTL: cfg.TokenTTL,
		Showcase: showcase(cfg.Demo),
		Limits: web.Limits{
			MaxInFlight:       cfg.MaxInFlight,
			WaveSubmissions:   web.Rate{PerSecond: cfg.WaveRate, Burst: cfg.WaveBurst},
			ClientSubmissions: web.Rate{PerSecond: cfg.ClientRate, Burst: cfg.ClientBurst},
		},
		TrustedProxies: cfg.TrustedProxies,
		Metrics:        a.metrics,
		Secrets:        secrets,
	})
	if err != nil {
		return nil, err
	}
	// Every start seals what is still in the clear (secrets set up before
	// sealing existed) or under a key being rotated out, so that dormant
	// accounts are sealed too, not only those who sign in.
	if err := a.web.SealTOTPSecrets(ctx); err != nil {
		return nil, err
	}
	// Reviewed interface translations uploaded by staff replace the files'.
	if err := a.web.LoadInterfaceTranslations(ctx); err != nil {
		return nil, err
	}
	if cfg.Demo {
		waves, err := demo.Create(ctx, a.Store, logger, time.Now(), web.HashPassword)
		if err != nil {
			return nil, fmt.Errorf("creating demo data: %w", err)
		}
		for _, wave := range waves {
			if _, err := a.tally.Recount(ctx, wave, a.web.Definition); err != nil {
				return nil, fmt.Errorf("counting demo data: %w", err)
			}
		}
		if err := a.createDemoForum(ctx); err != nil {
			return nil, fmt.Errorf("creating the demo forum: %w", err)
		}
		if err := demo.CreateClips(ctx, a.Store); err != nil {
			return nil, fmt.Errorf("attaching the demo recordings: %w", err)
		}
	}
	if cfg.Repair {
		return a, nil // a maintenance run serves nothing
	}
	a.listener, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	if cfg.MetricsAddr != "" {
		a.metricsListener, err = net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return nil, fmt.Errorf("listening for metrics on %s: %w", cfg.MetricsAddr, err)
		}
	}
	return a, nil
}

// showcase is what the home page offers to try on a demonstration
// platform: the demo council and its accounts. Nil otherwise.
func showcase(isDemo bool) *web.Showcase {
	if !isDemo {
		return nil
	}
	sc := &web.Showcase{Council: demo.Council, Password: demo.Password}
	for _, a := range demo.Accounts {
		sc.Accounts = append(sc.Accounts, web.ShowcaseAccount{Email: a.Email, Role: a.Role})
	}
	return sc
}

// createDemoForum gives the demo council a forum session and a published
// action plan whose evidence comes from its earlier wave, so the public
// page shows before and after.
func (a *App) createDemoForum(ctx context.Context) error {
	waves, err := a.Store.CouncilWaves(ctx, demo.Council)
	if err != nil {
		return err
	}
	var earlier *store.Wave
	for i := range waves { // newest first: the last match is the earliest
		if waves[i].Survey == "life-beyond-care" {
			earlier = &waves[i]
		}
	}
	if earlier == nil {
		return nil
	}
	return demo.CreateForum(ctx, a.Store, demo.Council, earlier.ID, time.Now())
}

// Addr is the address the app listens on (useful with ":0").
func (a *App) Addr() string { return a.listener.Addr().String() }

// MetricsAddr is the address /metrics is served on; "" when it is not.
func (a *App) MetricsAddr() string {
	if a.metricsListener == nil {
		return ""
	}
	return a.metricsListener.Addr().String()
}

// serveMetrics answers scrapes on the metrics listener until it is shut
// down. It has no routes but /metrics, and none of the public ones.
func (a *App) serveMetrics() *http.Server {
	if a.metricsListener == nil {
		return nil
	}
	srv := &http.Server{
		Handler:           a.metrics.Handler(),
		ReadHeaderTimeout: a.cfg.ReadHeaderTimeout,
		ReadTimeout:       a.cfg.ReadTimeout,
		WriteTimeout:      a.cfg.WriteTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(a.metricsListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.logger.Error("metrics server stopped", "err", err)
		}
	}()
	a.logger.Info("metrics are served", "addr", a.MetricsAddr())
	return srv
}

// Serve answers requests until ctx is cancelled, then lets requests in
// flight finish (up to the shutdown grace) and releases everything.
func (a *App) Serve(ctx context.Context) error {
	defer a.Close()
	srv := &http.Server{
		Handler:           a.web,
		ReadHeaderTimeout: a.cfg.ReadHeaderTimeout,
		ReadTimeout:       a.cfg.ReadTimeout,
		WriteTimeout:      a.cfg.WriteTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(a.listener) }()
	if msrv := a.serveMetrics(); msrv != nil {
		// Scrapes go on during shutdown; they stop with everything else.
		defer msrv.Close()
	}
	go a.repairStaleTallies()
	// While it runs, the writer also repairs servers that die meanwhile
	// (MongoDB only: the embedded store has this one process).
	a.tally.WatchStale(a.web.Definition)
	go a.sweepTokens(ctx)
	go retention.Loop(ctx, a.Store, a.tally, a.logger, time.Hour, time.Now)
	a.logger.Info("yousaid is listening", "addr", a.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Every request has finished: write their counts and leave cleanly.
	if err := a.tally.Stop(shutdownCtx); err != nil {
		return err
	}
	a.tally = nil
	return nil
}

// Repair recounts every wave's tallies from its stored responses and
// writes one line per wave saying what it found.
func (a *App) Repair(ctx context.Context, out io.Writer) error {
	waves, err := a.Store.AllWaveIDs(ctx)
	if err != nil {
		return err
	}
	fixed := 0
	for _, wave := range waves {
		r, err := a.tally.Recount(ctx, wave, a.web.Definition)
		if err != nil {
			return fmt.Errorf("recounting wave %s: %w", wave, err)
		}
		switch {
		case r.Frozen:
			fmt.Fprintf(out, "wave %s: frozen, left as it is (its raw responses were deleted under the council's retention period; %d counted)\n", wave, r.After)
		case r.Corrected:
			fixed++
			fmt.Fprintf(out, "wave %s: fixed (the tally counted %d responses; %d are stored)\n", wave, r.Before, r.After)
		default:
			fmt.Fprintf(out, "wave %s: correct (%d responses)\n", wave, r.After)
		}
	}
	// The stale markers' waves are among those just recounted.
	if _, err := a.tally.RepairStale(ctx, a.web.Definition); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d waves checked, %d fixed\n", len(waves), fixed)
	return nil
}

// sweepTokens deletes expired tokens every hour, so the tokens collection
// holds only live ones (a lookup scans it on the embedded store).
func (a *App) sweepTokens(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		sweepCtx, cancel := context.WithTimeout(ctx, time.Minute)
		if n, err := a.Store.DeleteExpiredTokens(sweepCtx); err != nil && ctx.Err() == nil {
			a.logger.Warn("could not delete expired tokens", "err", err)
		} else if n > 0 {
			a.logger.Info("expired tokens deleted", "count", n)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// repairStaleTallies recounts, in the background, the waves a process that
// died may have left short. Readiness does not wait for it.
func (a *App) repairStaleTallies() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	reports, err := a.tally.RepairStale(ctx, a.web.Definition)
	if err != nil {
		a.logger.Error("tally repair failed", "err", err)
	}
	for _, r := range reports {
		a.logger.Info("tally recounted after an unclean stop",
			"wave", r.Wave, "counted_before", r.Before, "responses", r.After, "corrected", r.Corrected)
	}
}

// Close releases the listener, the store connection and the embedded store.
func (a *App) Close() {
	if a.listener != nil {
		_ = a.listener.Close()
	}
	if a.metricsListener != nil {
		_ = a.metricsListener.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if a.tally != nil {
		if err := a.tally.Stop(ctx); err != nil {
			a.logger.Warn("tally writer did not stop cleanly", "err", err)
		}
		a.tally = nil
	}
	if a.Store != nil {
		_ = a.Store.Close(ctx)
		a.Store = nil
	}
	if a.embedded != nil {
		if err := a.embedded.Close(ctx); err != nil {
			a.logger.Warn("embedded store did not stop cleanly", "err", err)
		}
		a.embedded = nil
	}
}

// loadSeedSurveys stores every seed definition whose version is not stored
// yet. A stored version is never changed: an edited definition must carry
// the next version number, and a seed that differs from what is stored
// under its version is reported.
func loadSeedSurveys(ctx context.Context, s *store.Store, logger *slog.Logger) error {
	files, err := seed.Surveys()
	if err != nil {
		return fmt.Errorf("reading seed surveys: %w", err)
	}
	for _, data := range files {
		def, err := survey.Load(data)
		if err != nil {
			return fmt.Errorf("seed survey: %w", err)
		}
		err = s.PutSurvey(ctx, def)
		if errors.Is(err, store.ErrConflict) {
			stored, err := s.Survey(ctx, def.ID, def.Version)
			if err != nil {
				return fmt.Errorf("seed survey %s: %w", def.ID, err)
			}
			if !sameDefinition(stored, def) {
				logger.Warn("seed survey differs from the stored version; give the edit a new version number",
					"survey", def.ID, "version", def.Version)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("seed survey %s: %w", def.ID, err)
		}
		logger.Info("seed survey stored", "survey", def.ID, "version", def.Version)
	}
	return nil
}

func sameDefinition(a, b *survey.Definition) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// ensureAdmin creates the platform administrator if no user has its email.
func ensureAdmin(ctx context.Context, s *store.Store, email, password string, logger *slog.Logger) error {
	_, err := s.UserByEmail(ctx, email)
	if err == nil {
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("looking up the administrator: %w", err)
	}
	hash, err := web.HashPassword(password)
	if err != nil {
		return err
	}
	err = s.CreateUser(ctx, &store.User{Email: email, PasswordHash: hash, Role: store.RolePlatformAdmin})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("creating the administrator: %w", err)
	}
	logger.Info("platform administrator created")
	return nil
}
