package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Rate is a token bucket: Burst requests at once, refilled at PerSecond.
// A zero Rate means no limit.
type Rate struct {
	PerSecond float64 // sustained requests per second
	Burst     int     // requests allowed at once after a quiet spell
}

func (r Rate) unlimited() bool { return r.PerSecond <= 0 || r.Burst <= 0 }

// Limits bound what the whole process, one wave and one client may ask
// for. The zero value limits nothing but sign-ins (whose defaults are
// always on); the server command passes its configured production limits.
type Limits struct {
	// MaxInFlight caps the requests handled at once (health checks aside);
	// above it the API answers 503 with Retry-After, pages the busy page.
	// Zero: no cap.
	MaxInFlight int
	// WaveSubmissions bounds the responses one wave takes, over every
	// client together: a ballot-stuffer cannot flood a wave's counts
	// faster than this, and neither can a survey day, so keep it generous.
	WaveSubmissions Rate
	// ClientSubmissions bounds the responses (and votes) one client may
	// send. A whole venue's Wi-Fi shares one address: keep it generous.
	ClientSubmissions Rate
	// AccountSignIns and ClientSignIns bound failed sign-ins per email and
	// per client. Zero: the defaults below.
	AccountSignIns Rate
	ClientSignIns  Rate
	// KeyRotation is how often the in-memory key that turns client
	// addresses and emails into limiter keys is replaced; the limiters
	// start afresh then. Zero: hourly.
	KeyRotation time.Duration
}

// Default sign-in limits: 5 failures at once per email, then one a minute;
// 20 at once per client, then one every 10 seconds.
var (
	DefaultAccountSignIns = Rate{PerSecond: 1.0 / 60, Burst: 5}
	DefaultClientSignIns  = Rate{PerSecond: 1.0 / 10, Burst: 20}
)

// maxLimiterKeys bounds each limiter's memory. Past it, buckets that are
// full again are dropped; if that is not enough the limiter starts afresh
// (failing open, so that a flood of addresses cannot lock everyone out).
const maxLimiterKeys = 100_000

// bucket is one key's tokens at a moment.
type bucket struct {
	tokens float64
	at     time.Time
}

// limiter keeps one token bucket per key.
type limiter struct {
	rate    Rate
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

func newLimiter(r Rate, now func() time.Time) *limiter {
	return &limiter{rate: r, now: now, buckets: map[string]*bucket{}}
}

// refill brings b up to now; mu held.
func (l *limiter) refill(b *bucket, now time.Time) {
	if now.After(b.at) {
		b.tokens = math.Min(float64(l.rate.Burst), b.tokens+now.Sub(b.at).Seconds()*l.rate.PerSecond)
		b.at = now
	}
}

// take spends one of key's tokens. When there is none it spends nothing
// and says how long until there is one.
func (l *limiter) take(key string) (ok bool, wait time.Duration) {
	if l == nil || l.rate.unlimited() {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxLimiterKeys {
			l.sweep(now)
		}
		b = &bucket{tokens: float64(l.rate.Burst), at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate.PerSecond * float64(time.Second))
}

// give returns a token taken for something that turned out fine.
func (l *limiter) give(key string) {
	if l == nil || l.rate.unlimited() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		b.tokens = math.Min(float64(l.rate.Burst), b.tokens+1)
	}
}

// sweep drops buckets that are full again; mu held.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxLimiterKeys {
		l.buckets = map[string]*bucket{}
	}
}

func (l *limiter) reset() {
	l.mu.Lock()
	l.buckets = map[string]*bucket{}
	l.mu.Unlock()
}

// keyring turns client addresses and emails into limiter keys with an
// HMAC under a random key that lives only in memory and is replaced every
// so often: neither the limiters nor a dump of the process's memory hold
// an address or an email, and a key's hashes cannot be linked to the next
// key's. On each rotation the limiters that use the keys start afresh.
type keyring struct {
	every time.Duration
	now   func() time.Time

	mu       sync.Mutex
	key      []byte
	since    time.Time
	limiters []*limiter
}

func newKeyring(every time.Duration, now func() time.Time, limiters ...*limiter) *keyring {
	k := &keyring{every: every, now: now, limiters: limiters}
	k.rotate(now())
	return k
}

// rotate replaces the key; mu held (or not yet shared).
func (k *keyring) rotate(now time.Time) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("web: no randomness for the limiter key: " + err.Error())
	}
	k.key, k.since = key, now
	for _, l := range k.limiters {
		l.reset()
	}
}

