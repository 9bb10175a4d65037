package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"yousaid/server/internal/store"
	"yousaid/server/internal/storetest"
)

func TestAuditLogIsPerCouncilNewestFirst(t *testing.T) {
	now := time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)
	s := storetest.Open(t, store.Options{Now: func() time.Time { now = now.Add(time.Minute); return now }})
	ctx := context.Background()
	for _, e := range []store.AuditEntry{
		{Council: "leeds", ActorID: "u1", ActorEmail: "a@leeds.example", Action: "user.invited", Target: "u2", Detail: map[string]string{"role": "facilitator"}},
		{Council: "hull", ActorID: "u3", Action: "user.deactivated", Target: "u4"},
		{Council: "leeds", ActorID: store.SystemActor, Action: "responses.deleted", Target: "w1", Detail: map[string]string{"deleted": "12"}},
	} {
		if err := s.AppendAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.AuditLog(ctx, "leeds", 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range got {
		actions = append(actions, e.Action)
		if e.ID == "" || e.At.IsZero() {
			t.Errorf("entry %s lacks an id or time", e.Action)
		}
	}
	if diff := cmp.Diff([]string{"responses.deleted", "user.invited"}, actions); diff != "" {
		t.Errorf("leeds audit log mismatch (-want +got):\n%s", diff)
	}
	if got[1].Detail["role"] != "facilitator" {
		t.Errorf("detail = %v, want role facilitator", got[1].Detail)
	}
}
