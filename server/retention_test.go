package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"yousaid/server/internal/store"
)

// TestRetentionRunsAtStartUp: once the demo council keeps raw answers 3
// months, a restarted server deletes its wave that closed 10 months ago at
// start-up, logs and audits it with its count, and -repair leaves the
// frozen wave alone.
func TestRetentionRunsAtStartUp(t *testing.T) {
	dir := t.TempDir()
	_, _, _, stop := startAppIn(t, dir, nil, "-demo")
	ctx := context.Background()
	s := lastApp.Store
	waves, err := s.CouncilWaves(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	var closed, open []store.Wave
	for _, w := range waves {
		if w.Closed(time.Now()) {
			closed = append(closed, w)
		} else {
			open = append(open, w)
		}
	}
	if len(closed) == 0 || len(open) == 0 {
		t.Fatalf("the demo has %d closed and %d open waves", len(closed), len(open))
	}
	stored, err := s.CountResponses(ctx, closed[0].ID)
	if err != nil || stored == 0 {
		t.Fatalf("%d responses: %v", stored, err)
	}
	openStored, err := s.CountResponses(ctx, open[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetCouncilRetention(ctx, "demo", 3); err != nil {
		t.Fatal(err)
	}
	stop()

	_, logs, _, stop := startAppIn(t, dir, nil)
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := lastApp.Store.CountResponses(ctx, closed[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && strings.Contains(logs.String(), "raw responses deleted") {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("%d responses left after start-up\n%s", n, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n, _ := lastApp.Store.CountResponses(ctx, open[0].ID); n != openStored {
		t.Errorf("the open wave holds %d responses, want %d", n, openStored)
	}
	log, err := lastApp.Store.AuditLog(ctx, "demo", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].ActorID != store.SystemActor || log[0].Detail["responses"] != itoa(stored) {
		t.Errorf("audit log %+v, want one system entry counting %d", log, stored)
	}
	stop()

	out, err := cli(t, "-repair", "-data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wave "+closed[0].ID+": frozen") || !strings.Contains(out, "0 fixed") {
		t.Errorf("repair report:\n%s", out)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
