package web

import (
	"context"
	"sync"
	"time"

	"yousaid/server/internal/tally"
)

// unsureWaves are waves whose tallies may be short: a response's insert
// failed in a way that may still have stored it (the store took the write
// and its reply was lost with the connection). The client's retry with its
// Idempotency-Key then finds the response stored and gets its receipt, but
// nothing counted it. Such waves are recounted from their responses once
// the store answers again; Recount counts each stored response exactly
// once, whatever is submitted meanwhile.
type unsureWaves struct {
	mu      sync.Mutex
	waves   map[string]time.Time // wave → when it was last marked
	running bool
}

// unsureQuiet is how long after its last mark a wave waits for its
// recount, so that one outage costs one recount per wave.
const unsureQuiet = 2 * time.Second

// pending is how many waves wait for their recount.
func (u *unsureWaves) pending() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.waves)
}

// markUnsure schedules a recount of wave.
func (s *Server) markUnsure(wave string) {
	u := &s.unsure
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.waves == nil {
		u.waves = map[string]time.Time{}
	}
	u.waves[wave] = time.Now()
	if !u.running {
		u.running = true
		go s.recountUnsure()
	}
}

// recountUnsure recounts the marked waves once they are quiet and the
// store answers, then ends; it gives up after an hour of failures, when a
// restart's repair (or -repair) must do it.
func (s *Server) recountUnsure() {
	giveUp := time.Now().Add(time.Hour)
	for {
		time.Sleep(unsureQuiet / 2)
		u := &s.unsure
		u.mu.Lock()
		var due []string
		for wave, at := range u.waves {
			if time.Since(at) >= unsureQuiet {
				due = append(due, wave)
			}
		}
		if len(u.waves) == 0 || time.Now().After(giveUp) {
			if len(u.waves) > 0 {
				s.logger.Error("waves left unrecounted after store failures; run -repair", "waves", len(u.waves))
				u.waves = map[string]time.Time{}
			}
			u.running = false
			u.mu.Unlock()
			return
		}
		u.mu.Unlock()
		for _, wave := range due {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			rep, err := s.tally.RecountBecause(ctx, wave, s.Definition, tally.CauseUncertainWrite)
			cancel()
			if err != nil {
				s.logger.Warn("recount after a store failure failed; will retry", "wave", wave, "err", err)
				continue
			}
			u.mu.Lock()
			if at, ok := u.waves[wave]; ok && time.Since(at) >= unsureQuiet {
				delete(u.waves, wave)
			}
			u.mu.Unlock()
			s.logger.Info("tally recounted after a store failure",
				"wave", wave, "counted_before", rep.Before, "responses", rep.After, "corrected", rep.Corrected)
		}
	}
}
