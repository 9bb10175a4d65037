package page

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"yousaid/server/internal/locale"
)

// Renderer renders the pages under templates/pages. It is built once at
// start-up and safe for concurrent use: its template sets are only read.
//
// The layout links to /signin (for staff), posts to /signout, links home
// as /?lang=<tag> and loads /static/site.css: the web package serves them.
type Renderer struct {
	pages        map[string]*template.Template
	bundle       *locale.Bundle
	assetVersion string
	buffers      sync.Pool
}

// New parses fsys (package frontend's FS: templates/layout.html,
// templates/partials/*.html, templates/pages/*.html, static/) into one
// template set per page: the layout, every partial and that page, which
// must define "content". The page's name is its file name without .html.
// It fails, naming the file, if there is no page, if the layout or a page
// does not parse, if a page lacks "content", or if a template is unsafe to
// escape (html/template reports that only on first execution, so New
// executes each page once with an empty page to find out).
func New(fsys fs.FS, bundle *locale.Bundle) (*Renderer, error) {
	if bundle == nil {
		return nil, errors.New("page.New: nil bundle")
	}
	layout, err := fs.ReadFile(fsys, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("page.New: %w", err)
	}
	partialFiles, err := fs.Glob(fsys, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("page.New: %w", err)
	}
	partials := make(map[string]string, len(partialFiles))
	for _, name := range partialFiles {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("page.New: %w", err)
		}
		partials[name] = string(b)
	}
	pageFiles, err := fs.Glob(fsys, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("page.New: %w", err)
	}
	if len(pageFiles) == 0 {
		return nil, errors.New("page.New: no templates/pages/*.html")
	}
	version, err := assetVersion(fsys)
	if err != nil {
		return nil, fmt.Errorf("page.New: %w", err)
	}
	r := &Renderer{
		pages:        make(map[string]*template.Template, len(pageFiles)),
		bundle:       bundle,
		assetVersion: version,
		buffers:      sync.Pool{New: func() any { return new(bytes.Buffer) }},
	}
	for _, file := range pageFiles {
		name := strings.TrimSuffix(path.Base(file), ".html")
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("page.New: %w", err)
		}
		t, err := parsePage(name, string(layout), partialFiles, partials, file, string(src))
		if err != nil {
			return nil, fmt.Errorf("page.New: %w", err)
		}
		if err := r.probe(t); err != nil {
			return nil, fmt.Errorf("page.New: %s: %w", file, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// parsePage builds one page's set: layout, then partials, then the page,
// so a page may redefine the layout's blocks ("head", "nav", "switcher").
func parsePage(name, layout string, partialFiles []string, partials map[string]string, file, src string) (*template.Template, error) {
	t := template.New(name).Funcs(funcs)
	if _, err := t.New("templates/layout.html").Parse(layout); err != nil {
		return nil, err
	}
	for _, p := range partialFiles {
		if _, err := t.New(p).Parse(partials[p]); err != nil {
			return nil, err
		}
	}
	if _, err := t.New(file).Parse(src); err != nil {
		return nil, err
	}
	if t.Lookup("layout") == nil {
		return nil, errors.New("templates/layout.html does not define \"layout\"")
	}
	if t.Lookup("content") == nil {
		return nil, fmt.Errorf("%s does not define \"content\"", file)
	}
	return t, nil
}

// probe executes t once with an empty page in English, so that
// html/template escapes it now and reports an unsafe template at start-up
// rather than on a young person's phone. Errors from the empty data itself
// (a field the page's own view model would have) are expected and ignored.
func (r *Renderer) probe(t *template.Template) error {
	err := t.ExecuteTemplate(io.Discard, "layout", Base{L: r.bundle.Localizer("en")})
	var escErr *template.Error
	if errors.As(err, &escErr) {
		return err
	}
	return nil
}

// assetVersion returns a short hash of every file under static/, so any
// change to them changes the URLs that load them.
func assetVersion(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// NewBase returns the Base of a page in l's language titled title (already
// localized). The caller adds Languages, User, Nav, CSRFToken and Errors as
// the page needs.
func (r *Renderer) NewBase(l *locale.Localizer, title string) Base {
	return Base{
		Lang:         l.Tag(),
		Dir:          l.Dir(),
		Title:        title,
		L:            l,
		AssetVersion: r.assetVersion,
	}
}

// AssetVersion returns the hash that NewBase puts in Base.AssetVersion.
func (r *Renderer) AssetVersion() string { return r.assetVersion }

// Pages returns the names of the pages Render knows, sorted.
func (r *Renderer) Pages() []string {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Require returns an error naming every page in names that Render does not
// know, so the web package can fail at start-up rather than on a request.
func (r *Renderer) Require(names ...string) error {
	var missing []string
	for _, n := range names {
		if r.pages[n] == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("page: no template for %s (templates/pages/<name>.html)", strings.Join(missing, ", "))
	}
	return nil
}

// Render executes the page name with data, a view model that embeds Base
// with L set, and writes the whole page to w. It renders into a buffer
// first: on any error nothing has been written, so the caller can still
// send an error page with another status. Errors come back wrapped with the
// page's name; they are the code's fault (unknown page, data without Base,
// a template asking for a field the data lacks), never the user's.
func (r *Renderer) Render(w io.Writer, name string, data any) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("page.Render: no page %q", name)
	}
	p, ok := data.(interface{ pageBase() Base })
	if !ok {
		return fmt.Errorf("page.Render %q: %T does not embed page.Base", name, data)
	}
	if p.pageBase().L == nil {
		return fmt.Errorf("page.Render %q: Base.L is nil (make the Base with Renderer.NewBase)", name)
	}
	buf := r.buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.buffers.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("page.Render %q: %w", name, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("page.Render %q: write: %w", name, err)
	}
	return nil
}

// funcs are the template funcs every page set has. They are pure: nothing
// in them depends on the request (messages are Base methods; see the
// package doc).
var funcs = template.FuncMap{
	// dir returns "rtl" or "ltr" for a language tag.
	"dir": locale.Dir,
	// langName returns a language's name in itself, or the tag if it is not
	// an interface language.
	"langName": func(tag string) string {
		if l, ok := locale.Lookup(tag); ok {
			return l.Name
		}
		return tag
	},
	// add returns a+b, e.g. for 1-based question numbers.
	"add": func(a, b int) int { return a + b },
	// seq returns the whole numbers from first to last inclusive, e.g.
	// {{range seq .Min .Max}} for a 0-10 scale; empty if last < first, and
	// at most 1000 numbers so a bad definition cannot eat the memory.
	"seq": func(first, last int) []int {
		if last < first {
			return nil
		}
		n := min(last-first+1, 1000)
		s := make([]int, n)
		for i := range s {
			s[i] = first + i
		}
		return s
	},
}
