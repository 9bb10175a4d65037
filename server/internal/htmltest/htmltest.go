// Package htmltest helps tests assert on HTML by structure rather than by
// substring: parse a page, then select elements with a small subset of CSS
// selectors (tag, #id, .class, [attr], [attr=value], and descendant
// combinations separated by spaces).
package htmltest

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Parse parses a whole document, failing the test on error.
func Parse(t testing.TB, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("htmltest.Parse: %v", err)
	}
	return doc
}

// All returns the elements under root matching selector, in document order.
func All(root *html.Node, selector string) []*html.Node {
	parts := strings.Fields(selector)
	nodes := []*html.Node{root}
	for _, part := range parts {
		var next []*html.Node
		seen := map[*html.Node]bool{}
		for _, n := range nodes {
			walk(n, func(c *html.Node) {
				if c != n && !seen[c] && matches(c, part) {
					seen[c] = true
					next = append(next, c)
				}
			})
		}
		nodes = next
	}
	return nodes
}

// One returns the single element matching selector, failing the test
// unless there is exactly one.
func One(t testing.TB, root *html.Node, selector string) *html.Node {
	t.Helper()
	all := All(root, selector)
	if len(all) != 1 {
		t.Fatalf("htmltest: %d elements match %q, want 1", len(all), selector)
	}
	return all[0]
}

// Attr returns an attribute's value, or "" when it is absent.
func Attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// HasAttr reports whether n has the attribute at all.
func HasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// Text returns the text content of n, with runs of white space folded.
func Text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// matches tests one compound selector such as input[type=radio].big#x.
func matches(n *html.Node, sel string) bool {
	if n.Type != html.ElementNode {
		return false
	}
	i := 0
	readName := func() string {
		start := i
		for i < len(sel) && !strings.ContainsRune(".#[", rune(sel[i])) {
			i++
		}
		return sel[start:i]
	}
	if tag := readName(); tag != "" && tag != "*" && tag != n.Data {
		return false
	}
	for i < len(sel) {
		switch sel[i] {
		case '#':
			i++
			if Attr(n, "id") != readName() {
				return false
			}
		case '.':
			i++
			if !hasClass(n, readName()) {
				return false
			}
		case '[':
			end := strings.IndexByte(sel[i:], ']')
			if end < 0 {
				return false
			}
			cond := sel[i+1 : i+end]
			i += end + 1
			name, value, hasValue := strings.Cut(cond, "=")
			if !HasAttr(n, name) || (hasValue && Attr(n, name) != strings.Trim(value, `"'`)) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(Attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}
