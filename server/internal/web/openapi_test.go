package web_test

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIListsEveryRoute keeps docs/openapi.yaml in step with the code
// (API.md asks it): every registered route is a path and method there.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	f, err := os.Open("../../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pathLine := regexp.MustCompile(`^  (/\S*):\s*$`)
	anyParam := regexp.MustCompile(`\{[^}]*\}`)
	methodLine := regexp.MustCompile(`^    (get|post|put|patch|delete):\s*$`)
	documented := map[string]bool{}
	var current string
	inPaths := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && len(line) > 0 && line[0] != ' ' && line[0] != '#':
			inPaths = false
		case !inPaths:
		case pathLine.MatchString(line):
			current = anyParam.ReplaceAllString(pathLine.FindStringSubmatch(line)[1], "{}")
		case methodLine.MatchString(line) && current != "":
			documented[strings.ToUpper(methodLine.FindStringSubmatch(line)[1])+" "+current] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Parameter names may differ (Gin allows one name per segment, so :id
	// is a join code on one route): only their places must agree.
	param := regexp.MustCompile(`[:*][A-Za-z_]+`)
	h := newHarness(t)
	for _, r := range h.srv.Routes() {
		path := param.ReplaceAllString(r.Path, "{}")
		if !documented[r.Method+" "+path] {
			t.Errorf("%s %s is not in docs/openapi.yaml", r.Method, path)
		}
	}
}
