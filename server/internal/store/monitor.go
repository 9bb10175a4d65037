package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
)

// failedCommands is a command monitor that tells onError the name of each
// command that failed, leaving out the failures that are answers: a
// duplicate key (the unique indexes refuse a spent code or a replayed
// response on purpose) and a collection that does not exist yet (listing
// the indexes of a new database at start). Every event also goes to next,
// when set.
func failedCommands(onError func(command string), next *event.CommandMonitor) *event.CommandMonitor {
	m := &event.CommandMonitor{}
	if next != nil {
		*m = *next
	}
	nextFailed := m.Failed
	m.Failed = func(ctx context.Context, e *event.CommandFailedEvent) {
		if nextFailed != nil {
			nextFailed(ctx, e)
		}
		var de driver.Error
		if errors.As(e.Failure, &de) && (de.Code == 11000 || de.Code == 11001 || de.NamespaceNotFound()) {
			return
		}
		onError(e.CommandName)
	}
	return m
}
