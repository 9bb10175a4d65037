package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yousaid/server/internal/secretbox"
)

// Config is the whole configuration, parsed once at start from flags, each
// of which has an environment variable behind it (the flag wins).
type Config struct {
	Addr          string        // listen address, e.g. ":8080"
	MetricsAddr   string        // listen address of /metrics, e.g. "127.0.0.1:9090"; empty: not served
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

	// Limits (see web.Limits and docs/security.md).
	MaxInFlight    int           // requests handled at once; 0: no cap
	WaveRate       float64       // sustained submissions per second per wave; 0: no limit
	WaveBurst      int           // submissions one wave may take at once
	ClientRate     float64       // sustained submissions per second per client; 0: no limit
	ClientBurst    int           // submissions one client may send at once
	TrustedProxies []string      // proxies whose X-Forwarded-For names the client (limits only)
	StoreTimeout   time.Duration // how long an operation waits for an unreachable store before 503

	// HTTP server timeouts; set by parseConfig, shortened by tests.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration

	// SecretKey (32 bytes) seals staff members' TOTP secrets in the store
	// (package secretbox). nil: none was given; with Demo, NewApp keeps a
	// generated one in DataDir, otherwise two-step sign-in cannot be set up.
	SecretKey []byte
	// SecretKeyPrevious is a key being rotated out: secrets it sealed still
	// open, and are sealed with SecretKey at start-up. nil: none.
	SecretKeyPrevious []byte

	// Backup and restore (server/backup.go): one-shot commands that exit.
	Backup         string // write a backup of the database to this file
	Restore        string // load this backup into an empty database
	RestoreReplace bool   // let -restore drop what the database holds first
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
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "listen address of the Prometheus /metrics endpoint, kept off the public address; empty serves none (env METRICS_ADDR)")
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
	fs.StringVar(&cfg.Backup, "backup", "", "write a consistent, compressed backup of every collection to this file, and exit (the server may be running)")
	fs.StringVar(&cfg.Restore, "restore", "", "load a backup made with -backup into an empty database, and exit (stop the server first)")
	fs.BoolVar(&cfg.RestoreReplace, "restore-replace", false, "with -restore: drop every collection the database holds before loading the backup")
	fs.StringVar(&cfg.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	ttl, err := time.ParseDuration(env("TOKEN_TTL", "12h"))
	if err != nil {
		return cfg, fmt.Errorf("TOKEN_TTL: %w", err)
	}
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", ttl, "lifetime of API tokens and sign-in sessions (env TOKEN_TTL)")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 15*time.Second, "time for requests in flight to finish on shutdown")
	envInt := func(name string, def int) (int, error) {
		v := getenv(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return n, nil
	}
	envFloat := func(name string, def float64) (float64, error) {
		v := getenv(name)
		if v == "" {
			return def, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return f, nil
	}
	var errs []error
	maxInFlight, err := envInt("MAX_IN_FLIGHT", 512)
	errs = append(errs, err)
	waveRate, err := envFloat("WAVE_RATE", 50)
	errs = append(errs, err)
	waveBurst, err := envInt("WAVE_BURST", 500)
	errs = append(errs, err)
	// A survey day puts a room of phones behind one Wi-Fi address: the
	// per-client limit must let a room through while stopping one script.
	clientRate, err := envFloat("CLIENT_RATE", 20)
	errs = append(errs, err)
	clientBurst, err := envInt("CLIENT_BURST", 300)
	errs = append(errs, err)
	storeTimeout, err := time.ParseDuration(env("STORE_TIMEOUT", "5s"))
	if err != nil {
		errs = append(errs, fmt.Errorf("STORE_TIMEOUT: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, err
	}
	fs.IntVar(&cfg.MaxInFlight, "max-in-flight", maxInFlight, "requests handled at once; above it 503 with Retry-After; 0 for no cap (env MAX_IN_FLIGHT)")
	fs.Float64Var(&cfg.WaveRate, "wave-rate", waveRate, "sustained submissions per second one wave takes; 0 for no limit (env WAVE_RATE)")
	fs.IntVar(&cfg.WaveBurst, "wave-burst", waveBurst, "submissions one wave takes at once (env WAVE_BURST)")
	fs.Float64Var(&cfg.ClientRate, "client-rate", clientRate, "sustained submissions per second from one client address; 0 for no limit (env CLIENT_RATE)")
	fs.IntVar(&cfg.ClientBurst, "client-burst", clientBurst, "submissions one client address sends at once (env CLIENT_BURST)")
	proxies := fs.String("trusted-proxies", env("TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed, for the per-client limits only; empty trusts none (env TRUSTED_PROXIES)")
	fs.DurationVar(&cfg.StoreTimeout, "store-timeout", storeTimeout, "how long a request waits for an unreachable store before it answers 503 (env STORE_TIMEOUT)")
	// A key given as a flag is visible in the process list: the help
	// steers operators to the environment or a file (Docker secrets).
	secretKey := fs.String("secret-key", env("SECRET_KEY", ""), "32 random bytes, base64 or hex, that seal two-step sign-in secrets in the store; prefer the environment or -secret-key-file, as a flag shows in the process list (env SECRET_KEY)")
	secretKeyFile := fs.String("secret-key-file", env("SECRET_KEY_FILE", ""), "a file holding the secret key, such as a Docker secret (env SECRET_KEY_FILE)")
	previousKey := fs.String("secret-key-previous", env("SECRET_KEY_PREVIOUS", ""), "while rotating: the key being replaced, so what it sealed still opens and is sealed again with the new key at start (env SECRET_KEY_PREVIOUS)")
	previousKeyFile := fs.String("secret-key-previous-file", env("SECRET_KEY_PREVIOUS_FILE", ""), "a file holding the key being replaced (env SECRET_KEY_PREVIOUS_FILE)")
	cfg.ReadHeaderTimeout, cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout = 5*time.Second, 15*time.Second, 30*time.Second, 60*time.Second
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var keyErr, prevErr error
	cfg.SecretKey, keyErr = readSecretKey("SECRET_KEY", *secretKey, *secretKeyFile)
	cfg.SecretKeyPrevious, prevErr = readSecretKey("SECRET_KEY_PREVIOUS", *previousKey, *previousKeyFile)
	return cfg, errors.Join(keyErr, prevErr, cfg.validate())
}

// readSecretKey reads the key named name from its value or from the file
// at path (one or neither). Errors never quote the key.
func readSecretKey(name, value, path string) ([]byte, error) {
	if value != "" && path != "" {
		return nil, fmt.Errorf("set %s or %s_FILE, not both", name, name)
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s_FILE: %w", name, err)
		}
		if value = strings.TrimSpace(string(b)); value == "" {
			return nil, fmt.Errorf("%s_FILE %s is empty", name, path)
		}
	}
	if value == "" {
		return nil, nil
	}
	key, err := secretbox.ParseKey(value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return key, nil
}

// samePort reports whether two listen addresses name the same fixed port
// (":0" picks a free one, so never clashes).
func samePort(a, b string) bool {
	_, pa, errA := net.SplitHostPort(a)
	_, pb, errB := net.SplitHostPort(b)
	return errA == nil && errB == nil && pa != "0" && pa == pb
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
	if cfg.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("-metrics-addr %q is not host:port (for example 127.0.0.1:9090)", cfg.MetricsAddr))
		} else if samePort(cfg.MetricsAddr, cfg.Addr) {
			errs = append(errs, fmt.Errorf("-metrics-addr %q must not share -addr's port: metrics are never served on the public address", cfg.MetricsAddr))
		}
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
	if cfg.MaxInFlight < 0 || cfg.WaveRate < 0 || cfg.ClientRate < 0 ||
		(cfg.WaveRate > 0 && cfg.WaveBurst < 1) || (cfg.ClientRate > 0 && cfg.ClientBurst < 1) {
		errs = append(errs, errors.New("-max-in-flight, the rates and the bursts must not be negative, and a burst must be at least 1 where its rate is set"))
	}
	for _, p := range cfg.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				errs = append(errs, fmt.Errorf("-trusted-proxies: %q is neither an address nor a CIDR range", p))
			}
		}
	}
	commands := 0
	for _, on := range []bool{cfg.Repair, cfg.Backup != "", cfg.Restore != ""} {
		if on {
			commands++
		}
	}
	if commands > 1 {
		errs = append(errs, errors.New("use one of -repair, -backup and -restore at a time"))
	}
	if cfg.RestoreReplace && cfg.Restore == "" {
		errs = append(errs, errors.New("-restore-replace goes with -restore"))
	}
	if cfg.SecretKeyPrevious != nil && cfg.SecretKey == nil {
		errs = append(errs, errors.New("SECRET_KEY_PREVIOUS goes with SECRET_KEY, the key that replaces it"))
	}
	if cfg.StoreTimeout < 100*time.Millisecond || cfg.StoreTimeout > time.Minute {
		errs = append(errs, errors.New("STORE_TIMEOUT must be between 100ms and 1m"))
	}
	return errors.Join(errs...)
}
