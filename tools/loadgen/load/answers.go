package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"yousaid/survey"
)

// FetchDefinition reads a survey's newest definition from the public API.
func FetchDefinition(ctx context.Context, client *http.Client, base, id string) (*survey.Definition, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/api/v1/surveys/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading survey %s: %w", id, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading survey %s: %d %.200s", id, resp.StatusCode, body)
	}
	var def survey.Definition
	if err := json.Unmarshal(body, &def); err != nil {
		return nil, fmt.Errorf("reading survey %s: %w", id, err)
	}
	return &def, nil
}

// RandomAnswers makes valid answers to def as a young person might give
// them: every question shown (show_if followed) answered with a random
// option, choices (within max_choices) or scale value; free text rarely,
// as most skip it.
func RandomAnswers(def *survey.Definition) func(*rand.Rand) map[string]any {
	questions := def.Questions()
	return func(rnd *rand.Rand) map[string]any {
		out := map[string]any{}
		chosen := map[string][]string{}
		for _, q := range questions {
			if c := q.ShowIf; c != nil && !slices.ContainsFunc(chosen[c.Question], func(v string) bool { return slices.Contains(c.In, v) }) {
				continue
			}
			switch q.Type {
			case survey.TypeChoice:
				if len(q.Options) == 0 {
					continue
				}
				v := q.Options[rnd.IntN(len(q.Options))].Value
				out[q.ID], chosen[q.ID] = v, []string{v}
			case survey.TypeMulti:
				limit := len(q.Options)
				if q.MaxChoices > 0 {
					limit = min(limit, q.MaxChoices)
				}
				if limit == 0 {
					continue
				}
				var vs []string
				for _, i := range rnd.Perm(len(q.Options))[:1+rnd.IntN(limit)] {
					vs = append(vs, q.Options[i].Value)
				}
				out[q.ID], chosen[q.ID] = vs, vs
			case survey.TypeScale:
				lo, hi := 0, 10
				if q.Min != nil {
					lo = *q.Min
				}
				if q.Max != nil {
					hi = *q.Max
				}
				out[q.ID] = lo + rnd.IntN(hi-lo+1)
			case survey.TypeText:
				if q.Required || rnd.IntN(20) == 0 {
					out[q.ID] = "More help with bills would make a difference."
				}
			}
		}
		return out
	}
}
