package web

import (
	"context"
)

// Showcase is what the home page of a demonstration platform offers a
// visitor: accounts to sign in with, and a council whose open waves and
// forum votes to try. The web layer knows nothing else of demo data; the
// process that made it (-demo) hands this over. Nil on a real platform.
type Showcase struct {
	// Council is the slug of the council to try.
	Council string
	// Password is the password of every account listed.
	Password string
	Accounts []ShowcaseAccount
}

// ShowcaseAccount is one sign-in to try, one per role.
type ShowcaseAccount struct {
	Email, Role string
}

// showcaseView is the home page's part about trying the platform.
type showcaseView struct {
	Council  string
	Password string
	Accounts []ShowcaseAccount
	Waves    []waveView // the council's open waves, to try the survey
	Votes    []string   // join URLs of the council's open forum sessions
}

// showcase reads the showcase council's open waves and sessions; nil when
// the platform has no showcase.
func (s *Server) showcase(ctx context.Context) (*showcaseView, error) {
	if s.demo == nil {
		return nil, nil
	}
	v := &showcaseView{Council: s.demo.Council, Password: s.demo.Password, Accounts: s.demo.Accounts}
	waves, err := s.store.CouncilWaves(ctx, s.demo.Council)
	if err != nil {
		return nil, err
	}
	for i := range waves {
		if w := s.viewWave(&waves[i]); !w.Closed {
			v.Waves = append(v.Waves, w)
		}
	}
	sessions, err := s.store.CouncilSessions(ctx, s.demo.Council, 20)
	if err != nil {
		return nil, err
	}
	for _, sess := range sessions {
		if !sess.Closed() {
			v.Votes = append(v.Votes, "/j/"+sess.JoinCode)
		}
	}
	return v, nil
}
