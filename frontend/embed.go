// Package frontend holds what the browser gets: the html/template files
// under templates/ (layout.html, partials/*.html, pages/*.html) and the
// static files under static/, served as they are.
package frontend

import "embed"

// FS holds the templates/ and static/ folders at its root.
//
//go:embed templates static
var FS embed.FS