// id is the limiter key of a kind of thing ("client", "account") and its
// value.
func (k *keyring) id(kind, value string) string {
	k.mu.Lock()
	if now := k.now(); now.Sub(k.since) >= k.every {
		k.rotate(now)
	}
	mac := hmac.New(sha256.New, k.key)
	k.mu.Unlock()
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// guards are the server's limiters.
type guards struct {
	inFlight          chan struct{} // nil: no cap
	waveSubmissions   *limiter
	clientSubmissions *limiter
	accountSignIns    *limiter
	clientSignIns     *limiter
	keys              *keyring
}

func newGuards(l Limits, now func() time.Time) *guards {
	if l.AccountSignIns == (Rate{}) {
		l.AccountSignIns = DefaultAccountSignIns
	}
	if l.ClientSignIns == (Rate{}) {
		l.ClientSignIns = DefaultClientSignIns
	}
	if l.KeyRotation <= 0 {
		l.KeyRotation = time.Hour
	}
	g := &guards{
		waveSubmissions:   newLimiter(l.WaveSubmissions, now),
		clientSubmissions: newLimiter(l.ClientSubmissions, now),
		accountSignIns:    newLimiter(l.AccountSignIns, now),
		clientSignIns:     newLimiter(l.ClientSignIns, now),
	}
	if l.MaxInFlight > 0 {
		g.inFlight = make(chan struct{}, l.MaxInFlight)
	}
	// Wave ids are no personal data; only the others need the keyring.
	g.keys = newKeyring(l.KeyRotation, now, g.clientSubmissions, g.accountSignIns, g.clientSignIns)
	return g
}

// clientAddress is who a request comes from, for limiting only: the
// connection's address (or, only with trusted proxies configured, the
// address they forward), an IPv6 address reduced to its /64, which one
// household or phone usually holds whole. It is never logged or stored.
func clientAddress(c *gin.Context) string {
	ip := net.ParseIP(c.ClientIP())
	if ip == nil {
		return c.Request.RemoteAddr
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String()
	}
	return ip.String()
}

// retryAfterSeconds rounds a wait up to whole seconds, at least one.
func retryAfterSeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

// errTooMany is a 429 with the seconds to wait.
func errTooMany(wait time.Duration) *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Code: "too_many_requests", MessageID: "ErrorTooManyRequests", RetryAfter: retryAfterSeconds(wait)}
}

var errBusy = &apiError{Status: http.StatusServiceUnavailable, Code: "busy", MessageID: "ErrorBusy", RetryAfter: 2}

// notCapped are the routes that answer however busy the server is: the
// probes that tell a load balancer or supervisor the process is alive.
var notCapped = map[string]bool{"/healthz": true, "/readyz": true}

// limitInFlight caps the requests handled at once. Above the cap the API
// answers 503 busy with Retry-After and pages the busy page at once,
// rather than queueing work the server cannot finish in time.
func (s *Server) limitInFlight(c *gin.Context) {
	sem := s.guards.inFlight
	if sem == nil || notCapped[c.FullPath()] {
		c.Next()
		return
	}
	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
		c.Next()
	default:
		if isAPI(c) {
			s.fail(c, "limits.inFlight", errBusy)
			return
		}
		s.errorPage(c, http.StatusServiceUnavailable)
	}
}

// clientLimitedRoutes are the anonymous writes each client is limited on
// (method and route template). The route walk in security_test.go fails
// when an anonymous POST is neither here nor known to need no limit.
var clientLimitedRoutes = map[string]bool{
	"POST /api/v1/waves/:wave/responses": true,
	"POST /w/:wave":                      true,
	"POST /api/v1/sessions/:id/votes":    true,
	"POST /j/:code":                      true,
}

// limitClients applies the per-client limit to the anonymous writes: 429
// with Retry-After for the API, the too-many-tries page for forms.
func (s *Server) limitClients(c *gin.Context) {
	if !clientLimitedRoutes[c.Request.Method+" "+c.FullPath()] {
		c.Next()
		return
	}
	ok, wait := s.guards.clientSubmissions.take(s.guards.keys.id("client", clientAddress(c)))
	if ok {
		c.Next()
		return
	}
	s.countRefusedEarly(c, errTooMany(wait))
	if isAPI(c) {
		s.fail(c, "limits.client", errTooMany(wait))
		return
	}
	c.Header("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
	s.errorPage(c, http.StatusTooManyRequests)
}

// allowWave spends one of a wave's submission tokens: errTooMany when the
// wave is taking responses faster than its limit.
func (s *Server) allowWave(wave string) error {
	if ok, wait := s.guards.waveSubmissions.take(wave); !ok {
		return errTooMany(wait)
	}
	return nil
}

// signInAttempt is one sign-in's claim on its email's and its client's
// budgets of failures.
type signInAttempt struct {
	g                *guards
	account, client  string
	allowed          bool
	wait             time.Duration
	accountTokenHeld bool
}

// startSignIn takes one failure's worth from the email's and the client's
// budgets before the password is checked, so that many guesses at once
// are bounded too; succeeded gives them back. allowed is false, with the
// wait, when either budget is spent: the password is then not checked at
// all, and the answer does not depend on whether the email exists.
func (s *Server) startSignIn(c *gin.Context, email string) *signInAttempt {
	g := s.guards
	a := &signInAttempt{
		g:       g,
		account: g.keys.id("account", strings.ToLower(strings.TrimSpace(email))),
		client:  g.keys.id("client", clientAddress(c)),
	}
	ok, wait := g.clientSignIns.take(a.client)
	if !ok {
		a.wait = wait
		return a
	}
	ok, wait = g.accountSignIns.take(a.account)
	if !ok {
		g.clientSignIns.give(a.client)
		a.wait = wait
		return a
	}
	a.allowed, a.accountTokenHeld = true, true
	return a
}

// succeeded gives back what a successful sign-in took: only failures
// count.
func (a *signInAttempt) succeeded() {
	if a.accountTokenHeld {
		a.g.accountSignIns.give(a.account)
		a.g.clientSignIns.give(a.client)
		a.accountTokenHeld = false
	}
}
