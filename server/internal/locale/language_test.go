package locale

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDir(t *testing.T) {
	tests := []struct {
		tag, want string
	}{
		{"en", "ltr"},
		{"cy", "ltr"},
		{"ar", "rtl"},
		{"ar-SD", "rtl"},
		{"fa", "rtl"},
		{"fa-AF", "rtl"},
		{"FA_af", "rtl"},
		{"prs", "rtl"},
		{"ps", "rtl"},
		{"ckb", "rtl"},
		{"ckb-Latn", "ltr"},
		{"ti", "ltr"},
		{"am", "ltr"},
		{"sq", "ltr"},
		{"vi", "ltr"},
		{"fr", "ltr"},
		{"so", "ltr"},
		// Not supported today, but right if a survey adds them.
		{"ur", "rtl"},
		{"he", "rtl"},
		{"yi", "rtl"},
		{"dv", "rtl"},
		{"syr", "rtl"},
		{"ff-Adlm", "rtl"},
		{"az-Arab", "rtl"},
		{"ku", "ltr"},
		{"", "ltr"},
		{"not a tag", "ltr"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			if got := Dir(tt.tag); got != tt.want {
				t.Errorf("Dir(%q) = %q, want %q", tt.tag, got, tt.want)
			}
		})
	}
}

func TestSupported(t *testing.T) {
	langs := Supported()
	var tags []string
	for _, l := range langs {
		tags = append(tags, l.Tag)
		if l.Name == "" || l.EnglishName == "" {
			t.Errorf("%s: Name %q, EnglishName %q: both are needed", l.Tag, l.Name, l.EnglishName)
		}
		if got := Dir(l.Tag) == "rtl"; got != l.RTL {
			t.Errorf("%s: RTL = %v but Dir says %q", l.Tag, l.RTL, Dir(l.Tag))
		}
	}
	want := []string{"en", "cy", "sq", "am", "ar", "fa-AF", "fa", "fr", "ckb", "ps", "so", "ti", "vi"}
	if diff := cmp.Diff(want, tags); diff != "" {
		t.Errorf("Supported() tags mismatch (-want +got):\n%s", diff)
	}

	langs[0].Name = "changed"
	if Supported()[0].Name != "English" {
		t.Error("changing the slice Supported returned changed the package's list")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		tag, want string
		ok        bool
	}{
		{"ar", "ar", true},
		{"AR", "ar", true},
		{"fa-af", "fa-AF", true},
		{"fa_AF", "fa-AF", true},
		{"prs", "fa-AF", true},
		{"fa", "fa", true},
		{"ar-SD", "", false},
		{"de", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			l, ok := Lookup(tt.tag)
			if ok != tt.ok || l.Tag != tt.want {
				t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.tag, l.Tag, ok, tt.want, tt.ok)
			}
		})
	}
}
