package page

// A few helpers to assert on rendered HTML by element, attribute and text
// rather than by substring.

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("html.Parse: %v", err)
	}
	return doc
}

// sel is a tiny selector: an element name ("" for any), and attributes
// that must be present with these values ("" for present with any value;
// "class" matches one of the classes).
type sel struct {
	tag   string
	attrs map[string]string
}

func el(tag string, kv ...string) sel {
	s := sel{tag: tag, attrs: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.attrs[kv[i]] = kv[i+1]
	}
	return s
}

func (s sel) matches(n *html.Node) bool {
	if n.Type != html.ElementNode || (s.tag != "" && n.Data != s.tag) {
		return false
	}
	for k, want := range s.attrs {
		got, ok := attr(n, k)
		switch {
		case !ok:
			return false
		case k == "class" && want != "":
			if !containsWord(got, want) {
				return false
			}
		case want != "" && got != want:
			return false
		}
	}
	return true
}

func containsWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}

// findAll returns the elements under n matching s, in document order.
func findAll(n *html.Node, s sel) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if s.matches(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// find returns the one element under n matching s, failing the test if
// there is not exactly one.
func find(t *testing.T, n *html.Node, s sel) *html.Node {
	t.Helper()
	all := findAll(n, s)
	if len(all) != 1 {
		t.Fatalf("want one %s%v, found %d", s.tag, s.attrs, len(all))
	}
	return all[0]
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// text returns n's text content with runs of white space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// anyNode reports whether any node under n satisfies f.
func anyNode(n *html.Node, f func(*html.Node) bool) bool {
	if f(n) {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if anyNode(c, f) {
			return true
		}
	}
	return false
}
