package web

import (
	"context"

	"yousaid/server/internal/store"
)

// audit writes one line of the audit log: actor (nil: the platform itself)
// changed target, in council ("" for a platform-wide change).
func (s *Server) audit(ctx context.Context, actor *store.User, council, action, target string, detail map[string]string) error {
	e := &store.AuditEntry{Council: council, Action: action, Target: target, Detail: detail}
	if actor != nil {
		e.ActorID, e.ActorEmail = actor.ID, actor.Email
	}
	return s.store.AppendAudit(ctx, e)
}

// auditAfter records a change that is stored already: a failed write is
// logged, not reported, since a change reported as failed would be retried
// into a second one. It outlives a request that has gone.
func (s *Server) auditAfter(ctx context.Context, actor *store.User, council, action, target string, detail map[string]string) {
	if err := s.audit(context.WithoutCancel(ctx), actor, council, action, target, detail); err != nil {
		s.logger.Error("audit entry not written", "action", action, "target", target, "err", err)
	}
}
