// Command rawinsert measures the embedded store's bare InsertOne rate of
// response documents: the ceiling a survey day's submissions are compared
// with (docs/benchmarks.md). It writes straight into a running server's
// store through the socket in the server's data folder, into the wave's
// own responses collection, with the same random valid answers the load
// generator sends, so that the two figures compare like with like:
//
//	rawinsert -url http://127.0.0.1:18080 -data <server data folder> -wave <id> -concurrency 16 -duration 20s
//
// It reads the survey definition from the server, and writes nothing but
// responses (no tallies): run it on a server of its own, on a fresh data
// folder, never on one whose results matter.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"yousaid/tools/loadgen/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "rawinsert:", err)
		}
		os.Exit(1)
	}
}

// response is the document the embedded store keeps for a submission, its
// answers packed into one binary field of their BSON
// (server/internal/store/packed.go: packedResponse).
type response struct {
	ID       string `bson:"_id"`
	Wave     string `bson:"wave"`
	Survey   string `bson:"survey"`
	Version  int    `bson:"version"`
	Language string `bson:"language"`
	Answers  []byte `bson:"answers_bson"`
	Week     string `bson:"week"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rawinsert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "the server, to read the survey definition from (loopback only)")
	dataDir := fs.String("data", "", "the server's data folder (its store's socket is there) (required)")
	db := fs.String("db", "yousaid", "database name")
	wave := fs.String("wave", "", "the wave to insert responses into (required)")
	surveyID := fs.String("survey", "life-beyond-care", "the wave's survey")
	concurrency := fs.Int("concurrency", 16, "goroutines inserting at once")
	duration := fs.Duration("duration", 20*time.Second, "how long to insert")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" || *wave == "" {
		return errors.New("-data and -wave are required")
	}
	if err := load.CheckTarget(*url, false); err != nil {
		return err
	}
	def, err := load.FetchDefinition(ctx, load.NewClient(1), *url, *surveyID)
	if err != nil {
		return err
	}
	uri, err := load.SocketURI(*dataDir)
	if err != nil {
		return err
	}
	st, err := load.OpenStore(ctx, uri, *db)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	col, _ := st.Responses(*wave)
	answers := load.RandomAnswers(def)
	y, w := time.Now().UTC().ISOWeek()
	week := fmt.Sprintf("%04d-W%02d", y, w)

	var done, failed atomic.Int64
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for g := range *concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := mrand.New(mrand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				id := make([]byte, 16)
				_, _ = rand.Read(id)
				packed, err := bson.Marshal(answers(rnd))
				if err != nil {
					failed.Add(1)
					continue
				}
				doc := response{ID: hex.EncodeToString(id), Wave: *wave, Survey: def.ID, Version: def.Version,
					Language: "en", Answers: packed, Week: week}
				if _, err := col.InsertOne(ctx, doc); err != nil {
					failed.Add(1)
					continue
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "raw InsertOne: %d inserted, %d failed, in %s: %.1f/s (%d goroutines)\n",
		done.Load(), failed.Load(), elapsed.Round(time.Millisecond), float64(done.Load())/elapsed.Seconds(), *concurrency)
	if failed.Load() > 0 {
		return fmt.Errorf("%d inserts failed", failed.Load())
	}
	return nil
}
