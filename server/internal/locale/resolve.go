package locale

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Limits on what Resolve reads from a request, so a hostile header costs
// little: no supported tag is longer than maxExplicit, and no real browser
// sends more than a handful of Accept-Language entries.
const (
	maxExplicit       = 64
	maxAcceptLanguage = 1024 // bytes of the header that are read
	maxAcceptEntries  = 32
	// maxMatchers bounds the matcher cache; allowed sets come from councils
	// and surveys, so there are few, but a bug must not grow it forever.
	maxMatchers = 512
)

// matcher is a language.Matcher over one allowed-language set, with what is
// needed to map its answers back to the caller's strings.
type matcher struct {
	m language.Matcher
	// allowed is the set as the caller spelled it; Resolve returns these.
	allowed []string
	// canon holds canonical(allowed[i]).
	canon []string
	// index maps the Matcher's index to the index in allowed; tags that do
	// not parse are left out of the Matcher but kept for exact matching.
	index []int
}

// supportedTags is the allowed set when the caller gives none.
var supportedTags = func() []string {
	tags := make([]string, len(supported))
	for i, l := range supported {
		tags[i] = l.Tag
	}
	return tags
}()

// Resolve chooses the language of one request. It returns, in this order:
// the first value of explicit (e.g. ?lang=, then the form's lang field)
// that is in allowed, compared as canonical tags (case and separator
// insensitive, prs taken as fa-AF); else the allowed language that
// x/text's Matcher finds for acceptLanguage with at least High confidence
// (so en-GB finds en, ar-SD finds ar, fa-AF finds fa-AF before fa, and prs
// finds fa-AF); else "en". The result is always spelled exactly as in
// allowed, or is "en".
//
// An empty allowed means every supported language. Malformed explicit
// values and Accept-Language entries are ignored, not errors.
func (b *Bundle) Resolve(explicit []string, acceptLanguage string, allowed []string) string {
	if len(allowed) == 0 {
		allowed = supportedTags
	}
	m := b.matcher(allowed)
	for _, e := range explicit {
		if e == "" || len(e) > maxExplicit {
			continue
		}
		c := canonical(e)
		for i, a := range m.canon {
			if a == c {
				return m.allowed[i]
			}
		}
	}
	desired := parseAcceptLanguage(acceptLanguage)
	if len(desired) == 0 || len(m.index) == 0 {
		return "en"
	}
	// The matched tag itself may carry extensions (ar-SD gives
	// ar-u-rg-sdzzzz), so the index is what identifies the allowed tag.
	_, i, conf := m.m.Match(desired...)
	if conf < language.High {
		return "en"
	}
	return m.allowed[m.index[i]]
}

// matcher returns the cached matcher for allowed, building it on first use.
func (b *Bundle) matcher(allowed []string) *matcher {
	key := strings.Join(allowed, "\x00")
	b.mu.Lock()
	m, ok := b.matchers[key]
	b.mu.Unlock()
	if ok {
		return m
	}
	m = newMatcher(allowed)
	b.mu.Lock()
	if len(b.matchers) < maxMatchers {
		b.matchers[key] = m
	}
	b.mu.Unlock()
	return m
}

func newMatcher(allowed []string) *matcher {
	m := &matcher{
		allowed: slices.Clone(allowed),
		canon:   make([]string, len(allowed)),
	}
	var tags []language.Tag
	for i, a := range allowed {
		m.canon[i] = canonical(a)
		t, err := language.Parse(a)
		if err != nil {
			continue
		}
		tags = append(tags, t)
		m.index = append(m.index, i)
	}
	m.m = language.NewMatcher(tags)
	return m
}

// parseAcceptLanguage returns the tags of an Accept-Language header in order
// of preference (q=0 entries dropped), with prs mapped to fa-AF. Unlike
// language.ParseAcceptLanguage it keeps the good entries when one is
// malformed: "xx-bogus,ar" still finds Arabic.
func parseAcceptLanguage(h string) []language.Tag {
	if h == "" {
		return nil
	}
	if len(h) > maxAcceptLanguage {
		// A cut-off last entry is malformed and dropped below.
		h = h[:maxAcceptLanguage]
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil {
		tags = parseEntries(h)
	}
	if len(tags) > maxAcceptEntries {
		tags = tags[:maxAcceptEntries]
	}
	for i, t := range tags {
		tags[i] = aliasDari(t)
	}
	return tags
}

// parseEntries parses each comma-separated entry on its own and sorts the
// good ones by q, keeping the header's order among equal q.
func parseEntries(h string) []language.Tag {
	type weighted struct {
		tag language.Tag
		q   float32
	}
	var ws []weighted
	for i, part := range strings.Split(h, ",") {
		if i == maxAcceptEntries {
			break
		}
		ts, qs, err := language.ParseAcceptLanguage(part)
		if err != nil || len(ts) != 1 {
			continue
		}
		ws = append(ws, weighted{ts[0], qs[0]})
	}
	slices.SortStableFunc(ws, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	tags := make([]language.Tag, len(ws))
	for i, w := range ws {
		tags[i] = w.tag
	}
	return tags
}
