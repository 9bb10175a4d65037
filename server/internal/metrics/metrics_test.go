package metrics

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestNilRecordsNothing: the web layer and the tally writer may hold a nil
// *Metrics (tests, tools); every method must then do nothing.
func TestNilRecordsNothing(t *testing.T) {
	var m *Metrics
	m.StartRequest()("GET", "/", 200)
	m.ResponseAccepted(ChannelAPI)
	m.ResponseRefused(ChannelForm, "validation")
	m.VoteAccepted(ChannelAPI)
	m.VoteRefused(ChannelAPI, "session_closed")
	m.Recounted("wave", "requested", false)
	m.StoreError("insert")
	m.WatchTally(func() TallyLag { return TallyLag{} })
}

// TestLabelsStayBounded: a client can send any token as a method; the
// label takes only the standard ones and "other".
func TestLabelsStayBounded(t *testing.T) {
	m := New()
	for _, method := range []string{"GET", "POST", "BREW", "get", "PROPFIND"} {
		m.StartRequest()(method, Unmatched, 404)
	}
	m.WatchTally(func() TallyLag { return TallyLag{Responses: 3, Votes: 1, Oldest: 1500 * time.Millisecond} })
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			key := f.GetName()
			for _, l := range s.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case s.Counter != nil:
				got[key] = s.GetCounter().GetValue()
			case s.Gauge != nil && f.GetName() != "go_goroutines" && f.GetName() != "go_threads":
				got[key] = s.GetGauge().GetValue()
			}
		}
	}
	want := map[string]float64{
		"yousaid_http_requests_total method=GET route=unmatched status=404":   1,
		"yousaid_http_requests_total method=POST route=unmatched status=404":  1,
		"yousaid_http_requests_total method=other route=unmatched status=404": 3,
		"yousaid_http_requests_in_flight":                                     0,
		"yousaid_tally_unwritten kind=responses":                              3,
		"yousaid_tally_unwritten kind=votes":                                  1,
		"yousaid_tally_unwritten_age_seconds":                                 1.5,
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			delete(got, k) // the Go runtime's and the process's own series
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("series mismatch (-want +got):\n%s", diff)
	}
}
