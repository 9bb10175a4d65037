package locale

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// newTestBundle builds a Bundle from message files given by name.
func newTestBundle(t *testing.T, files map[string]string) *Bundle {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	b, err := New(fsys)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

const testEnglish = `
[Greeting]
other = "Hello, {{.Name}}."

[Farewell]
other = "Goodbye."

[Answers]
one = "{{.Count}} answer"
other = "{{.Count}} answers"

[Waiting]
one = "{{.Name}} waits for {{.Count}} day."
other = "{{.Name}} waits for {{.Count}} days."
`

// The Arabic forms are labelled in English so the test can see which one
// was chosen.
const testArabic = `
[Greeting]
other = "مرحبا {{.Name}}."

[Answers]
zero = "zero:{{.Count}}"
one = "one:{{.Count}}"
two = "two:{{.Count}}"
few = "few:{{.Count}}"
many = "many:{{.Count}}"
other = "other:{{.Count}}"
`

func TestArabicPluralForms(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": testEnglish, "active.ar.toml": testArabic})
	l := b.Localizer("ar")
	tests := []struct {
		count int
		want  string
	}{
		{0, "zero:0"},
		{1, "one:1"},
		{2, "two:2"},
		{3, "few:3"},
		{10, "few:10"},
		{11, "many:11"},
		{99, "many:99"},
		{100, "other:100"},
		{102, "other:102"},
		{103, "few:103"},
	}
	for _, tt := range tests {
		if got := l.N("Answers", tt.count); got != tt.want {
			t.Errorf(`N("Answers", %d) = %q, want %q`, tt.count, got, tt.want)
		}
	}
	if got := l.Fallbacks(); got != 0 {
		t.Errorf("Fallbacks() = %d, want 0: every form is translated", got)
	}
}

func TestEnglishPlural(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": testEnglish})
	l := b.Localizer("en")
	for count, want := range map[int]string{0: "0 answers", 1: "1 answer", 2: "2 answers"} {
		if got := l.N("Answers", count); got != want {
			t.Errorf(`N("Answers", %d) = %q, want %q`, count, got, want)
		}
	}
	if got, want := l.N("Waiting", 3, "Name", "Sam"), "Sam waits for 3 days."; got != want {
		t.Errorf("N with data = %q, want %q", got, want)
	}
}

func TestTemplateData(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": testEnglish})
	tests := []struct {
		name string
		data []any
		want string
	}{
		{"pairs", []any{"Name", "Amina"}, "Hello, Amina."},
		{"map any", []any{map[string]any{"Name": "Amina"}}, "Hello, Amina."},
		{"map string", []any{map[string]string{"Name": "Amina"}}, "Hello, Amina."},
		{"odd pairs", []any{"Name"}, "Greeting"},
		{"key not a string", []any{1, "Amina"}, "Greeting"},
		{"no data for a placeholder", nil, "Greeting"},
		{"wrong name", []any{"Nom", "Amina"}, "Greeting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := b.Localizer("en")
			got := l.T("Greeting", tt.data...)
			if got != tt.want {
				t.Errorf("T(Greeting, %v) = %q, want %q", tt.data, got, tt.want)
			}
			if strings.Contains(got, "<no value>") {
				t.Errorf("T printed %q", got)
			}
			if wantMissing := got == "Greeting"; wantMissing != (len(l.Missing()) == 1) {
				t.Errorf("Missing() = %q", l.Missing())
			}
		})
	}
}

func TestFallbackCounted(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": testEnglish, "active.ar.toml": testArabic})
	l := b.Localizer("ar")
	if got, want := l.T("Greeting", "Name", "سارة"), "مرحبا سارة."; got != want {
		t.Errorf("T(Greeting) = %q, want %q", got, want)
	}
	if got := l.Fallbacks(); got != 0 {
		t.Fatalf("Fallbacks() = %d after a translated message, want 0", got)
	}
	if got, want := l.T("Farewell"), "Goodbye."; got != want {
		t.Errorf("T(Farewell) = %q, want the English %q", got, want)
	}
	if got, want := l.N("Waiting", 2, "Name", "Sam"), "Sam waits for 2 days."; got != want {
		t.Errorf("N(Waiting) = %q, want the English %q", got, want)
	}
	if got := l.Fallbacks(); got != 2 {
		t.Errorf("Fallbacks() = %d, want 2", got)
	}
	if got := l.Missing(); len(got) != 0 {
		t.Errorf("Missing() = %q, want none: a fallback is not a missing message", got)
	}

	// A language with no file at all falls back for everything.
	ps := b.Localizer("ps")
	if got := ps.T("Farewell"); got != "Goodbye." {
		t.Errorf("ps T(Farewell) = %q, want English", got)
	}
	if ps.Fallbacks() != 1 {
		t.Errorf("ps Fallbacks() = %d, want 1", ps.Fallbacks())
	}

	// English itself never falls back.
	en := b.Localizer("en")
	en.T("Farewell")
	if en.Fallbacks() != 0 {
		t.Errorf("en Fallbacks() = %d, want 0", en.Fallbacks())
	}
}

