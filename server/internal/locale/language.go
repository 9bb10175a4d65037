// Package locale gives every request its interface language: it loads the
// go-i18n message files of package locales once at start-up, resolves a
// request's language from ?lang, the form's lang field and Accept-Language,
// says which way the language is written, and reports how much of each
// language is translated.
//
// Nothing in this package is mutated per request: a Bundle is read-only
// after New, and each request gets its own Localizer.
package locale

import (
	"strings"

	"golang.org/x/text/language"
)

// Language is one language the interface can be shown in.
type Language struct {
	// Tag is the BCP 47 tag used in URLs (?lang=), file names
	// (active.<Tag>.toml) and the lang attribute, e.g. "fa-AF".
	Tag string
	// Name is the language's own name in its own script, as a speaker
	// looks for it in a language switcher, e.g. "العربية".
	Name string
	// EnglishName is the name staff see in reports, e.g. "Arabic".
	EnglishName string
	// RTL reports whether the language is written right to left.
	RTL bool
}

// supported is the platform's list of interface languages. English comes
// first because it is the source language and the fallback; Welsh second
// because Welsh public bodies must offer it alongside English; the rest
// are in the alphabetical order of their English names so that staff
// reports read predictably.
var supported = []Language{
	{Tag: "en", Name: "English", EnglishName: "English"},
	{Tag: "cy", Name: "Cymraeg", EnglishName: "Welsh"},
	{Tag: "sq", Name: "Shqip", EnglishName: "Albanian"},
	{Tag: "am", Name: "አማርኛ", EnglishName: "Amharic"},
	{Tag: "ar", Name: "العربية", EnglishName: "Arabic", RTL: true},
	// Dari is fa-AF, not prs: go-i18n has no plural rule for prs, and
	// fa-AF takes the Persian one, which is right for Dari.
	{Tag: "fa-AF", Name: "دری", EnglishName: "Dari", RTL: true},
	{Tag: "fa", Name: "فارسی", EnglishName: "Farsi", RTL: true},
	{Tag: "fr", Name: "Français", EnglishName: "French"},
	{Tag: "ckb", Name: "کوردی", EnglishName: "Kurdish (Sorani)", RTL: true},
	{Tag: "ps", Name: "پښتو", EnglishName: "Pashto", RTL: true},
	{Tag: "so", Name: "Soomaali", EnglishName: "Somali"},
	{Tag: "ti", Name: "ትግርኛ", EnglishName: "Tigrinya"},
	{Tag: "vi", Name: "Tiếng Việt", EnglishName: "Vietnamese"},
}

// Supported returns the interface languages in display order, English
// first. The slice is a fresh copy; callers may change it.
func Supported() []Language {
	out := make([]Language, len(supported))
	copy(out, supported)
	return out
}

// Lookup returns the supported language whose tag matches tag (case and
// separator insensitive, with prs taken as Dari, fa-AF), and whether there
// is one.
func Lookup(tag string) (Language, bool) {
	c := canonical(tag)
	for _, l := range supported {
		if canonical(l.Tag) == c {
			return l, true
		}
	}
	return Language{}, false
}

// rtlTags are the supported right-to-left languages, checked by name so the
// answer never depends on the script data inside x/text.
var rtlTags = map[string]bool{"ar": true, "fa": true, "fa-AF": true, "ps": true, "ckb": true, "prs": true}

// rtlScripts are the ISO 15924 scripts written right to left that a language
// tag may carry or imply: Arabic, Hebrew, Thaana, Syriac, and the West
// African and Rohingya scripts (N'Ko, Adlam, Hanifi Rohingya) that refugees
// may use.
var rtlScripts = map[string]bool{"Arab": true, "Hebr": true, "Thaa": true, "Syrc": true, "Nkoo": true, "Adlm": true, "Rohg": true}

// Dir returns "rtl" if tag is written right to left and "ltr" otherwise,
// for the dir attribute. A script in the tag decides (ckb-Latn is "ltr");
// otherwise the supported RTL languages are "rtl", and any other language is
// "rtl" if the script x/text infers for it is a right-to-left one. An empty
// or malformed tag is "ltr".
func Dir(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return "ltr"
	}
	script, conf := t.Script()
	if conf == language.Exact {
		return dirOfScript(script)
	}
	if rtlTags[canonical(tag)] {
		return "rtl"
	}
	if conf == language.No {
		return "ltr"
	}
	return dirOfScript(script)
}

func dirOfScript(s language.Script) string {
	if rtlScripts[s.String()] {
		return "rtl"
	}
	return "ltr"
}

// dari is where prs (the ISO 639-3 code for Dari) is sent: go-i18n, the
// survey definitions and the URLs all use fa-AF.
var dari = language.MustParse("fa-AF")

// canonical returns the form of tag used to compare tags: the x/text
// canonical string (so "FA_af" equals "fa-AF"), with prs mapped to fa-AF.
// A tag x/text cannot parse compares by its lower-case spelling.
func canonical(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(tag))
	}
	return aliasDari(t).String()
}

// aliasDari maps any tag whose language is prs to fa-AF, keeping nothing
// else of it: a region other than AF would make no sense for Dari.
func aliasDari(t language.Tag) language.Tag {
	if b, _ := t.Base(); b.String() == "prs" {
		return dari
	}
	return t
}
