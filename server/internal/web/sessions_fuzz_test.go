package web

import (
	"errors"
	"slices"
	"testing"

	"yousaid/server/internal/store"
)

// FuzzParseVote: no vote body panics or gets anything but a 400, and an
// accepted vote holds only distinct options of the session, at most
// max_choices of them, in the session's order.
func FuzzParseVote(f *testing.F) {
	for _, seed := range []string{
		`{"choices":["housing"]}`,
		`{"choices":["housing","money"]}`,
		`{"choices":["housing","housing"]}`,
		`{"choices":["pizza"]}`,
		`{"choices":[]}`,
		`{"choices":"housing"}`,
		`{"choices":[{"$ne":null}]}`,
		`{"$set":{"choices":["housing"]}}`,
		`{"choices":["housing"]} []`,
		`null`, `[]`, `{`, "{\"choices\":[\"\u0000\"]}",
	} {
		f.Add([]byte(seed))
	}
	sess := &store.Session{
		Options: []store.SessionOption{
			{Value: "housing"}, {Value: "money"}, {Value: "friends"},
		},
		MaxChoices: 2,
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		choices, err := parseVote(sess, body)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != 400 {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if len(choices) == 0 || len(choices) > sess.MaxChoices {
			t.Fatalf("accepted %d choices", len(choices))
		}
		last := -1
		for _, c := range choices {
			i := slices.IndexFunc(sess.Options, func(o store.SessionOption) bool { return o.Value == c })
			if i <= last {
				t.Fatalf("choices %v are not distinct options in the session's order", choices)
			}
			last = i
		}
	})
}
