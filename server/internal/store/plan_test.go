package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

// ferretExplain asks FerretDB to explain a find: it runs SQLite's EXPLAIN
// QUERY PLAN on the very SQL it would run, and says which parts of the
// query reached SQL.
type ferretExplain struct {
	QueryPlanner struct {
		Plan []string `bson:"Plan"`
	} `bson:"queryPlanner"`
	FilterPushdown bool `bson:"filterPushdown"`
	LimitPushdown  bool `bson:"limitPushdown"`
}

func explainFind(t *testing.T, s *store.Store, collection string, filter bson.D, limit int64) ferretExplain {
	t.Helper()
	find := bson.D{{Key: "find", Value: collection}, {Key: "filter", Value: filter}}
	if limit > 0 {
		find = append(find, bson.E{Key: "limit", Value: limit})
	}
	var out ferretExplain
	err := s.Database().RunCommand(context.Background(), bson.D{{Key: "explain", Value: find}}).Decode(&out)
	if err != nil {
		t.Fatalf("explain %s: %v", collection, err)
	}
	return out
}

// TestEmbeddedFindsUseAnIndex proves, with SQLite's own query plans of the
// SQL FerretDB v1.24 generates, that every read of a request path or a
// staff page on the embedded store is a SEARCH through an index (or, for a
// page of a moderation list, a read of at most one page), never a scan of
// a growing collection. On MongoDB there is nothing to prove here: its
// own indexes serve the same queries.
func TestEmbeddedFindsUseAnIndex(t *testing.T) {
	es := storetest.Embedded()
	if es == nil {
		t.Skip("query plans are the embedded store's; MongoDB uses its own indexes")
	}
	finds := &findRecorder{}
	s := storetest.Open(t, store.Options{Monitor: finds.monitor()})
	ctx := context.Background()
	if !s.PerWave() {
		t.Fatal("the embedded store was not recognised as FerretDB")
	}

	// One of everything a request reads by _id.
	w := &store.Wave{Council: "c", Survey: "life-beyond-care", Version: 1, Name: "w", Access: store.AccessCodes}
	if err := s.CreateWave(ctx, w); err != nil {
		t.Fatal(err)
	}
	resp := &store.Response{ID: store.ResponseID(w.ID, "k"), Wave: w.ID, Survey: "life-beyond-care", Version: 1, Language: "en", Answers: map[string]any{}}
	if err := s.InsertResponse(ctx, resp); err != nil {
		t.Fatal(err)
	}
	text := store.Text{ID: store.TextID(resp.ID, "q"), Wave: w.ID, Question: "q", Language: "en", Text: "x", Week: "2026-W01"}
	if err := s.QueueTexts(ctx, []store.Text{text}); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideText(ctx, text.ID, store.TextApproved, "u"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCodes(ctx, w.ID, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.IncTally(ctx, w.ID, "", "", map[string]int64{"n": 1}, 1); err != nil {
		t.Fatal(err)
	}

	byID := []struct{ collection, id string }{
		{"waves", w.ID},
		{"responses_" + w.ID, resp.ID},
		{"texts", text.ID},
		{"texts_approved_" + w.ID, text.ID},
		{"texts_pending_" + w.ID, text.ID},
		{"codes", "0000"},
		{"spent_codes", "0000"},
		{"tallies", store.TallyID(w.ID, "", "")},
		{"tokens", "0000"},
		{"users", "0000"},
		{"councils", "c"},
		{"surveys", "life-beyond-care@1"},
		{"sessions", "0000"},
		{"session_tallies", "0000"},
		{"votes", "0000"},
		{"actions", "0000"},
		{"tally_writers", "0000"},
		{"join_codes", "0000"},
		{"user_emails", "0000"},
	}
	for _, c := range byID {
		t.Run("find "+c.collection, func(t *testing.T) {
			got := explainFind(t, s, c.collection, bson.D{{Key: "_id", Value: c.id}}, 0)
			plan := strings.Join(got.QueryPlanner.Plan, "\n")
			if !got.FilterPushdown || !strings.Contains(plan, "SEARCH ") || !strings.Contains(plan, "USING INDEX") ||
				!strings.Contains(plan, "_yousaid_id") || strings.Contains(plan, "SCAN ") {
				t.Errorf("find by _id on %s: pushdown %v, plan:\n%s", c.collection, got.FilterPushdown, plan)
			}
		})
	}

	// A session by join code and a user by email: every find these send
	// (a hit and a miss) is a find by _id that SQLite serves from the index.
	sess := &store.Session{Council: "c", Title: "t", MaxChoices: 1}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	u := &store.User{Email: "plan@example.org", Role: store.RoleFacilitator, Council: "c"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		finds int // at least this many, one per collection read
		call  func() error
	}{
		{"SessionByJoinCode", 2, func() error { _, err := s.SessionByJoinCode(ctx, strings.ToLower(sess.JoinCode)); return err }},
		{"SessionByJoinCode miss", 1, func() error { _, err := s.SessionByJoinCode(ctx, "ZZZZZZ"); return ignoreNotFound(err) }},
		{"UserByEmail", 2, func() error { _, err := s.UserByEmail(ctx, " Plan@Example.org"); return err }},
		{"UserByEmail miss", 1, func() error { _, err := s.UserByEmail(ctx, "nobody@example.org"); return ignoreNotFound(err) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			finds.reset()
			if err := c.call(); err != nil {
				t.Fatal(err)
			}
			sent := finds.take()
			if len(sent) < c.finds {
				t.Fatalf("%d finds sent, want at least %d: %v", len(sent), c.finds, sent)
			}
			for _, f := range sent {
				if len(f.filter) != 1 || f.filter[0].Key != "_id" {
					t.Errorf("find on %s by %v, want by _id alone", f.collection, f.filter)
				}
				got := explainFind(t, s, f.collection, f.filter, 0)
				plan := strings.Join(got.QueryPlanner.Plan, "\n")
				if !got.FilterPushdown || !strings.Contains(plan, "SEARCH ") || !strings.Contains(plan, "USING INDEX") ||
					!strings.Contains(plan, "_yousaid_id") || strings.Contains(plan, "SCAN ") {
					t.Errorf("find on %s by %v: pushdown %v, plan:\n%s", f.collection, f.filter, got.FilterPushdown, plan)
				}
			}
		})
	}

	// FerretDB updates and deletes by _id with its own statements
	// (internal/backends/sqlite/collection.go: UpdateAll, DeleteAll); EXPLAIN
	// them as they are written there.
	for _, collection := range []string{"tallies", "texts", "texts_pending_" + w.ID, "spent_codes", "tally_writers"} {
		table, err := es.TableName(ctx, s.Database().Name(), collection)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, table),
			fmt.Sprintf(`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN (?, ?)`, table),
		} {
			plan, err := es.Explain(ctx, s.Database().Name(), q, "{}", `"a"`, `"b"`)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("SEARCH %s USING INDEX %s_yousaid_id", table, table)
			if len(plan) == 0 || !strings.HasPrefix(plan[0], want) {
				t.Errorf("%s: plan %q, want %q", q, plan, want)
			}
		}
	}

	// A page of a moderation list: no filter and no sort, so FerretDB hands
	// SQL the limit and SQLite stops after one page, however long the list.
	for _, st := range []string{store.TextPending, store.TextApproved, store.TextRejected} {
		got := explainFind(t, s, "texts_"+st+"_"+w.ID, bson.D{}, 200)
		if !got.LimitPushdown {
			t.Errorf("the %s list's page is not limited in SQL: %+v", st, got)
		}
	}
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// sentFind is a find command as the store sent it.
type sentFind struct {
	collection string
	filter     bson.D
}

// findRecorder keeps the finds a store sends, through a command monitor.
type findRecorder struct {
	mu    sync.Mutex
	finds []sentFind
}

func (r *findRecorder) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName != "find" {
			return
		}
		var cmd struct {
			Find   string `bson:"find"`
			Filter bson.D `bson:"filter"`
		}
		if err := bson.Unmarshal(e.Command, &cmd); err != nil {
			panic(err) // the driver sent a find we cannot read: the test is wrong
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.finds = append(r.finds, sentFind{cmd.Find, cmd.Filter})
	}}
}

func (r *findRecorder) reset() { r.take() }

func (r *findRecorder) take() []sentFind {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.finds
	r.finds = nil
	return out
}
