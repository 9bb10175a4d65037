package web_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRequestLayerKnowsNoDemo: the request layer serves a demonstration
// platform through configuration (Showcase), never by importing the demo
// data package, so nothing it does can depend on demo data existing.
func TestRequestLayerKnowsNoDemo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); strings.HasSuffix(path, "/internal/demo") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
