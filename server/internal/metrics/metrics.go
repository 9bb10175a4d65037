// Package metrics defines what yousaid tells Prometheus: requests by route
// template and status, their latency, requests in flight, survey responses
// and forum votes accepted and refused by reason, the tally writer's lag and
// recounts, and store errors.
//
// Every label value is a route template, an HTTP method or status, one of
// the contract's error codes or another fixed word chosen by the code,
// never anything a request carries: no client address, answer, access
// code, join code, email or id can reach the exposition.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Channels a response or vote arrives through.
const (
	ChannelAPI  = "api"  // the JSON API
	ChannelForm = "form" // the HTML form, JavaScript off or on
)

// Unmatched is the route label of requests that matched no route (404s):
// their paths are never used as labels.
const Unmatched = "unmatched"

// Metrics holds yousaid's collectors in a registry of its own, so that
// several servers can run in one process (tests) without clashing over the
// global default registry. A nil *Metrics records nothing.
type Metrics struct {
	registry *prometheus.Registry

	requests  *prometheus.CounterVec   // method, route, status
	latency   *prometheus.HistogramVec // method, route
	inFlight  prometheus.Gauge
	responses *prometheus.CounterVec // accepted: channel
	refused   *prometheus.CounterVec // refused: channel, reason
	votes     *prometheus.CounterVec // accepted: channel
	votesNo   *prometheus.CounterVec // refused: channel, reason
	recounts  *prometheus.CounterVec // kind, cause, corrected
	storeErrs *prometheus.CounterVec // command

	tallyOnce  sync.Once
	unsureOnce sync.Once
}

// New makes the collectors and registers them, with the Go runtime's and
// the process's, in a new registry.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yousaid_http_requests_total",
			Help: "HTTP requests answered, by method, route template (\"unmatched\" for no route) and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "yousaid_http_request_duration_seconds",
			Help:    "Time from a request reaching the router to its answer, by method and route template.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "yousaid_http_requests_in_flight",
			Help: "Requests being handled now, including event streams and those about to be refused as busy.",
		}),
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yousaid_responses_accepted_total",
			Help: "Survey responses answered with a receipt (a replay of an Idempotency-Key included), by channel.",
		}, []string{"channel"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yousaid_responses_refused_total",
			Help: "Survey responses refused, by channel and reason: the contract's error code, or validation for any answer or field at fault.",
		}, []string{"channel", "reason"}),
		votes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yousaid_votes_accepted_total",
			Help: "Forum votes stored (or found stored for a replayed Idempotency-Key), by channel.",
		}, []string{"channel"}),
		votesNo: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yousaid_votes_refused_total",
			Help: "Forum votes refused, by channel and reason (the contract's error code, or validation).",
		}, []string{"channel", "reason"}),
		recounts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yousaid_tally_recounts_total",
			Help: "Tallies rebuilt from their raw documents, by kind (wave or session), cause, and whether any count changed.",
		}, []string{"kind", "cause", "corrected"}),
		storeErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yousaid_store_errors_total",
			Help: "Store commands that failed (not duplicate keys, which are expected answers), by command name.",
		}, []string{"command"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, m.inFlight, m.responses, m.refused, m.votes, m.votesNo, m.recounts, m.storeErrs,
	)
	return m
}

// Handler serves the exposition at /metrics and nothing else. It belongs
// on a listener of its own, never on the public router.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry}))
	return mux
}

// Registry is the registry the collectors are in (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// StartRequest counts a request in flight; call the function it returns
// when the request has been answered, with its method, route template and
// status.
func (m *Metrics) StartRequest() (done func(method, route string, status int)) {
	if m == nil {
		return func(string, string, int) {}
	}
	start := time.Now()
	m.inFlight.Inc()
	return func(method, route string, status int) {
		m.inFlight.Dec()
		method = knownMethod(method)
		m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	}
}

// knownMethod keeps the method label to the standard methods: a client
// can send any token as a method.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// ResponseAccepted counts a response answered with a receipt.
func (m *Metrics) ResponseAccepted(channel string) {
	if m != nil {
		m.responses.WithLabelValues(channel).Inc()
	}
}

// ResponseRefused counts a response refused for reason.
func (m *Metrics) ResponseRefused(channel, reason string) {
	if m != nil {
		m.refused.WithLabelValues(channel, reason).Inc()
	}
}

// VoteAccepted counts a forum vote stored.
func (m *Metrics) VoteAccepted(channel string) {
	if m != nil {
		m.votes.WithLabelValues(channel).Inc()
	}
}

// VoteRefused counts a forum vote refused for reason.
func (m *Metrics) VoteRefused(channel, reason string) {
	if m != nil {
		m.votesNo.WithLabelValues(channel, reason).Inc()
	}
}

// Recounted counts a tally rebuilt from its raw documents; kind is "wave"
// or "session". It makes *Metrics a tally.Observer.
func (m *Metrics) Recounted(kind, cause string, corrected bool) {
	if m != nil {
		m.recounts.WithLabelValues(kind, cause, strconv.FormatBool(corrected)).Inc()
	}
}

// StoreError counts a failed store command by its name (insert, update,
// find...): the store's Options.OnError.
func (m *Metrics) StoreError(command string) {
	if m != nil {
		m.storeErrs.WithLabelValues(command).Inc()
	}
}

// TallyLag is what the tally writer holds that the store does not have yet.
type TallyLag struct {
	Responses int           // responses whose counts are not all written
	Votes     int           // forum votes whose counts are not written
	Oldest    time.Duration // how long the oldest of them may have waited; 0 when none
}

// WatchTally makes every scrape ask lag for the tally writer's backlog.
// Only the first call counts.
func (m *Metrics) WatchTally(lag func() TallyLag) {
	if m == nil {
		return
	}
	m.tallyOnce.Do(func() { m.registry.MustRegister(&tallyCollector{lag: lag}) })
}

// WatchRecountsPending makes every scrape ask n how many waves wait for a
// recount because a write to them failed uncertainly (their tallies may
// be short until it runs). Only the first call counts.
func (m *Metrics) WatchRecountsPending(n func() int) {
	if m == nil {
		return
	}
	m.unsureOnce.Do(func() {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "yousaid_tally_recounts_pending",
			Help: "Waves waiting for a recount after a store write to them failed in a way that may have been applied.",
		}, func() float64 { return float64(n()) }))
	})
}

var (
	tallyQueuedDesc = prometheus.NewDesc("yousaid_tally_unwritten",
		"Responses and votes counted in memory whose tally increments are not yet written, by kind.",
		[]string{"kind"}, nil)
	tallyAgeDesc = prometheus.NewDesc("yousaid_tally_unwritten_age_seconds",
		"How long the oldest unwritten count may have waited: the time since the start of the last flush that wrote everything; 0 when nothing waits and the last flush succeeded.",
		nil, nil)
)

// tallyCollector reads the writer's lag once per scrape.
type tallyCollector struct{ lag func() TallyLag }

func (c *tallyCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tallyQueuedDesc
	ch <- tallyAgeDesc
}

func (c *tallyCollector) Collect(ch chan<- prometheus.Metric) {
	l := c.lag()
	ch <- prometheus.MustNewConstMetric(tallyQueuedDesc, prometheus.GaugeValue, float64(l.Responses), "responses")
	ch <- prometheus.MustNewConstMetric(tallyQueuedDesc, prometheus.GaugeValue, float64(l.Votes), "votes")
	ch <- prometheus.MustNewConstMetric(tallyAgeDesc, prometheus.GaugeValue, l.Oldest.Seconds())
}
