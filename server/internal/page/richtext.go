package page

import (
	"html/template"

	"github.com/microcosm-cc/bluemonday"
)

// RichText sanitises the simple formatting staff may use in action plan
// updates: links (http, https and mailto only, each given rel="nofollow
// noopener", and target="_blank" for links to other sites), b, strong, em,
// i, ul, ol, li, p and br. Everything else goes: other elements are
// dropped (the text of most is kept, escaped; script and style go whole),
// and so is every other attribute (on*, style, class, id…).
//
// There is one RichText policy in the process: the web package builds it
// with NewRichText at start-up, sanitises with it before storing, and the
// same policy guards StoredHTML.
type RichText struct {
	policy *bluemonday.Policy
}

// NewRichText builds the policy. bluemonday policies are safe for
// concurrent use once built.
func NewRichText() *RichText {
	p := bluemonday.NewPolicy()
	p.AllowElements("b", "strong", "em", "i", "ul", "ol", "li", "p", "br")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // and with it rel="noopener"
	return &RichText{policy: p}
}

// Sanitise returns s with everything the policy does not allow removed:
// HTML safe to store and to show.
func (r *RichText) Sanitise(s string) string { return r.policy.Sanitize(s) }

// StoredHTML is the one function in yousaid that makes a template.HTML,
// the only way to put markup from data into a page unescaped. It takes
// text that was sanitised with RichText.Sanitise before it was stored (an
// action plan update) and sanitises it once more with the same policy, so
// a document changed in the store by hand cannot carry a script onto a
// page either. Never call it on anything else: plain text is escaped by
// html/template, as it should be.
func (r *RichText) StoredHTML(sanitised string) template.HTML {
	return template.HTML(r.policy.Sanitize(sanitised)) //nolint:gosec // sanitised by the one policy, see above
}
