package load

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"yousaid/survey"
)

// Store reads the raw documents behind a wave, read-only, straight from
// MongoDB or the embedded store's socket: what the audit compares the
// acknowledgements with.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	// perWave: the store is FerretDB, where the server keeps each wave's
	// responses in a collection of its own (server/internal/store/waveshape.go).
	perWave bool
}

// SocketURI is the connection string of the embedded store of a server
// run with -data dir (its socket is dir/store/store.sock).
func SocketURI(dataDir string) (string, error) {
	abs, err := filepath.Abs(filepath.Join(dataDir, "store", "store.sock"))
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "mongodb", Host: abs, Path: "/"}).String(), nil
}

// OpenStore connects to uri's database.
func OpenStore(ctx context.Context, uri, database string) (*Store, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(5 * time.Second))
	if err != nil {
		return nil, err
	}
	if err := client.Ping(ctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("the store at %s does not answer: %w", uri, err)
	}
	var info bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	_, perWave := info["ferretdbVersion"]
	return &Store{client: client, db: client.Database(database), perWave: perWave}, nil
}

// Responses returns the raw collection holding a wave's responses and the
// filter selecting them, the way the server stores them: on the embedded
// store (FerretDB) in "responses_<wave>", on MongoDB in "responses".
func (s *Store) Responses(wave string) (*mongo.Collection, bson.M) {
	if s.perWave {
		return s.db.Collection("responses_" + wave), bson.M{}
	}
	return s.db.Collection("responses"), bson.M{"wave": wave}
}

// Close disconnects.
func (s *Store) Close(ctx context.Context) error { return s.client.Disconnect(ctx) }

// Stored counts a wave's responses (a scan: for audits only).
func (s *Store) Stored(ctx context.Context, wave string) (int64, error) {
	col, filter := s.Responses(wave)
	return col.CountDocuments(ctx, filter)
}

// Counted is the number of responses the wave's tally has counted.
func (s *Store) Counted(ctx context.Context, wave string) (int64, error) {
	// The whole wave's tally is "<wave>|all" (server/internal/store/tallies.go).
	var t struct {
		Counts map[string]int64 `bson:"c"`
	}
	err := s.db.Collection("tallies").FindOne(ctx, bson.M{"_id": wave + "|all"}).Decode(&t)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return t.Counts[survey.KeyResponses], nil
}

