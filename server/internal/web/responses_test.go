package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"yousaid/server/internal/store"
)

// TestTextAnswerNotTextSaysSo: true or a number for a text question is
// told to be text, not that its characters could not be read.
func TestTextAnswerNotTextSaysSo(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	for _, value := range []string{"true", "5"} {
		body := `{"language":"en","answers":{"age_band":"16-17","anything_else":` + value + `}}`
		rec := h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses", body: body})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d, want 400", value, rec.Code)
		}
		e := decodeErr(t, rec)
		if e.Error.Field != "anything_else" || !strings.Contains(e.Error.Message, "must be text") {
			t.Errorf("%s: error %q on %q, want that the answer must be text", value, e.Error.Message, e.Error.Field)
		}
	}
}

func TestResponseRules(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	open := h.wave("leeds", store.AccessOpen)
	closed := h.wave("leeds", store.AccessOpen)
	if _, err := h.store.CloseWave(context.Background(), closed.ID); err != nil {
		t.Fatal(err)
	}
	codes := h.wave("leeds", store.AccessCodes)

	valid := `{"language":"en","answers":{"age_band":"18-20","home_safe":"never","areas":["housing","money"],"anxiety":7,"anything_else":"free text"}}`
	tests := []struct {
		name        string
		wave        string
		body        string
		contentType string
		wantStatus  int
		wantCode    string
		wantField   string
	}{
		{name: "valid", body: valid, wantStatus: 201},
		{name: "only the required answer", body: `{"language":"ar","answers":{"age_band":"16-17"}}`, wantStatus: 201},
		{name: "null, empty string and empty list are not answered", body: `{"language":"en","answers":{"age_band":"16-17","home_safe":null,"anything_else":"","areas":[]}}`, wantStatus: 201},
		{name: "follow-up shown", body: `{"language":"en","answers":{"age_band":"16-17","has_pa":"yes","pa_trust":"no"}}`, wantStatus: 201},
		{name: "unknown question", body: `{"language":"en","answers":{"age_band":"16-17","shoe_size":"9"}}`, wantStatus: 400, wantCode: "unknown_question", wantField: "shoe_size"},
		{name: "value not an option", body: `{"language":"en","answers":{"age_band":"16-17","home_safe":"maybe"}}`, wantStatus: 400, wantCode: "not_an_option", wantField: "home_safe"},
		{name: "multi value not an option", body: `{"language":"en","answers":{"age_band":"16-17","areas":["housing","pizza"]}}`, wantStatus: 400, wantCode: "not_an_option", wantField: "areas"},
		{name: "number above range", body: `{"language":"en","answers":{"age_band":"16-17","anxiety":11}}`, wantStatus: 400, wantCode: "out_of_range", wantField: "anxiety"},
		{name: "number below range", body: `{"language":"en","answers":{"age_band":"16-17","anxiety":-1}}`, wantStatus: 400, wantCode: "out_of_range", wantField: "anxiety"},
		{name: "too many choices", body: `{"language":"en","answers":{"age_band":"16-17","areas":["housing","money","friends"]}}`, wantStatus: 400, wantCode: "too_many_choices", wantField: "areas"},
		{name: "scale as string", body: `{"language":"en","answers":{"age_band":"16-17","anxiety":"7"}}`, wantStatus: 400, wantCode: "wrong_type", wantField: "anxiety"},
		{name: "scale not whole", body: `{"language":"en","answers":{"age_band":"16-17","anxiety":7.5}}`, wantStatus: 400, wantCode: "wrong_type", wantField: "anxiety"},
		{name: "choice as list", body: `{"language":"en","answers":{"age_band":"16-17","home_safe":["never"]}}`, wantStatus: 400, wantCode: "wrong_type", wantField: "home_safe"},
		{name: "multi as string", body: `{"language":"en","answers":{"age_band":"16-17","areas":"housing"}}`, wantStatus: 400, wantCode: "wrong_type", wantField: "areas"},
		{name: "text as object", body: `{"language":"en","answers":{"age_band":"16-17","anything_else":{"a":1}}}`, wantStatus: 400, wantCode: "wrong_type", wantField: "anything_else"},
		{name: "text too long", body: `{"language":"en","answers":{"age_band":"16-17","anything_else":"` + strings.Repeat("a", 201) + `"}}`, wantStatus: 400, wantCode: "too_long", wantField: "anything_else"},
		{name: "answer to a hidden question", body: `{"language":"en","answers":{"age_band":"16-17","has_pa":"no","pa_trust":"yes"}}`, wantStatus: 400, wantCode: "hidden_question", wantField: "pa_trust"},
		{name: "hidden because its question is unanswered", body: `{"language":"en","answers":{"age_band":"16-17","pa_trust":"yes"}}`, wantStatus: 400, wantCode: "hidden_question", wantField: "pa_trust"},
		{name: "missing required answer", body: `{"language":"en","answers":{"home_safe":"never"}}`, wantStatus: 400, wantCode: "required", wantField: "age_band"},
		{name: "required answered with null", body: `{"language":"en","answers":{"age_band":null}}`, wantStatus: 400, wantCode: "required", wantField: "age_band"},
		{name: "no answers at all", body: `{"language":"en"}`, wantStatus: 400, wantCode: "required", wantField: "age_band"},
		{name: "unknown language", body: `{"language":"xx","answers":{"age_band":"16-17"}}`, wantStatus: 400, wantCode: "unknown_language", wantField: "language"},
		{name: "language the survey lacks", body: `{"language":"ps","answers":{"age_band":"16-17"}}`, wantStatus: 400, wantCode: "unknown_language", wantField: "language"},
		{name: "language missing", body: `{"answers":{"age_band":"16-17"}}`, wantStatus: 400, wantCode: "required", wantField: "language"},
		{name: "dollar key in answers", body: `{"language":"en","answers":{"age_band":"16-17","$where":"1"}}`, wantStatus: 400, wantCode: "invalid_key", wantField: "$where"},
		{name: "dotted key in answers", body: `{"language":"en","answers":{"age_band":"16-17","home_safe.x":"1"}}`, wantStatus: 400, wantCode: "invalid_key", wantField: "home_safe.x"},
		{name: "operator as a value", body: `{"language":"en","answers":{"age_band":{"$ne":null}}}`, wantStatus: 400, wantCode: "wrong_type", wantField: "age_band"},
		{name: "dollar key at top level", body: `{"language":"en","$set":{"x":1},"answers":{"age_band":"16-17"}}`, wantStatus: 400, wantCode: "invalid_key", wantField: "$set"},
		{name: "unknown top-level field", body: `{"language":"en","when":"now","answers":{"age_band":"16-17"}}`, wantStatus: 400, wantCode: "unknown_field", wantField: "when"},
		{name: "not JSON", body: `language=en`, wantStatus: 400, wantCode: "invalid_json"},
		{name: "answers not an object", body: `{"language":"en","answers":[1,2]}`, wantStatus: 400, wantCode: "wrong_type", wantField: "answers"},
		{name: "wrong media type", body: valid, contentType: "text/plain", wantStatus: 415, wantCode: "unsupported_media_type"},
		{name: "body over 64 KiB", body: `{"language":"en","answers":{"anything_else":"` + strings.Repeat("a", 70<<10) + `"}}`, wantStatus: 413, wantCode: "body_too_large"},
		{name: "closed wave", wave: closed.ID, body: valid, wantStatus: 410, wantCode: "wave_closed"},
		{name: "unknown wave", wave: "nosuchwave", body: valid, wantStatus: 404, wantCode: "not_found"},
		{name: "codes wave without code", wave: codes.ID, body: valid, wantStatus: 403, wantCode: "code_invalid", wantField: "code"},
		{name: "codes wave with wrong code", wave: codes.ID, body: `{"language":"en","code":"AAAA-BBBB","answers":{"age_band":"16-17"}}`, wantStatus: 403, wantCode: "code_invalid", wantField: "code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wave := tt.wave
			if wave == "" {
				wave = open.ID
			}
			before := h.countResponses(wave)
			hdr := map[string]string{}
			if tt.contentType != "" {
				hdr["Content-Type"] = tt.contentType
			}
			rec := h.do(request{method: "POST", path: "/api/v1/waves/" + wave + "/responses", body: tt.body, header: hdr})
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			after := h.countResponses(wave)
			if tt.wantStatus != 201 {
				e := decodeErr(t, rec)
				if e.Error.Code != tt.wantCode || e.Error.Field != tt.wantField {
					t.Errorf("error = %s/%q, want %s/%q", e.Error.Code, e.Error.Field, tt.wantCode, tt.wantField)
				}
				if after != before {
					t.Errorf("a refused response was stored (%d → %d)", before, after)
				}
				return
			}
			var ok struct{ Receipt string }
			if err := json.Unmarshal(rec.Body.Bytes(), &ok); err != nil || ok.Receipt == "" {
				t.Fatalf("201 without a receipt: %s", rec.Body)
			}
			if after != before+1 {
				t.Errorf("stored %d responses, want 1", after-before)
			}
		})
	}
}

