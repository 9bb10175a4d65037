package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"yousaid/server/internal/demo"
	"yousaid/server/internal/embedded"
)

// cli runs the command line as main does and returns what it printed.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// dumpFolder reads every collection of the embedded store in dataDir (no
// server may be running on it): each document's BSON bytes in _id order,
// and each index's name, keys and uniqueness.
func dumpFolder(t *testing.T, dataDir string) (docs map[string][]string, indexes map[string][]string) {
	t.Helper()
	ctx := context.Background()
	s, err := embedded.Start(dataDir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	client, err := connect(ctx, s.URI(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("yousaid")
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	docs, indexes = map[string][]string{}, map[string][]string{}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = []string{}
		for cur.Next(ctx) {
			docs[name] = append(docs[name], cur.Current.String())
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		specs, err := db.Collection(name).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range specs {
			unique := sp.Unique != nil && *sp.Unique
			indexes[name] = append(indexes[name], sp.Name+" "+sp.KeysDocument.String()+" unique="+map[bool]string{true: "yes", false: "no"}[unique])
		}
		slices.Sort(indexes[name])
	}
	return docs, indexes
}

// figures reads, through the API of the server at base, every figure a
// council's staff and the public see: each wave's results (whole and by
// every dimension), each forum session's tally and the public action plan.
func figures(t *testing.T, base, token string) map[string]string {
	t.Helper()
	get := func(path string) string {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	out := map[string]string{}
	var waves struct {
		Waves []struct {
			ID string `json:"id"`
		} `json:"waves"`
	}
	if err := json.Unmarshal([]byte(get("/api/v1/councils/"+demo.Council+"/waves")), &waves); err != nil {
		t.Fatal(err)
	}
	if len(waves.Waves) == 0 {
		t.Fatal("the demo council has no waves")
	}
	for _, w := range waves.Waves {
		for _, q := range []string{"", "?by=language"} {
			path := "/api/v1/waves/" + w.ID + "/results" + q
			out[path] = get(path)
		}
	}
	var sessions struct {
		Sessions []struct {
			ID string `json:"id"`
		} `json:"sessions"`
	}
	body := get("/api/v1/councils/" + demo.Council + "/sessions")
	if err := json.Unmarshal([]byte(body), &sessions); err != nil || len(sessions.Sessions) == 0 {
		t.Fatalf("sessions: %v %s", err, body)
	}
	for _, s := range sessions.Sessions {
		out["tally "+s.ID] = get("/api/v1/sessions/" + s.ID + "/tally")
	}
	out["actions"] = get("/api/v1/councils/" + demo.Council + "/actions")
	return out
}

// TestBackupAndRestore backs up the demo platform (responses, tallies,
// texts, forum sessions and votes, action plans, users, tokens) while its
// server runs, and again once it stopped; restores each into a fresh data
// folder; and finds every document and index, and every figure served,
// the same. A restore into a database that holds data is refused.
func TestBackupAndRestore(t *testing.T) {
	env := map[string]string{"ADMIN_EMAIL": "admin@yousaid.example", "ADMIN_PASSWORD": "a very long password"}
	base, _, dataDir, stop := startApp(t, env, "-demo")
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	resp, err := http.Post(base+"/api/v1/auth/tokens", "application/json",
		strings.NewReader(`{"email":"admin@yousaid.example","password":"a very long password"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		t.Fatalf("token: %v", err)
	}
	resp.Body.Close()
	before := figures(t, base, tok.Token)

	live := filepath.Join(t.TempDir(), "live.backup")
	out, err := cli(t, "-data", dataDir, "-backup", live)
	if err != nil {
		t.Fatalf("backup of a running server: %v", err)
	}
	if !strings.Contains(out, "backup of yousaid (embedded) written to") {
		t.Errorf("backup said %q", out)
	}
	if info, err := os.Stat(live); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", info, err)
	}
	stop()
	stopped = true

	offline := filepath.Join(t.TempDir(), "offline.backup")
	if _, err := cli(t, "-data", dataDir, "-backup", offline); err != nil {
		t.Fatal(err)
	}
	restored := t.TempDir()
	out, err = cli(t, "-data", restored, "-restore", offline)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.Contains(out, "restored") {
		t.Errorf("restore said %q", out)
	}
	wantDocs, wantIndexes := dumpFolder(t, dataDir)
	gotDocs, gotIndexes := dumpFolder(t, restored)
	// On the embedded store each wave's responses have a collection of
	// their own (store/waveshape.go): count them all.
	held := map[string]int{}
	for c, docs := range wantDocs {
		if strings.HasPrefix(c, "responses_") {
			c = "responses"
		}
		held[c] += len(docs)
	}
	for _, c := range []string{"responses", "tallies", "texts", "sessions", "votes", "session_tallies", "actions", "action_events", "users", "tokens", "councils", "waves", "surveys", "join_codes", "user_emails"} {
		if held[c] == 0 {
			t.Errorf("the platform backed up has no %s: the test proves nothing about them", c)
		}
	}
	if diff := cmp.Diff(wantDocs, gotDocs); diff != "" {
		t.Errorf("restored documents mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantIndexes, gotIndexes); diff != "" {
		t.Errorf("restored indexes mismatch (-want +got):\n%s", diff)
	}

	// Into a database that holds data: refused, and nothing changed.
	_, err = cli(t, "-data", restored, "-restore", offline)
	if err == nil || !strings.Contains(err.Error(), "-restore-replace") {
		t.Errorf("restore into a non-empty database: %v", err)
	}
	if again, _ := dumpFolder(t, restored); !cmp.Equal(gotDocs, again) {
		t.Error("a refused restore changed the database")
	}
	if _, err := cli(t, "-data", restored, "-restore", offline, "-restore-replace"); err != nil {
		t.Errorf("restore with -restore-replace: %v", err)
	}

	// The backup taken while the server ran serves the same figures.
	fromLive := t.TempDir()
	if _, err := cli(t, "-data", fromLive, "-restore", live); err != nil {
		t.Fatal(err)
	}
	base2, _, _, stop2 := startAppIn(t, fromLive, nil)
	defer stop2()
	if diff := cmp.Diff(before, figures(t, base2, tok.Token)); diff != "" {
		t.Errorf("figures after restore mismatch (-want +got):\n%s", diff)
	}
	// Sign-in finds the user by email through the restored lookups.
	resp, err = http.Post(base2+"/api/v1/auth/tokens", "application/json",
		strings.NewReader(`{"email":"admin@yousaid.example","password":"a very long password"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("sign-in after restore: %s", resp.Status)
	}
}

// TestBackupFileChecks: a file cut short, or not a backup, is refused
// before it loads as if whole.
func TestBackupFileChecks(t *testing.T) {
	_, _, dataDir, stop := startApp(t, nil)
	stop()
	file := filepath.Join(t.TempDir(), "b.backup")
	if _, err := cli(t, "-data", dataDir, "-backup", file); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.backup")
	if err := os.WriteFile(cut, whole[:len(whole)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(t.TempDir(), "junk.backup")
	if err := os.WriteFile(junk, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{cut, junk} {
		if _, err := cli(t, "-data", t.TempDir(), "-restore", f); err == nil {
			t.Errorf("%s restored without complaint", filepath.Base(f))
		}
	}
	if _, err := cli(t, "-data", dataDir, "-backup", file, "-restore", file); err == nil {
		t.Error("-backup with -restore accepted")
	}
}

func TestBackupConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{"backup", []string{"-backup", "x.backup"}, true},
		{"restore", []string{"-restore", "x.backup"}, true},
		{"restore replacing", []string{"-restore", "x.backup", "-restore-replace"}, true},
		{"replace alone", []string{"-restore-replace"}, false},
		{"backup and restore", []string{"-backup", "a", "-restore", "b"}, false},
		{"backup and repair", []string{"-backup", "a", "-repair"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, func(string) string { return "" }, io.Discard)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
