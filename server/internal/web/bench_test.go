package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"yousaid/server/internal/store"
	"yousaid/tools/loadgen/load"
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
	// A wave of the seed survey, with the load generator's random valid
	// answers to its 40 questions: the same documents on both sides, and
	// the same work as tools/loadgen/throughput.sh.
	def, err := h.store.Survey(context.Background(), "life-beyond-care", 0)
	if err != nil {
		b.Fatal(err)
	}
	w := &store.Wave{Council: "leeds", Survey: def.ID, Version: def.Version, Name: "bench", Access: store.AccessOpen}
	if err := h.store.CreateWave(context.Background(), w); err != nil {
		b.Fatal(err)
	}
	random := load.RandomAnswers(def)
	var seq atomic.Uint64
	nextAnswers := func() map[string]any {
		return random(rand.New(rand.NewPCG(seq.Add(1), 1)))
	}

	// Raw: one InsertOne per response, straight through the driver, into a
	// wave collection like the submissions' (made and indexed first).
	rawWave := "raw" + w.ID
	if err := h.store.InsertResponse(context.Background(), &store.Response{ID: "first", Wave: rawWave, Answers: map[string]any{}}); err != nil {
		b.Fatal(err)
	}
	rawCol, _ := h.store.ResponsesCollection(rawWave)
	b.Run("raw-insert", func(b *testing.B) {
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := &store.Response{ID: store.ResponseID(w.ID, ""), Wave: rawWave, Survey: def.ID, Version: def.Version, Language: "en", Answers: nextAnswers(), Week: "2027-W05"}
				// The document as the store keeps it (answers packed on the embedded store).
				doc, err := h.store.ResponseDocument(r)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := rawCol.InsertOne(context.Background(), doc); err != nil {
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
				body, _ := json.Marshal(map[string]any{"language": "en", "answers": nextAnswers()})
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

func benchPool() uint64 {
	n, _ := strconv.Atoi(os.Getenv("YOUSAID_BENCH_POOL"))
	return uint64(n)
}
