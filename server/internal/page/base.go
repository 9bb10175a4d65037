// Package page renders yousaid's HTML pages: html/template sets parsed once
// at start-up from package frontend's files, one set per page, and the view
// model every page shares (Base).
//
// # Messages in templates
//
// There is one way to put an interface message in a template: call the T
// or N method of the data, with the message ID as a literal string.
//
//	{{.T "SignIn"}}
//	{{.T "SignedInAs" "Name" .User.Name}}
//	{{.N "ErrorSummaryCount" (len .Errors)}}
//	{{range .Items}}{{$.T "SignIn"}}{{end}}   (inside range and with, use $)
//	{{.L.T "ErrorPrefix"}}                     (in a partial handed a Field)
//
// Every page view model embeds Base, whose T and N call the request's
// *locale.Localizer, so each request uses its own localizer and no template
// or func map holds per-request state. There are no t or n template funcs:
// a template that uses them fails to parse at start-up. A test in package
// locale scans the templates for `.T "ID"` and `.N "ID"` and checks that
// every ID is in locales/active.en.toml, which is why IDs stay literal.
package page

import (
	"net/url"
	"strings"

	"yousaid/server/internal/locale"
)

// Base is what the layout needs from every page. Page view models embed it
// (by value) and add their own fields; Renderer.Render rejects data that
// does not.
type Base struct {
	// Lang is the BCP 47 tag of the page's language, for <html lang>.
	Lang string
	// Dir is "ltr" or "rtl", for <html dir>.
	Dir string
	// Title is the page's own title, already localized; the layout adds
	// the site name for <title>.
	Title string
	// L is the request's localizer; T and N call it.
	L *locale.Localizer
	// AssetVersion is a hash of the static files, added to their URLs so a
	// browser never keeps a stale stylesheet.
	AssetVersion string
	// Languages feeds the language switcher; with fewer than two entries
	// there is no switcher.
	Languages []LanguageLink
	// User is the signed-in staff member, nil on public pages.
	User *StaffUser
	// Nav is the staff menu, shown when User is set.
	Nav []NavLink
	// CSRFToken, when set, is sent as the field csrf_token by the forms
	// the layout renders (sign out).
	CSRFToken string
	// Errors lists the form's invalid fields in page order, for the error
	// summary; empty on a page without errors.
	Errors []FieldError
}

// LanguageLink is one language in the switcher.
type LanguageLink struct {
	Tag     string // BCP 47 tag, e.g. "fa-AF"
	Name    string // the language's name in itself, e.g. "دری"
	URL     string // this page in that language
	Current bool   // the page is in this language
}

// StaffUser is the signed-in council staff member shown in the header.
type StaffUser struct {
	Name    string
	Email   string
	Role    string // platform_admin, council_admin, facilitator or co_producer
	Council string // council slug; empty for a platform administrator
}

// NavLink is one entry of the staff menu.
type NavLink struct {
	Label   string // already localized
	URL     string
	Current bool // the page is this entry's, or under it
}

// FieldError is one invalid form field.
type FieldError struct {
	// ID is the id of the element the error summary links to (the field's
	// first control); the field's message gets the id ID+"-error".
	ID string
	// Message is the localized sentence saying what to fix.
	Message string
}

// Field is what the field-error partial and a control's
// aria-describedby need to know about one field.
type Field struct {
	L       *locale.Localizer
	ID      string
	Message string // empty when the field is valid
}

// DescribedBy returns the id of the field's error message for
// aria-describedby, or "" when the field is valid.
func (f Field) DescribedBy() string {
	if f.Message == "" {
		return ""
	}
	return f.ID + "-error"
}

// T returns the message id in the page's language; see locale.Localizer.T.
func (b Base) T(id string, data ...any) string { return b.L.T(id, data...) }

// N returns the plural message id for count; see locale.Localizer.N.
func (b Base) N(id string, count int, data ...any) string { return b.L.N(id, count, data...) }

// Fallbacks returns how many messages on the page so far were shown in
// English for want of a translation.
func (b Base) Fallbacks() int { return b.L.Fallbacks() }

// Field returns the field with element id, with its message if it is in
// Errors.
func (b Base) Field(id string) Field {
	f := Field{L: b.L, ID: id}
	for _, e := range b.Errors {
		if e.ID == id {
			f.Message = e.Message
			break
		}
	}
	return f
}

// pageBase lets Render find the Base inside any page view model. It is
// promoted through embedding, so any struct embedding Base has it.
func (b Base) pageBase() Base { return b }

// LanguageLinks returns switcher links for tags (a council's or survey's
// languages, in the order to show them), each pointing to u with its lang
// query parameter set and every other parameter kept. The link whose tag
// equals current (case-insensitively) is Current. A tag that is not a
// supported interface language is named by its tag. The URLs are relative
// (path and query only), so they cannot lead off the site.
func LanguageLinks(u *url.URL, current string, tags []string) []LanguageLink {
	links := make([]LanguageLink, 0, len(tags))
	for _, tag := range tags {
		name := tag
		if l, ok := locale.Lookup(tag); ok {
			name = l.Name
		}
		q := url.Values{}
		path := ""
		if u != nil {
			q = u.Query()
			// "//host/x" would be a link to another site: keep one slash.
			if p := u.EscapedPath(); p != "" {
				path = "/" + strings.TrimLeft(p, "/")
			}
		}
		q.Set("lang", tag)
		links = append(links, LanguageLink{
			Tag:     tag,
			Name:    name,
			URL:     path + "?" + q.Encode(),
			Current: strings.EqualFold(tag, current),
		})
	}
	return links
}
