package locale

import (
	"errors"
	"sync"
	"testing"

	"yousaid/locales"
)

func TestApplyTakesEffectAndIsRaceFree(t *testing.T) {
	b, err := New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	before := b.Localizer("ar")
	old := before.T("LanguagesTitle")

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				l := b.Localizer("ar")
				_ = l.T("LanguagesTitle")
				_ = l.N("CoverageMissing", 3)
				_ = b.Coverage()
			}
		}()
	}
	for i := range 5 {
		if err := b.Apply("ar", map[string]string{"LanguagesTitle": "لغات الواجهة", "CoverageMissing.few": "{{.Count}} نصوص بالإنجليزية"}); err != nil {
			t.Fatal(err)
		}
		_ = i
	}
	close(stop)
	wg.Wait()

	l := b.Localizer("ar")
	if got := l.T("LanguagesTitle"); got != "لغات الواجهة" {
		t.Errorf("after Apply: %q", got)
	}
	if got := l.N("CoverageMissing", 3); got != "3 نصوص بالإنجليزية" {
		t.Errorf("plural form after Apply: %q", got)
	}
	if got := before.T("LanguagesTitle"); got != old {
		t.Errorf("a request under way changed its text to %q", got)
	}
	if got := b.Localizer("fa").T("LanguagesTitle"); got == "لغات الواجهة" {
		t.Error("Apply changed another language")
	}
	// A later Apply replaces the earlier one's texts for that language.
	if err := b.Apply("ar", nil); err != nil {
		t.Fatal(err)
	}
	if got := b.Localizer("ar").T("LanguagesTitle"); got != old {
		t.Errorf("after an empty Apply: %q, want the file's %q", got, old)
	}
}

func TestApplyRefuses(t *testing.T) {
	b, err := New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	var uk *UnknownKeyError
	if err := b.Apply("ar", map[string]string{"NoSuchMessage": "x"}); !errors.As(err, &uk) {
		t.Errorf("unknown key: %v", err)
	}
	if err := b.Apply("fr", map[string]string{"CoverageMissing.few": "x"}); !errors.As(err, &uk) {
		t.Errorf("a plural form French does not use: %v", err)
	}
	if err := b.Apply("en", map[string]string{"LanguagesTitle": "x"}); err == nil {
		t.Error("English changed")
	}
}

func TestCheckPlaceholders(t *testing.T) {
	tests := []struct {
		name, key, source, text, code string
	}{
		{"same", "X", "Hello {{.Name}}", "مرحبا {{.Name}}", ""},
		{"missing", "X", "Hello {{.Name}}", "مرحبا", "missing"},
		{"extra", "X", "Hello", "مرحبا {{.Name}}", "extra"},
		{"broken", "X", "Hello {{.Name}}", "مرحبا {{.Name}", "broken"},
		{"template code", "X", "Hello {{.Name}}", "{{.Name}} {{printf \"%v\" 1}}", "broken"},
		{"number in words", "X.one", "{{.Count}} text", "نص واحد", ""},
		{"other form needs the count", "X.other", "{{.Count}} texts", "نصوص", "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPlaceholders(tt.key, tt.source, tt.text)
			var pe *PlaceholderError
			switch {
			case tt.code == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.code != "" && (!errors.As(err, &pe) || pe.Code != tt.code):
				t.Errorf("err = %v, want %s", err, tt.code)
			}
		})
	}
}
