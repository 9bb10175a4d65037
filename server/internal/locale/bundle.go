package locale

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

// Bundle holds every language's interface messages. It is built once at
// start-up by New and is safe for concurrent use. The messages in use are
// one immutable catalog behind an atomic pointer: Apply (reviewed
// translations uploaded by staff) builds a new catalog and swaps it in, so
// a request keeps the catalog it started with and no call site changes.
type Bundle struct {
	// base holds each language's messages as its file has them, keyed by
	// Language.Tag; it never changes after New.
	base map[string][]*i18n.Message
	// ids holds the message IDs each language's file defines, keyed by
	// Language.Tag; English's set is the reference for coverage.
	ids map[string]map[string]bool
	// drafted holds the languages status.toml marks as machine drafts.
	drafted map[string]bool

	cat atomic.Pointer[catalog]
	// applyMu serialises Apply; overrides (tag → key → text) are the
	// texts it last applied.
	applyMu   sync.Mutex
	overrides map[string]map[string]string

	// matchers caches one matcher per allowed-language set (see Resolve).
	mu       sync.Mutex
	matchers map[string]*matcher
}

// catalog is one immutable generation of the messages.
type catalog struct {
	// localizers holds one go-i18n localizer per supported language, keyed
	// by Language.Tag. A go-i18n Localizer only reads its bundle, so one per
	// language is shared by every request in that language.
	localizers map[string]*i18n.Localizer
	// ids holds the message IDs each language has, its file's and those
	// added by Apply.
	ids map[string]map[string]bool
}

// messageParser renders message placeholders with missingkey=error, so a
// message given too little data fails (and T shows its ID, which tests
// notice) instead of printing "<no value>" to a young person. It has no
// funcs, so go-i18n parses each message once and caches it.
var messageParser = &i18ntemplate.TextParser{Option: "missingkey=error"}

// New loads every active.<tag>.toml at the root of fsys into a Bundle and
// reads status.toml (optional: a language without an entry counts as
// drafted). It fails if active.en.toml is missing or has a message without an
// "other" text, if a file cannot be parsed, if a file or status.toml names a
// language that is not in Supported (Dari is fa-AF, not prs), or if
// status.toml has a key it does not know.
func New(fsys fs.FS) (*Bundle, error) {
	files, err := fs.Glob(fsys, "active.*.toml")
	if err != nil {
		return nil, fmt.Errorf("locale.New: %w", err)
	}
	b := &Bundle{
		base:     make(map[string][]*i18n.Message, len(supported)),
		ids:      make(map[string]map[string]bool, len(supported)),
		drafted:  make(map[string]bool, len(supported)),
		matchers: make(map[string]*matcher),
	}
	for _, name := range files {
		if err := b.load(fsys, name); err != nil {
			return nil, fmt.Errorf("locale.New: %w", err)
		}
	}
	if b.ids["en"] == nil {
		return nil, errors.New("locale.New: active.en.toml is missing: English is the source of every message and the fallback")
	}
	if err := b.readStatus(fsys); err != nil {
		return nil, fmt.Errorf("locale.New: %w", err)
	}
	cat, err := b.build(nil)
	if err != nil {
		return nil, fmt.Errorf("locale.New: %w", err)
	}
	b.cat.Store(cat)
	return b, nil
}

