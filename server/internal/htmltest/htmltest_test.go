package htmltest

import "testing"

func TestSelectors(t *testing.T) {
	doc := Parse(t, `<html lang="ar" dir="rtl"><body><main id="main"><form class="stack big"><input type="radio" name="q" value="a"><input type="radio" name="q" value="b" checked><p class="x">Hello <b>you</b></p></form></main></body></html>`)
	tests := []struct {
		sel  string
		want int
	}{
		{"input", 2},
		{"input[type=radio]", 2},
		{"input[checked]", 1},
		{"input[value=b][checked]", 1},
		{"form.stack.big input", 2},
		{"#main p.x", 1},
		{"main#main form p b", 1},
		{"p.y", 0},
		{"html[dir=rtl]", 1},
	}
	for _, tt := range tests {
		if got := len(All(doc, tt.sel)); got != tt.want {
			t.Errorf("All(%q) = %d elements, want %d", tt.sel, got, tt.want)
		}
	}
	if got := Text(One(t, doc, "p.x")); got != "Hello you" {
		t.Errorf("Text = %q", got)
	}
}