func TestStoredResponseHoldsNothingElse(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessCodes)
	codes, err := h.store.CreateCodes(context.Background(), w.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	rec := h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses",
		body:   fmt.Sprintf(`{"language":"ar","code":%q,"answers":{"age_band":"21-25","anxiety":3}}`, codes[0]),
		header: map[string]string{"User-Agent": "MarkerAgent/1.0", "X-Forwarded-For": "203.0.113.77"}})
	if rec.Code != 201 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	col, filter := h.store.ResponsesCollection(w.ID)
	cur, err := col.Find(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	var keys []string
	for k := range docs[0] {
		keys = append(keys, k)
	}
	// The answers are "answers" on MongoDB and "answers_bson" (packed) on
	// the embedded store (store/packed.go).
	want := map[string]bool{"_id": true, "wave": true, "survey": true, "version": true, "language": true, "answers": true, "answers_bson": true, "week": true}
	for _, k := range keys {
		if !want[k] {
			t.Errorf("stored response has field %q", k)
		}
	}
	if docs[0]["week"] != "2027-W05" {
		t.Errorf("week = %v, want 2027-W05", docs[0]["week"])
	}
	// The document's bytes, packed answers included (BSON keeps strings
	// as they are).
	rawDoc, err := col.FindOne(context.Background(), filter).Raw()
	if err != nil {
		t.Fatal(err)
	}
	raw := string(rawDoc)
	if !strings.Contains(raw, "21-25") {
		t.Fatal("the stored bytes do not hold the answer: the search below would prove nothing")
	}
	for _, secret := range []string{codes[0], "MarkerAgent", "203.0.113.77"} {
		if strings.Contains(raw, secret) {
			t.Errorf("stored response contains %q", secret)
		}
	}
	for _, secret := range []string{codes[0], "MarkerAgent", "203.0.113.77", "21-25"} {
		if strings.Contains(h.logs.String(), secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

func TestIdempotentReplay(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	path := "/api/v1/waves/" + w.ID + "/responses"
	key := uuid.NewString()
	body := `{"language":"en","answers":{"age_band":"16-17","areas":["money","housing"],"anxiety":4}}`
	first := h.do(request{method: "POST", path: path, body: body, header: map[string]string{"Idempotency-Key": key}})
	if first.Code != 201 {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	// The same answers with keys in another order are the same body.
	again := h.do(request{method: "POST", path: path, body: `{"answers":{"anxiety":4,"areas":["money","housing"],"age_band":"16-17"},"language":"en"}`,
		header: map[string]string{"Idempotency-Key": strings.ToUpper(key)}})
	if again.Code != 201 || again.Body.String() != first.Body.String() {
		t.Fatalf("replay: %d %s, want 201 %s", again.Code, again.Body, first.Body)
	}
	other := h.do(request{method: "POST", path: path, body: `{"language":"en","answers":{"age_band":"18-20"}}`, header: map[string]string{"Idempotency-Key": key}})
	if other.Code != 409 || decodeErr(t, other).Error.Code != "idempotency_mismatch" {
		t.Fatalf("mismatch: %d %s", other.Code, other.Body)
	}
	bad := h.do(request{method: "POST", path: path, body: body, header: map[string]string{"Idempotency-Key": "not-a-uuid"}})
	if bad.Code != 400 || decodeErr(t, bad).Error.Field != "Idempotency-Key" {
		t.Fatalf("bad key: %d %s", bad.Code, bad.Body)
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
}

func TestCodesWaveReplayDoesNotNeedANewCode(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessCodes)
	codes, err := h.store.CreateCodes(context.Background(), w.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/waves/" + w.ID + "/responses"
	key := uuid.NewString()
	body := fmt.Sprintf(`{"language":"en","code":%q,"answers":{"age_band":"16-17"}}`, strings.ToLower(codes[0]))
	var wg sync.WaitGroup
	results := make([]int, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.do(request{method: "POST", path: path, body: body, header: map[string]string{"Idempotency-Key": key}}).Code
		}()
	}
	wg.Wait()
	for i, code := range results {
		if code != 201 {
			t.Errorf("attempt %d: %d, want 201 (the same submission)", i, code)
		}
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
	// A different submission with the spent code is refused.
	rec := h.do(request{method: "POST", path: path, body: body})
	if rec.Code != 403 {
		t.Fatalf("spent code: %d", rec.Code)
	}
}

func TestConcurrentSpendOfOneCode(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessCodes)
	codes, err := h.store.CreateCodes(context.Background(), w.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var created, refused atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses",
				body: fmt.Sprintf(`{"language":"en","code":%q,"answers":{"age_band":"16-17"}}`, codes[0])})
			switch rec.Code {
			case 201:
				created.Add(1)
			case 403:
				refused.Add(1)
			default:
				t.Errorf("status %d: %s", rec.Code, rec.Body)
			}
		}()
	}
	wg.Wait()
	if created.Load() != 1 || refused.Load() != 19 {
		t.Fatalf("created %d, refused %d; want 1 and 19", created.Load(), refused.Load())
	}
	if n := h.countResponses(w.ID); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
}

// TestConcurrentSubmissionsExactlyOnce: 40 submitters send 1,500 responses,
// a fifth of them retried (at once or later) with the same key; every
// acknowledged submission is stored exactly once.
func TestConcurrentSubmissionsExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 1,500 submissions")
	}
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	path := "/api/v1/waves/" + w.ID + "/responses"
	const total, workers = 1500, 40
	jobs := make(chan int)
	var acked sync.Map
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(worker), 7))
			for i := range jobs {
				key := uuid.NewString()
				body := fmt.Sprintf(`{"language":"en","answers":{"age_band":"16-17","anxiety":%d}}`, i%11)
				send := func() int {
					return h.do(request{method: "POST", path: path, body: body, header: map[string]string{"Idempotency-Key": key}}).Code
				}
				tries := 1
				if rng.IntN(5) == 0 {
					tries = 2 + rng.IntN(2)
				}
				for range tries {
					if code := send(); code == 201 {
						acked.Store(key, true)
					} else {
						t.Errorf("submission %d: status %d", i, code)
					}
				}
			}
		}()
	}
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	n := 0
	acked.Range(func(key, _ any) bool {
		n++
		if _, err := h.store.Response(context.Background(), w.ID, store.ResponseID(w.ID, key.(string))); err != nil {
			t.Errorf("acknowledged %s not stored: %v", key, err)
		}
		return true
	})
	if n != total {
		t.Fatalf("acknowledged %d, want %d", n, total)
	}
	if got := h.countResponses(w.ID); got != total {
		t.Fatalf("stored %d, want exactly %d", got, total)
	}
}