// StoredIDs returns the ids of a wave's stored responses: one scan of the
// wave, reading ids only (the embedded store does not use the _id index
// for a large $in, so asking for ids in batches would scan once a batch).
func (s *Store) StoredIDs(ctx context.Context, wave string) (map[string]bool, error) {
	col, filter := s.Responses(wave)
	cur, err := col.Find(ctx, filter,
		options.Find().SetProjection(bson.M{"_id": 1}).SetBatchSize(5000))
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	found := map[string]bool{}
	for cur.Next(ctx) {
		var d struct {
			ID string `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		found[d.ID] = true
	}
	return found, cur.Err()
}

// Results reads the wave's published count of responses through the API.
// ok is false when the server has no results endpoint for this token.
func Results(ctx context.Context, client *http.Client, base, wave, token string) (n int64, ok bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/api/v1/waves/"+url.PathEscape(wave)+"/results", nil)
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode != http.StatusOK {
		return 0, false, fmt.Errorf("results: %d %.200s", resp.StatusCode, body)
	}
	var out struct {
		Responses *int64 `json:"responses"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Responses == nil {
		return 0, false, fmt.Errorf("results: no responses count in %.200s", body)
	}
	return *out.Responses, true, nil
}

// Baseline is what the wave held before the load.
type Baseline struct {
	Stored, Counted, Results int64 // -1 when not read
}

// Audit compares a run's acknowledgements with the store and the results.
type Audit struct {
	Acked      int      // submissions acknowledged (201)
	Unresolved int      // submissions never acknowledged
	Refused    int      // of those, the ones refused with a 4xx every time (never stored)
	StoredNew  int64    // responses stored during the run (-1: no store)
	OursStored int      // of our keys, how many are stored
	CountedNew int64    // responses the tally counted during the run (-1: no store)
	ResultsNew int64    // responses the results gained during the run (-1: not read)
	Missing    []string // keys acknowledged but not stored
	Problems   []string
}

// OK is the verdict: nothing acknowledged is missing, nothing is stored
// twice or from nowhere, and the tally and results count exactly what is
// stored.
func (a *Audit) OK() bool { return len(a.Problems) == 0 }

// ResponseIDs gives the stored _id of each submission: responses are
// stored under an id derived from the wave and the Idempotency-Key.
func ResponseIDs(wave string, subs []*Submission) []string {
	ids := make([]string, len(subs))
	for i, s := range subs {
		ids[i] = responseID(wave, strings.ToLower(s.Key))
	}
	return ids
}

// responseID is the server's store.ResponseID for a submission with an
// Idempotency-Key (a tool cannot import the server's internal packages;
// server/reliability_test.go checks the two agree).
func responseID(wave, key string) string {
	sum := sha256.Sum256([]byte("response\x00" + wave + "\x00" + key))
	return hex.EncodeToString(sum[:16])
}

// TakeBaseline reads the wave's counts before a run. st and token may be
// nil and "".
func TakeBaseline(ctx context.Context, st *Store, client *http.Client, base, wave, token string) (Baseline, error) {
	b := Baseline{Stored: -1, Counted: -1, Results: -1}
	var err error
	if st != nil {
		if b.Stored, err = st.Stored(ctx, wave); err != nil {
			return b, err
		}
		if b.Counted, err = st.Counted(ctx, wave); err != nil {
			return b, err
		}
	}
	if token != "" {
		if n, ok, err := Results(ctx, client, base, wave, token); err == nil && ok {
			b.Results = n
		}
	}
	return b, nil
}

// Check audits rep against the store and results, waiting up to settle
// for the tally and the results to catch up with what is stored (they
// are written a moment after each acknowledgement).
func Check(ctx context.Context, rep *Report, before Baseline, st *Store, client *http.Client, base, wave, token string, settle time.Duration) (*Audit, error) {
	a := &Audit{StoredNew: -1, CountedNew: -1, ResultsNew: -1}
	receipts := map[string]string{}
	for _, s := range rep.Submissions {
		if s.Acked {
			a.Acked++
			if other, dup := receipts[s.Receipt]; dup {
				a.Problems = append(a.Problems, fmt.Sprintf("keys %s and %s got the same receipt", other, s.Key))
			}
			receipts[s.Receipt] = s.Key
		} else {
			a.Unresolved++
			if s.Refused {
				a.Refused++
			}
		}
	}
	a.Problems = append(a.Problems, rep.Problems...)
	deadline := time.Now().Add(settle)
	if st != nil {
		// The load has ended: what is stored no longer changes.
		present, err := st.StoredIDs(ctx, wave)
		if err != nil {
			return a, err
		}
		ids := ResponseIDs(wave, rep.Submissions)
		for i, s := range rep.Submissions {
			switch {
			case present[ids[i]]:
				a.OursStored++
			case s.Acked:
				a.Missing = append(a.Missing, s.Key)
			}
		}
		if len(a.Missing) > 0 {
			a.Problems = append(a.Problems, fmt.Sprintf("%d acknowledged responses are not stored (a 201 for an unsaved response)", len(a.Missing)))
		}
		if a.OursStored > a.Acked+(a.Unresolved-a.Refused) {
			a.Problems = append(a.Problems, fmt.Sprintf("%d of the load's responses are stored, more than the %d acknowledged and %d whose fate is unknown", a.OursStored, a.Acked, a.Unresolved-a.Refused))
		}
		stored := int64(len(present))
		for {
			counted, err := st.Counted(ctx, wave)
			if err != nil {
				return a, err
			}
			a.StoredNew, a.CountedNew = stored-before.Stored, counted-before.Counted
			if stored == counted || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if a.StoredNew != int64(a.OursStored) {
			a.Problems = append(a.Problems, fmt.Sprintf("the wave gained %d stored responses, but %d are the load's: duplicates, or another writer", a.StoredNew, a.OursStored))
		}
		if a.CountedNew+before.Counted != a.StoredNew+before.Stored {
			a.Problems = append(a.Problems, fmt.Sprintf("the tally counts %d responses, but %d are stored", a.CountedNew+before.Counted, a.StoredNew+before.Stored))
		}
	}
	if token != "" && before.Results >= 0 {
		want := int64(a.Acked)
		if a.StoredNew >= 0 {
			want = a.StoredNew
		}
		for {
			n, ok, err := Results(ctx, client, base, wave, token)
			if err == nil && ok {
				a.ResultsNew = n - before.Results
			}
			if a.ResultsNew == want || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if a.ResultsNew != want {
			a.Problems = append(a.Problems, fmt.Sprintf("the results gained %d responses, want %d", a.ResultsNew, want))
		}
	} else if st == nil {
		a.Problems = append(a.Problems, "nothing to audit against: give a token with results access, or the store (-mongodb-uri or -data)")
	}
	return a, nil
}
