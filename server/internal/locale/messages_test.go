package locale

// Tests of the shipped message files (package locales) and of the message
// IDs the shipped templates (package frontend) use.

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"yousaid/frontend"
	"yousaid/locales"
)

func shippedBundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := New(locales.FS)
	if err != nil {
		t.Fatalf("New(locales.FS): %v", err)
	}
	return b
}

// templateComment matches {{/* ... */}} with optional trim markers, whose
// examples must not count as uses.
var templateComment = regexp.MustCompile(`(?s)\{\{-?\s*/\*.*?\*/\s*-?\}\}`)

// messageCall matches the one way templates use messages (see package
// page): a T or N method call with a literal ID, as in {{.T "SignIn"}},
// {{$.N "ErrorSummaryCount" 3}} or {{.L.T "ErrorPrefix"}}.
var messageCall = regexp.MustCompile(`\.[TN]\s+"([^"]*)"`)

// templateMessageIDs returns every message ID the templates use, with the
// files that use it.
func templateMessageIDs(t *testing.T) map[string][]string {
	t.Helper()
	ids := map[string][]string{}
	err := fs.WalkDir(frontend.FS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		src, err := fs.ReadFile(frontend.FS, p)
		if err != nil {
			return err
		}
		code := templateComment.ReplaceAllString(string(src), "")
		for _, m := range messageCall.FindAllStringSubmatch(code, -1) {
			ids[m[1]] = append(ids[m[1]], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestTemplateMessageIDsExist(t *testing.T) {
	b := shippedBundle(t)
	ids := templateMessageIDs(t)
	// The layout alone uses more than this; fewer means the pattern has
	// stopped matching how templates are written.
	if len(ids) < 10 {
		t.Fatalf("found only %d message IDs in frontend/templates: has the way templates call messages changed?", len(ids))
	}
	var missing []string
	for id, files := range ids {
		if !b.ids["en"][id] {
			missing = append(missing, fmt.Sprintf("%s (%s)", id, strings.Join(slices.Compact(files), ", ")))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("%d message IDs used in frontend/templates are not in locales/active.en.toml:\n\t%s", len(missing), strings.Join(missing, "\n\t"))
	}
}

// TestTranslationsMatchEnglish checks that every active.<tag>.toml has
// exactly the message IDs of active.en.toml: a missing one shows English,
// an extra one is dead (often a renamed ID).
func TestTranslationsMatchEnglish(t *testing.T) {
	b := shippedBundle(t)
	en := b.ids["en"]
	for tag, ids := range b.ids {
		if tag == "en" {
			continue
		}
		t.Run(tag, func(t *testing.T) {
			for id := range en {
				if !ids[id] {
					t.Errorf("active.%s.toml lacks %q", tag, id)
				}
			}
			for id := range ids {
				if !en[id] {
					t.Errorf("active.%s.toml has %q, which active.en.toml does not", tag, id)
				}
			}
		})
	}
}

// shippedMessages parses every shipped message file: file name → messages.
func shippedMessages(t *testing.T) map[string][]*i18n.Message {
	t.Helper()
	files, err := fs.Glob(locales.FS, "active.*.toml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*i18n.Message{}
	for _, name := range files {
		buf, err := fs.ReadFile(locales.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := i18n.ParseMessageBytes(buf, toml.Unmarshal)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = msgs
	}
	return out
}

func forms(m *i18n.Message) map[string]string {
	all := map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other}
	for k, v := range all {
		if v == "" {
			delete(all, k)
		}
	}
	return all
}

// markup finds HTML tags and character references, which html/template
// would show as text.
var markup = regexp.MustCompile(`<[a-zA-Z/!]|&(#?[a-zA-Z0-9]+);`)

// placeholder finds a message's named placeholders, {{.Name}}.
var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z][A-Za-z0-9_]*)\s*\}\}`)

// action finds any template action, to catch ones that are not plain
// placeholders (funcs, printf, pipelines).
var action = regexp.MustCompile(`\{\{.*?\}\}`)

func TestMessageText(t *testing.T) {
	all := shippedMessages(t)
	english := map[string]map[string]bool{} // ID → placeholders
	for _, m := range all["active.en.toml"] {
		english[m.ID] = map[string]bool{}
		for _, text := range forms(m) {
			for _, p := range placeholder.FindAllStringSubmatch(text, -1) {
				english[m.ID][p[1]] = true
			}
		}
	}
	for name, msgs := range all {
		for _, m := range msgs {
			for form, text := range forms(m) {
				if markup.MatchString(text) {
					t.Errorf("%s: %s (%s) has HTML %q: messages are plain text", name, m.ID, form, text)
				}
				for _, a := range action.FindAllString(text, -1) {
					if !placeholder.MatchString(a) {
						t.Errorf("%s: %s (%s) has %q: only named placeholders like {{.Name}} are allowed", name, m.ID, form, a)
					}
				}
				// A translated placeholder name ({{.اسم}}) would print
				// nothing; every form must use English's names only.
				for _, p := range placeholder.FindAllStringSubmatch(text, -1) {
					if want, ok := english[m.ID]; ok && !want[p[1]] {
						t.Errorf("%s: %s (%s) uses {{.%s}}, which the English message does not have", name, m.ID, form, p[1])
					}
				}
			}
		}
	}
}

// TestStatusListsEveryLanguage makes adding a language a deliberate act:
// status.toml must say whether its translation is a draft.
func TestStatusListsEveryLanguage(t *testing.T) {
	buf, err := fs.ReadFile(locales.FS, "status.toml")
	if err != nil {
		t.Fatal(err)
	}
	var st status
	if _, err := toml.Decode(string(buf), &st); err != nil {
		t.Fatal(err)
	}
	var got []string
	for tag := range st.Languages {
		got = append(got, tag)
	}
	want := slices.Clone(supportedTags)
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("languages in status.toml mismatch (-want +got):\n%s", diff)
	}
	if st.Languages["en"].Drafted {
		t.Error("status.toml marks English, the hand-written source, as drafted")
	}
}

func TestShippedCoverage(t *testing.T) {
	b := shippedBundle(t)
	for _, c := range b.Coverage() {
		if c.Total != len(b.ids["en"]) || c.Translated+len(c.Missing) != c.Total {
			t.Errorf("%s: Total %d, Translated %d, Missing %d do not add up", c.Language.Tag, c.Total, c.Translated, len(c.Missing))
		}
		if c.Language.Tag == "en" && (c.Translated != c.Total || c.Drafted) {
			t.Errorf("en: %+v, want complete and not drafted", c)
		}
	}
}