// build makes a catalog of the files' messages with overrides (tag → key
// → text, see Strings for the keys) put over them.
func (b *Bundle) build(overrides map[string]map[string]string) (*catalog, error) {
	ib := i18n.NewBundle(language.English)
	// Every supported language gets a (possibly empty) message set, so that
	// go-i18n's own matcher finds each language exactly. Otherwise a
	// language without a file would be matched to English without
	// MessageNotFoundErr (no visible fallback, no count), and fa-AF to fa.
	for _, l := range supported {
		if err := ib.AddMessages(language.MustParse(l.Tag)); err != nil {
			return nil, fmt.Errorf("%s: %w", l.Tag, err)
		}
	}
	c := &catalog{localizers: make(map[string]*i18n.Localizer, len(supported)), ids: make(map[string]map[string]bool, len(supported))}
	for _, l := range supported {
		msgs, err := b.messagesWith(l.Tag, overrides[l.Tag])
		if err != nil {
			return nil, err
		}
		ids := make(map[string]bool, len(msgs))
		for _, m := range msgs {
			ids[m.ID] = true
		}
		if len(msgs) > 0 {
			if err := ib.AddMessages(language.MustParse(l.Tag), msgs...); err != nil {
				return nil, fmt.Errorf("%s: %w", l.Tag, err)
			}
		}
		c.ids[l.Tag] = ids
	}
	for _, l := range supported {
		c.localizers[l.Tag] = i18n.NewLocalizer(ib, l.Tag)
	}
	return c, nil
}

// load parses one message file and records its messages and IDs.
func (b *Bundle) load(fsys fs.FS, name string) error {
	tag := strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "active."), ".toml")
	l, ok := Lookup(tag)
	if !ok || l.Tag != tag {
		return fmt.Errorf("%s: %q is not a supported language tag (see locale.Supported; Dari is fa-AF)", name, tag)
	}
	buf, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	msgs, err := i18n.ParseMessageBytes(buf, toml.Unmarshal)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	ids := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		if l.Tag == "en" && m.Other == "" {
			return fmt.Errorf("%s: message %q has no \"other\" text, and English must have one for every message", name, m.ID)
		}
		ids[m.ID] = true
	}
	// go-i18n refuses a file whose message lacks "other"; check now, not
	// at the first Apply.
	if err := i18n.NewBundle(language.English).AddMessages(language.MustParse(l.Tag), msgs...); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	b.base[l.Tag] = msgs
	b.ids[l.Tag] = ids
	return nil
}

// status is the shape of status.toml.
type status struct {
	Languages map[string]struct {
		Drafted bool `toml:"drafted"`
	} `toml:"languages"`
}

// readStatus reads status.toml into b.drafted.
func (b *Bundle) readStatus(fsys fs.FS) error {
	for _, l := range supported {
		b.drafted[l.Tag] = l.Tag != "en"
	}
	buf, err := fs.ReadFile(fsys, "status.toml")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var st status
	md, err := toml.Decode(string(buf), &st)
	if err != nil {
		return fmt.Errorf("status.toml: %w", err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return fmt.Errorf("status.toml: unknown key %q (the only key is drafted)", undecoded[0].String())
	}
	for tag, s := range st.Languages {
		l, ok := Lookup(tag)
		if !ok || l.Tag != tag {
			return fmt.Errorf("status.toml: %q is not a supported language tag (see locale.Supported; Dari is fa-AF)", tag)
		}
		b.drafted[l.Tag] = s.Drafted
	}
	return nil
}

// Coverage is how much of one language's interface is translated.
type Coverage struct {
	Language Language
	// Total is the number of messages in English, the source.
	Total int
	// Translated is how many of those the language's file has.
	Translated int
	// Missing lists the IDs of the English messages the language lacks,
	// sorted; they are shown in English.
	Missing []string
	// Drafted reports that status.toml marks the translation as a machine
	// draft that a fluent speaker has still to review.
	Drafted bool
}

// Coverage reports every supported language in the order of Supported.
// A language without a file has Translated 0 and every ID in Missing.
func (b *Bundle) Coverage() []Coverage {
	cat := b.cat.Load()
	en := cat.ids["en"]
	out := make([]Coverage, 0, len(supported))
	for _, l := range supported {
		c := Coverage{Language: l, Total: len(en), Drafted: b.drafted[l.Tag], Missing: []string{}}
		have := cat.ids[l.Tag]
		for id := range en {
			if have[id] {
				c.Translated++
			} else {
				c.Missing = append(c.Missing, id)
			}
		}
		slices.Sort(c.Missing)
		out = append(out, c)
	}
	return out
}
