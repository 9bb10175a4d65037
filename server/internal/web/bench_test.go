package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"yousaid/server/internal/store"
)

// benchParallelism × GOMAXPROCS goroutines drive each side; the same for
// both, so the two rates compare like with like.
const benchParallelism = 8

// BenchmarkThroughput measures, in one run on one store, the raw InsertOne
// rate of a response document and the rate of submissions through
// POST /api/v1/waves/{wave}/responses over loopback HTTP (validation,
// idempotency key, insert, tally). docs/benchmarks.md divides the two.
//
//	go test -run '^$' -bench Throughput -benchtime 4000x ./server/internal/web
func BenchmarkThroughput(b *testing.B) {
	h := newHarnessWith(b, 0) // 0: the production flush interval
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	body := []byte(`{"language":"en","answers":{"age_band":"18-20","home_safe":"never","has_pa":"yes","pa_trust":"no","anxiety":7,"areas":["housing","money"]}}`)
	answers := map[string]any{"age_band": "18-20", "home_safe": "never", "has_pa": "yes", "pa_trust": "no", "anxiety": 7, "areas": []string{"housing", "money"}, "anything_else": "more help with bills"}

	b.Run("raw-insert", func(b *testing.B) {
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := &store.Response{ID: store.ResponseID(w.ID, ""), Wave: "raw-" + w.ID, Survey: "test-survey", Version: 1, Language: "en", Answers: answers}
				if err := h.store.InsertResponse(context.Background(), r); err != nil {
					b.Error(err)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
	})

	srv := httptest.NewServer(h.srv)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	url := srv.URL + "/api/v1/waves/" + w.ID + "/responses"
	var failed atomic.Int64
	b.Run("http-submit", func(b *testing.B) {
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", uuid.NewString())
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != 201 {
					failed.Add(1)
				}
				if resp != nil {
					// Drained, so the connection is reused as a real client's is.
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
	})
	if failed.Load() > 0 {
		b.Fatalf("%d submissions failed", failed.Load())
	}
}
