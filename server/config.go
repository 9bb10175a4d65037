package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Config is the whole configuration, parsed once at start from flags, each
// of which has an environment variable behind it (the flag wins).
type Config struct {
	Addr          string        // listen address, e.g. ":8080"
	MongoURI      string        // a MongoDB to use; empty: the embedded store
	Database      string        // database name
	DataDir       string        // the embedded store's folder
	AdminEmail    string        // platform administrator created at start if missing
	AdminPassword string        // at least 12 characters
	Demo          bool          // create the demo council and data
	Repair        bool          // recount every wave's tallies, report and exit
	LogLevel      string        // debug, info, warn or error
	TokenTTL      time.Duration // lifetime of API tokens and sign-in sessions
	ShutdownGrace time.Duration // how long requests in flight may take to finish on shutdown
}

// parseConfig reads flags from args with defaults from getenv, and checks
// the result. Errors say what to change.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("yousaid", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&cfg.Addr, "addr", env("ADDR", ":8080"), "listen address (env ADDR)")
	fs.StringVar(&cfg.MongoURI, "mongodb-uri", env("MONGODB_URI", ""), "MongoDB connection string; empty runs the embedded store (env MONGODB_URI)")
	fs.StringVar(&cfg.Database, "db", env("MONGODB_DB", "yousaid"), "database name (env MONGODB_DB)")
	fs.StringVar(&cfg.DataDir, "data", env("DATA_DIR", "./data"), "folder of the embedded store (env DATA_DIR)")
	fs.StringVar(&cfg.AdminEmail, "admin-email", env("ADMIN_EMAIL", ""), "platform administrator to create at start if missing (env ADMIN_EMAIL)")
	fs.StringVar(&cfg.AdminPassword, "admin-password", env("ADMIN_PASSWORD", ""), "that administrator's password, at least 12 characters (env ADMIN_PASSWORD)")
	demo, err := parseBoolEnv(getenv("DEMO"))
	if err != nil {
		return cfg, fmt.Errorf("DEMO: %w", err)
	}
	fs.BoolVar(&cfg.Demo, "demo", demo, "create the demo council with waves and synthetic responses (env DEMO=1)")
	fs.BoolVar(&cfg.Repair, "repair", false, "recount every wave's tallies from its responses, say what was fixed, and exit")
	fs.StringVar(&cfg.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	ttl, err := time.ParseDuration(env("TOKEN_TTL", "12h"))
	if err != nil {
		return cfg, fmt.Errorf("TOKEN_TTL: %w", err)
	}
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", ttl, "lifetime of API tokens and sign-in sessions (env TOKEN_TTL)")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 15*time.Second, "time for requests in flight to finish on shutdown")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return cfg, cfg.validate()
}

func parseBoolEnv(v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	return strconv.ParseBool(v)
}

func (cfg Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		errs = append(errs, fmt.Errorf("-addr %q is not host:port (for example :8080)", cfg.Addr))
	}
	if cfg.Database == "" || strings.ContainsAny(cfg.Database, `/\. "$`) {
		errs = append(errs, fmt.Errorf("-db %q is not a valid database name", cfg.Database))
	}
	if cfg.MongoURI == "" && cfg.DataDir == "" {
		errs = append(errs, errors.New("-data is empty: the embedded store needs a folder (or set MONGODB_URI)"))
	}
	if cfg.MongoURI != "" && !strings.HasPrefix(cfg.MongoURI, "mongodb://") && !strings.HasPrefix(cfg.MongoURI, "mongodb+srv://") {
		errs = append(errs, errors.New("MONGODB_URI must start with mongodb:// or mongodb+srv://"))
	}
	if (cfg.AdminEmail == "") != (cfg.AdminPassword == "") {
		errs = append(errs, errors.New("set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither"))
	}
	if cfg.AdminPassword != "" && utf8.RuneCountInString(cfg.AdminPassword) < 12 {
		errs = append(errs, errors.New("ADMIN_PASSWORD must be at least 12 characters"))
	}
	switch cfg.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("-log-level %q: use debug, info, warn or error", cfg.LogLevel))
	}
	if cfg.TokenTTL < time.Minute || cfg.TokenTTL > 30*24*time.Hour {
		errs = append(errs, errors.New("TOKEN_TTL must be between 1m and 720h"))
	}
	return errors.Join(errs...)
}