// TestMalformedBodiesNeverFail5xx throws 200 broken bodies at the endpoint.
func TestMalformedBodiesNeverFail5xx(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	w := h.wave("leeds", store.AccessOpen)
	valid := []byte(`{"language":"en","code":"ABCD-EFGH","answers":{"age_band":"16-17","home_safe":"never","areas":["housing"],"anxiety":7,"anything_else":"hi"}}`)
	junk := []string{`{`, `}`, `[`, `"`, `\u0000`, `null`, `1e999`, `-`, `{"$gt":1}`, `\"`, `:`, `,`, `[[[[`, `"\ud800"`, "\xff", `true`, `{"a":{"b":{"c":[]}}}`}
	rng := rand.New(rand.NewPCG(42, 42))
	for i := range 200 {
		b := append([]byte(nil), valid...)
		switch i % 4 {
		case 0: // cut short
			b = b[:rng.IntN(len(b))]
		case 1: // a byte flipped
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		case 2: // junk spliced in
			at := rng.IntN(len(b))
			b = append(b[:at:at], append([]byte(junk[rng.IntN(len(junk))]), valid[at:]...)...)
		case 3: // a value replaced
			b = []byte(strings.Replace(string(valid), `"never"`, junk[rng.IntN(len(junk))], 1))
		}
		rec := h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/responses", body: b})
		if rec.Code >= 500 {
			t.Fatalf("body %q: status %d: %s", b, rec.Code, rec.Body)
		}
		if rec.Code != 201 {
			decodeErr(t, rec)
		}
	}
	if strings.Contains(h.logs.String(), `"level":"ERROR"`) {
		t.Fatalf("malformed input logged errors:\n%s", h.logs)
	}
}

func TestClosedWaveRefusesAtOnce(t *testing.T) {
	h := newHarness(t)
	h.council("leeds")
	admin := h.user("admin@leeds.example", store.RoleCouncilAdmin, "leeds")
	w := h.wave("leeds", store.AccessOpen)
	path := "/api/v1/waves/" + w.ID + "/responses"
	body := `{"language":"en","answers":{"age_band":"16-17"}}`
	if rec := h.do(request{method: "POST", path: path, body: body}); rec.Code != 201 {
		t.Fatalf("open: %d", rec.Code)
	}
	if rec := h.do(request{method: "POST", path: "/api/v1/waves/" + w.ID + "/close", token: admin}); rec.Code != http.StatusOK {
		t.Fatalf("close: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do(request{method: "POST", path: path, body: body}); rec.Code != 410 {
		t.Fatalf("after closing: %d, want 410", rec.Code)
	}
}
