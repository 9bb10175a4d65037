package locale

import (
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestResolve(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": `Hello = "Hello"`})
	all := supportedTags
	leeds := []string{"en", "ar", "ps"}
	tests := []struct {
		name     string
		explicit []string
		accept   string
		allowed  []string
		want     string
	}{
		{"lang parameter", []string{"ar"}, "", all, "ar"},
		{"lang parameter beats Accept-Language", []string{"ar"}, "fr", all, "ar"},
		{"lang parameter case and separator", []string{"FA_af"}, "", all, "fa-AF"},
		{"lang parameter prs is Dari", []string{"prs"}, "", all, "fa-AF"},
		{"unsupported lang parameter ignored", []string{"de"}, "fr", all, "fr"},
		{"malformed lang parameter ignored", []string{"<script>"}, "", all, "en"},
		{"overlong lang parameter ignored", []string{strings.Repeat("a", 100)}, "", all, "en"},
		{"form lang when query lang unsupported", []string{"de", "ps"}, "fr", all, "ps"},
		{"empty explicit values skipped", []string{"", "ti"}, "", all, "ti"},
		{"lang parameter outside allowed", []string{"fr"}, "", leeds, "en"},
		{"explicit is exact, not matched", []string{"ar-SD"}, "", all, "en"},
		{"Dari before Farsi", nil, "fa-AF,fa;q=0.8", all, "fa-AF"},
		{"Dari without Dari allowed finds Farsi", nil, "fa-AF", []string{"en", "fa"}, "fa"},
		{"Farsi", nil, "fa-IR,fa;q=0.9,en;q=0.5", all, "fa"},
		{"prs finds Dari", nil, "prs", all, "fa-AF"},
		{"prs-AF finds Dari", nil, "prs-AF,en;q=0.1", all, "fa-AF"},
		{"Sudanese Arabic finds Arabic", nil, "ar-SD", all, "ar"},
		{"British English", nil, "en-GB,en;q=0.9", all, "en"},
		{"German falls back to English", nil, "de", all, "en"},
		{"German then Arabic", nil, "de-DE,de;q=0.9,ar;q=0.5", all, "ar"},
		{"q order, not header order", nil, "fr;q=0.5,ti;q=0.9", all, "ti"},
		{"q=0 means not wanted", nil, "ps;q=0,de", all, "en"},
		{"one bad entry keeps the rest", nil, "zz-bogus-entry-x,so", all, "so"},
		{"wildcard", nil, "*", all, "en"},
		{"empty", nil, "", all, "en"},
		{"garbage", nil, ";;;,,,q=", all, "en"},
		{"Eritrean Tigrinya", nil, "ti-ER", all, "ti"},
		{"Amharic is not Tigrinya", nil, "am", []string{"en", "ti"}, "en"},
		{"council without Farsi", nil, "fa", leeds, "en"},
		{"council with Pashto", nil, "ps-AF", leeds, "ps"},
		{"allowed order does not matter", nil, "de", []string{"ar", "en"}, "en"},
		{"nil allowed means all supported", nil, "vi-VN", nil, "vi"},
		{"allowed spelling returned", []string{"fa-af"}, "", []string{"EN", "FA-AF"}, "FA-AF"},
		{"allowed spelling returned from matcher", nil, "ar-SD", []string{"en", "AR"}, "AR"},
		{"unparsable allowed still matches exactly", []string{"Not-A-Tag!"}, "", []string{"en", "not-a-tag!"}, "not-a-tag!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := b.Resolve(tt.explicit, tt.accept, tt.allowed)
			if got != tt.want {
				t.Errorf("Resolve(%q, %q, %q) = %q, want %q", tt.explicit, tt.accept, tt.allowed, got, tt.want)
			}
		})
	}
}

func TestResolveHostileHeader(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": `Hello = "Hello"`})
	long := strings.Repeat("de-DE;q=0.9,", 2000) + "ar"
	if got := b.Resolve(nil, long, nil); got != "en" {
		t.Errorf("Resolve(very long header) = %q, want en: only the start of it is read", got)
	}
	many := strings.Repeat("x-private,", 100) + "ar"
	if got := b.Resolve(nil, many, nil); got != "en" {
		t.Errorf("Resolve(100 entries then ar) = %q, want en: only the first entries count", got)
	}
}

func TestResolveConcurrent(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": `Hello = "Hello"`})
	sets := [][]string{nil, {"en", "ar"}, {"en", "fa", "fa-AF"}, {"en", "ps", "ckb"}}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				allowed := sets[(i+j)%len(sets)]
				got := b.Resolve(nil, "ar-SD,fa-AF;q=0.9,ps;q=0.8", allowed)
				want := map[int]string{0: "ar", 1: "ar", 2: "fa-AF", 3: "ps"}[(i+j)%len(sets)]
				if got != want {
					t.Errorf("Resolve with allowed %q = %q, want %q", allowed, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestMatcherCacheBounded(t *testing.T) {
	b := newTestBundle(t, map[string]string{"active.en.toml": `Hello = "Hello"`})
	for i := range maxMatchers + 50 {
		b.Resolve(nil, "ar", []string{"en", "ar", "x-" + strconv.Itoa(i)})
	}
	b.mu.Lock()
	n := len(b.matchers)
	b.mu.Unlock()
	if n > maxMatchers {
		t.Errorf("matcher cache holds %d sets, want at most %d", n, maxMatchers)
	}
}