func TestMissingMessage(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": testEnglish, "active.ar.toml": testArabic})
	for _, tag := range []string{"en", "ar", "ps"} {
		l := b.Localizer(tag)
		if got := l.T("NoSuchMessage"); got != "NoSuchMessage" {
			t.Errorf("%s: T(NoSuchMessage) = %q, want the ID", tag, got)
		}
		if got := l.N("NoSuchPlural", 3); got != "NoSuchPlural" {
			t.Errorf("%s: N(NoSuchPlural) = %q, want the ID", tag, got)
		}
		if diff := cmp.Diff([]string{"NoSuchMessage", "NoSuchPlural"}, l.Missing()); diff != "" {
			t.Errorf("%s: Missing() mismatch (-want +got):\n%s", tag, diff)
		}
		if l.Fallbacks() != 0 {
			t.Errorf("%s: Fallbacks() = %d, want 0", tag, l.Fallbacks())
		}
	}

	var nilL *Localizer
	if got := nilL.T("Greeting"); got != "Greeting" {
		t.Errorf("nil Localizer T = %q, want the ID", got)
	}
	if nilL.Tag() != "en" || nilL.Dir() != "ltr" || nilL.Fallbacks() != 0 || nilL.Missing() != nil {
		t.Error("nil Localizer: want en, ltr, no fallbacks, nothing missing")
	}
}

func TestLocalizerTag(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": testEnglish})
	tests := []struct {
		tag, wantTag, wantDir string
		wantFallback          bool // Farewell comes back in English for want of a translation
	}{
		{"en", "en", "ltr", false},
		{"AR", "ar", "rtl", true},
		{"fa_af", "fa-AF", "rtl", true},
		{"prs", "fa-AF", "rtl", true},
		{"ur", "ur", "rtl", true},
		{"de-de", "de-DE", "ltr", true},
		{"", "en", "ltr", false},
		{"und", "en", "ltr", false},
		{"!!", "en", "ltr", false},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			l := b.Localizer(tt.tag)
			if l.Tag() != tt.wantTag || l.Dir() != tt.wantDir {
				t.Errorf("Localizer(%q): Tag %q Dir %q, want %q %q", tt.tag, l.Tag(), l.Dir(), tt.wantTag, tt.wantDir)
			}
			if got := l.T("Farewell"); got != "Goodbye." {
				t.Errorf("T(Farewell) = %q", got)
			}
			if got := l.Fallbacks() == 1; got != tt.wantFallback {
				t.Errorf("Fallbacks() = %d, want a fallback: %v", l.Fallbacks(), tt.wantFallback)
			}
		})
	}
}

// TestEachLanguageGetsItsOwnMessages guards against go-i18n's matcher
// handing one language another's messages (fa-AF getting fa's, say).
func TestEachLanguageGetsItsOwnMessages(t *testing.T) {
	files := map[string]string{}
	for _, l := range supported {
		files["active."+l.Tag+".toml"] = `Which = "` + l.Tag + `"`
	}
	b := newTestBundle(t, files)
	for _, l := range supported {
		loc := b.Localizer(l.Tag)
		if got := loc.T("Which"); got != l.Tag {
			t.Errorf("Localizer(%q).T(Which) = %q", l.Tag, got)
		}
		if loc.Fallbacks() != 0 {
			t.Errorf("%s: Fallbacks() = %d, want 0", l.Tag, loc.Fallbacks())
		}
	}
}

