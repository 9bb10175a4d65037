package locale

import (
	"errors"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Localizer gives one request its messages in one language. Make one per
// request with Bundle.Localizer; do not share it between requests, because
// it counts the request's fallbacks. Its methods are safe to call from
// several goroutines of that request, and on a nil *Localizer (which
// returns every message ID as it is).
type Localizer struct {
	tag string
	dir string
	// loc looks messages up; for a tag with no interface language it is
	// the English localizer and english is true.
	loc *i18n.Localizer
	// english reports that every message shown is an English stand-in for
	// a language the interface does not have, so each one is a fallback.
	english bool

	mu        sync.Mutex
	fallbacks int
	missing   []string
}

// Localizer returns a new Localizer for tag. A tag that matches a supported
// language (see Lookup) gets that language's messages, with English for any
// it lacks; any other tag (a survey may be in a language the interface is
// not) keeps its tag and direction but gets English messages, each counted
// as a fallback. An empty or malformed tag is English.
func (b *Bundle) Localizer(tag string) *Localizer {
	// One catalog for the whole request, even if Apply swaps in another.
	localizers := b.cat.Load().localizers
	if l, ok := Lookup(tag); ok {
		return &Localizer{tag: l.Tag, dir: Dir(l.Tag), loc: localizers[l.Tag]}
	}
	t, err := language.Parse(tag)
	if err != nil || t == language.Und {
		return &Localizer{tag: "en", dir: "ltr", loc: localizers["en"]}
	}
	c := t.String()
	return &Localizer{tag: c, dir: Dir(c), loc: localizers["en"], english: true}
}

// Tag returns the BCP 47 tag of the request's language, for the lang
// attribute: a supported language's Tag, or the canonical form of the tag
// the Localizer was made for.
func (l *Localizer) Tag() string {
	if l == nil {
		return "en"
	}
	return l.tag
}

// Dir returns "rtl" or "ltr" for the request's language (see Dir).
func (l *Localizer) Dir() string {
	if l == nil {
		return "ltr"
	}
	return l.dir
}

// T returns the message id in the request's language. data fills the
// message's named placeholders and is either nothing, one map[string]any
// (or map[string]string), or alternating name, value pairs:
//
//	l.T("SignedInAs", "Name", user.Name)
//
// A message the language lacks comes back in English and is counted in
// Fallbacks. A message that does not exist at all, or cannot be filled
// (a placeholder without data, a malformed pair), comes back as its ID and
// is listed by Missing; T never panics and never logs.
func (l *Localizer) T(id string, data ...any) string {
	return l.localize(id, nil, data)
}

// N is T for a message with plural forms: count chooses the CLDR form of
// the request's language (Arabic and Welsh have six: zero, one, two, few,
// many, other) and is available to the message as {{.Count}} unless data
// sets Count itself.
func (l *Localizer) N(id string, count int, data ...any) string {
	return l.localize(id, &count, data)
}

func (l *Localizer) localize(id string, count *int, data []any) string {
	if l == nil || l.loc == nil {
		return id
	}
	td, ok := templateData(data)
	if !ok {
		l.recordMissing(id)
		return id
	}
	lc := &i18n.LocalizeConfig{MessageID: id, TemplateParser: messageParser}
	if count != nil {
		lc.PluralCount = *count
		if _, set := td["Count"]; !set {
			td["Count"] = *count
		}
	}
	lc.TemplateData = td
	msg, err := l.loc.Localize(lc)
	var notFound *i18n.MessageNotFoundErr
	switch {
	case err == nil:
		if l.english {
			l.recordFallback()
		}
		return msg
	case errors.As(err, &notFound) && msg != "":
		// go-i18n found the English text: a visible, counted fallback.
		l.recordFallback()
		return msg
	case msg != "" && count != nil:
		// The language's file lacks the plural form count needs; go-i18n
		// used the "other" form, which is still in the right language.
		return msg
	default:
		l.recordMissing(id)
		return id
	}
}

// templateData turns T's data argument into a fresh map, reporting false
// if it is malformed.
func templateData(data []any) (map[string]any, bool) {
	td := make(map[string]any, len(data)/2+1)
	if len(data) == 1 {
		switch m := data[0].(type) {
		case map[string]any:
			for k, v := range m {
				td[k] = v
			}
			return td, true
		case map[string]string:
			for k, v := range m {
				td[k] = v
			}
			return td, true
		}
	}
	if len(data)%2 != 0 {
		return nil, false
	}
	for i := 0; i < len(data); i += 2 {
		k, ok := data[i].(string)
		if !ok {
			return nil, false
		}
		td[k] = data[i+1]
	}
	return td, true
}

func (l *Localizer) recordFallback() {
	l.mu.Lock()
	l.fallbacks++
	l.mu.Unlock()
}

func (l *Localizer) recordMissing(id string) {
	l.mu.Lock()
	l.missing = append(l.missing, id)
	l.mu.Unlock()
}

// Fallbacks returns how many messages this Localizer has returned in
// English because its language lacks them. A page that had any says so.
func (l *Localizer) Fallbacks() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fallbacks
}

// Missing returns the IDs, in call order, that T or N returned as they are
// because no message exists or it could not be filled. It is always empty
// unless the code has a bug; tests assert that.
func (l *Localizer) Missing() []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.missing...)
}
