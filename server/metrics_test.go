package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// TestMetrics boots the app with METRICS_ADDR, sends a response, a refused
// one, a vote and a 404, and reads the counts back through the Prometheus
// text parser; the exposition carries no client address, answer, code,
// join code or email, and is not served on the public address.
func TestMetrics(t *testing.T) {
	const (
		email    = "metrics-admin@yousaid.example"
		password = "a metrics test password"
		answer   = "metrics answer marker Zq7"
		badCode  = "ZZQ9-XW7V"
		lostPath = "/lost-metrics-marker-Kp3"
	)
	base, _, _, stop := startApp(t, map[string]string{
		"ADMIN_EMAIL": email, "ADMIN_PASSWORD": password, "METRICS_ADDR": "127.0.0.1:0",
	}, "-demo")
	defer stop()
	metricsBase := "http://" + lastApp.MetricsAddr()

	call := func(method, path, body string, header map[string]string, out any) int {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatalf("%s %s: %d: %v", method, path, resp.StatusCode, err)
			}
		}
		return resp.StatusCode
	}
	var tok struct{ Token string }
	call("POST", "/api/v1/auth/tokens", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password), nil, &tok)
	auth := map[string]string{"Authorization": "Bearer " + tok.Token}
	var wave struct{ ID string }
	if st := call("POST", "/api/v1/councils/demo/waves", `{"survey":"life-beyond-care","name":"Metrics","access":"codes"}`, auth, &wave); st != 201 {
		t.Fatalf("create wave: %d", st)
	}
	var codes struct{ Codes []string }
	if st := call("POST", "/api/v1/waves/"+wave.ID+"/codes", `{"count":2}`, auth, &codes); st != 201 || len(codes.Codes) != 2 {
		t.Fatalf("create codes: %d %v", st, codes)
	}
	var session struct {
		ID       string
		JoinCode string `json:"join_code"`
	}
	if st := call("POST", "/api/v1/councils/demo/sessions",
		`{"title":"Metrics","options":[{"value":"housing","label":{"en":"Housing"}},{"value":"money","label":{"en":"Money"}}],"max_choices":1}`,
		auth, &session); st != 201 {
		t.Fatalf("create session: %d", st)
	}

	before := scrape(t, metricsBase)

	respond := func(code string) int {
		return call("POST", "/api/v1/waves/"+wave.ID+"/responses",
			fmt.Sprintf(`{"language":"en","code":%q,"answers":{"anything_else":%q}}`, code, answer), nil, nil)
	}
	if st := respond(codes.Codes[0]); st != 201 {
		t.Fatalf("response with a good code: %d", st)
	}
	if st := respond(badCode); st != 403 {
		t.Fatalf("response with a bad code: %d", st)
	}
	if st := call("POST", "/api/v1/waves/"+wave.ID+"/responses", `{"language":"en","code":"`+codes.Codes[1]+`","answers":{"no_such_question":1}}`, nil, nil); st != 400 {
		t.Fatalf("invalid response: %d", st)
	}
	form := url.Values{"lang": {"en"}, "code": {badCode}, "anything_else": {answer}}
	resp, err := http.PostForm(base+"/w/"+wave.ID, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("form with a bad code: %d", resp.StatusCode)
	}
	if st := call("POST", "/api/v1/sessions/"+session.JoinCode+"/votes", `{"choices":["housing"]}`, nil, nil); st != 201 {
		t.Fatalf("vote: %d", st)
	}
	if st := call("POST", "/api/v1/sessions/"+session.JoinCode+"/votes", `{"choices":["nonsense"]}`, nil, nil); st != 400 {
		t.Fatalf("vote for no option: %d", st)
	}
	if st := call("GET", lostPath+"/"+session.JoinCode, "", nil, nil); st != 404 {
		t.Fatalf("unknown path: %d", st)
	}

	// The tally writer flushes every 250 ms: wait until it has written
	// the response's and the vote's counts.
	var after map[string]*dto.MetricFamily
	for deadline := time.Now().Add(5 * time.Second); ; {
		after = scrape(t, metricsBase)
		if value(after, "yousaid_tally_unwritten", "kind", "responses") == 0 &&
			value(after, "yousaid_tally_unwritten", "kind", "votes") == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Each series: its name, then its labels as name, value pairs.
	wantDelta := map[string]float64{
		"yousaid_responses_accepted_total channel api":                                           1,
		"yousaid_responses_refused_total channel api reason code_invalid":                        1,
		"yousaid_responses_refused_total channel api reason validation":                          1,
		"yousaid_responses_refused_total channel form reason code_invalid":                       1,
		"yousaid_votes_accepted_total channel api":                                               1,
		"yousaid_votes_refused_total channel api reason validation":                              1,
		"yousaid_http_requests_total method POST route /api/v1/waves/:wave/responses status 201": 1,
		"yousaid_http_requests_total method POST route /api/v1/waves/:wave/responses status 403": 1,
		"yousaid_http_requests_total method POST route /w/:wave status 422":                      1,
		"yousaid_http_requests_total method POST route /api/v1/sessions/:id/votes status 201":    1,
		"yousaid_http_requests_total method GET route unmatched status 404":                      1,
		"yousaid_http_request_duration_seconds method POST route /api/v1/waves/:wave/responses":  3,
	}
	gotDelta := map[string]float64{}
	for s := range wantDelta {
		f := strings.Fields(s)
		gotDelta[s] = value(after, f[0], f[1:]...) - value(before, f[0], f[1:]...)
	}
	if diff := cmp.Diff(wantDelta, gotDelta); diff != "" {
		t.Errorf("series changed other than expected (-want +got):\n%s", diff)
	}
	for _, name := range []string{
		"yousaid_http_requests_in_flight", "yousaid_tally_unwritten", "yousaid_tally_unwritten_age_seconds",
		"yousaid_tally_recounts_total", "yousaid_tally_recounts_pending", "go_goroutines", "process_resident_memory_bytes",
	} {
		if after[name] == nil {
			t.Errorf("no %s in the exposition", name)
		}
	}
	// The demo data are counted by recounts at start.
	if value(after, "yousaid_tally_recounts_total", "kind", "wave", "cause", "requested", "corrected", "true") < 1 {
		t.Error("the demo's recounts were not counted")
	}
	if got := value(after, "yousaid_tally_unwritten", "kind", "responses"); got != 0 {
		t.Errorf("unwritten responses after the flush = %v, want 0", got)
	}

	text := scrapeText(t, metricsBase)
	for what, secret := range map[string]string{
		"client address": "127.0.0.1", "answer": answer, "access code": codes.Codes[0], "refused code": badCode,
		"unused code": codes.Codes[1], "join code": session.JoinCode, "email": email, "token": tok.Token,
		"wave id": wave.ID, "session id": session.ID, "unmatched path": lostPath[1:],
	} {
		if strings.Contains(text, secret) {
			t.Errorf("the exposition holds the %s %q", what, secret)
		}
	}

	for _, u := range []string{base + "/metrics", metricsBase + "/healthz", metricsBase + "/api/v1/surveys"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", u, resp.StatusCode)
		}
	}
}

func scrapeText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	return string(b)
}

// scrape reads /metrics through the Prometheus text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	var p expfmt.TextParser
	families, err := p.TextToMetricFamilies(strings.NewReader(scrapeText(t, base)))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v", err)
	}
	return families
}

// value is a series' value (a histogram's count), 0 when absent; labels
// are name, value pairs that must all match.
func value(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	var sum float64
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

func TestMetricsConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    string
		wantErr string
	}{
		{name: "off by default", want: ""},
		{name: "from the environment", env: map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, want: "127.0.0.1:9090"},
		{name: "flag wins", env: map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, args: []string{"-metrics-addr", ":9100"}, want: ":9100"},
		{name: "not host:port", args: []string{"-metrics-addr", "9090"}, wantErr: "host:port"},
		{name: "the public port", args: []string{"-addr", ":8080", "-metrics-addr", "127.0.0.1:8080"}, wantErr: "public address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MetricsAddr != tt.want {
				t.Fatalf("MetricsAddr = %q, want %q", cfg.MetricsAddr, tt.want)
			}
		})
	}
}