func TestConcurrentLocalizers(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": testEnglish, "active.ar.toml": testArabic})
	const rounds = 500
	var wg sync.WaitGroup
	run := func(tag, wantGreeting, wantTwo string, wantFallbacks int) {
		defer wg.Done()
		l := b.Localizer(tag)
		for range rounds {
			if got := l.T("Greeting", "Name", "X"); got != wantGreeting {
				t.Errorf("%s: T(Greeting) = %q, want %q", tag, got, wantGreeting)
				return
			}
			if got := l.N("Answers", 2); got != wantTwo {
				t.Errorf("%s: N(Answers, 2) = %q, want %q", tag, got, wantTwo)
				return
			}
			l.T("Farewell")
		}
		if got := l.Fallbacks(); got != wantFallbacks {
			t.Errorf("%s: Fallbacks() = %d, want %d", tag, got, wantFallbacks)
		}
	}
	for range 4 {
		wg.Add(2)
		go run("ar", "مرحبا X.", "two:2", rounds)
		go run("en", "Hello, X.", "2 answers", 0)
	}
	wg.Wait()

	// One request's localizer used from two goroutines keeps an exact count.
	l := b.Localizer("ar")
	wg.Add(2)
	for range 2 {
		go func() {
			defer wg.Done()
			for range rounds {
				l.T("Farewell")
			}
		}()
	}
	wg.Wait()
	if got := l.Fallbacks(); got != 2*rounds {
		t.Errorf("shared Fallbacks() = %d, want %d", got, 2*rounds)
	}
}

func TestCoverage(t *testing.T) {
	b := newTestBundle(t, map[string]string{
		"active.en.toml": testEnglish,
		"active.ar.toml": testArabic,
		"status.toml":    "[languages.ar]\ndrafted = true\n[languages.fr]\ndrafted = false\n",
	})
	cov := b.Coverage()
	if len(cov) != len(supported) {
		t.Fatalf("Coverage() has %d languages, want %d", len(cov), len(supported))
	}
	byTag := map[string]Coverage{}
	for i, c := range cov {
		if c.Language.Tag != supported[i].Tag {
			t.Errorf("Coverage()[%d] is %s, want %s (the order of Supported)", i, c.Language.Tag, supported[i].Tag)
		}
		byTag[c.Language.Tag] = c
	}
	want := map[string]Coverage{
		"en": {Language: supported[0], Total: 4, Translated: 4, Missing: []string{}, Drafted: false},
		"ar": {Language: byTag["ar"].Language, Total: 4, Translated: 2, Missing: []string{"Farewell", "Waiting"}, Drafted: true},
		// No file: nothing translated. Marked reviewed in status.toml.
		"fr": {Language: byTag["fr"].Language, Total: 4, Translated: 0, Missing: []string{"Answers", "Farewell", "Greeting", "Waiting"}, Drafted: false},
		// No status entry: counts as a draft.
		"ti": {Language: byTag["ti"].Language, Total: 4, Translated: 0, Missing: []string{"Answers", "Farewell", "Greeting", "Waiting"}, Drafted: true},
	}
	for tag, w := range want {
		if diff := cmp.Diff(w, byTag[tag]); diff != "" {
			t.Errorf("Coverage for %s mismatch (-want +got):\n%s", tag, diff)
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error
	}{
		{"no English", map[string]string{"active.ar.toml": testArabic}, "active.en.toml is missing"},
		{"Dari as prs", map[string]string{"active.en.toml": testEnglish, "active.prs.toml": `A = "a"`}, `"prs" is not a supported`},
		{"unsupported language", map[string]string{"active.en.toml": testEnglish, "active.de.toml": `A = "a"`}, `"de" is not a supported`},
		{"tag spelled differently", map[string]string{"active.en.toml": testEnglish, "active.fa-af.toml": `A = "a"`}, `"fa-af" is not a supported`},
		{"bad TOML", map[string]string{"active.en.toml": "[Broken\n"}, "active.en.toml"},
		{"English without other", map[string]string{"active.en.toml": "[A]\none = \"a\"\n"}, `message "A" has no "other"`},
		{"status unknown key", map[string]string{"active.en.toml": testEnglish, "status.toml": "[languages.ar]\ndraft = true\n"}, "unknown key"},
		{"status unknown language", map[string]string{"active.en.toml": testEnglish, "status.toml": "[languages.prs]\ndrafted = true\n"}, `"prs" is not a supported`},
		{"status bad TOML", map[string]string{"active.en.toml": testEnglish, "status.toml": "languages = ["}, "status.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			_, err := New(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
