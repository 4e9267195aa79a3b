package gantry_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A name in a package map: "kit" is the row kit; "middleware/..." or
// "middleware/" is every row at or under middleware.
type mapEntry struct {
	layer int
	name  string
}

// rowsNamed returns the rows a map entry stands for.
func rowsNamed(name string) []int {
	base, tree := strings.CutSuffix(name, "/...")
	if !tree {
		base, tree = strings.CutSuffix(name, "/")
	}
	var rows []int
	for i, r := range layers {
		if r.path == base || (tree && strings.HasPrefix(r.path, base+"/")) {
			rows = append(rows, i)
		}
	}
	return rows
}

// checkMap fails unless every entry stands for rows of the layer it is
// drawn in, and every row but test support is drawn.
func checkMap(t *testing.T, doc string, entries []mapEntry) {
	t.Helper()
	if len(entries) < 10 {
		t.Fatalf("%s: found %d package map entries, want the whole map", doc, len(entries))
	}
	drawn := make([]bool, len(layers))
	for _, e := range entries {
		rows := rowsNamed(e.name)
		if len(rows) == 0 {
			t.Errorf("%s: %s is in no row of layers_test.go", doc, e.name)
		}
		for _, i := range rows {
			drawn[i] = true
			if layers[i].layer != e.layer && !layers[i].test {
				t.Errorf("%s draws %s in layer %d; layers_test.go has %s in layer %d", doc, e.name, e.layer, layers[i].path, layers[i].layer)
			}
		}
	}
	for i, r := range layers {
		if !drawn[i] && !r.test && r.path != "" {
			t.Errorf("%s: the package map does not show %s (layer %d)", doc, r.path, r.layer)
		}
	}
}

// TestPackageMaps holds README.md's package map and doc.go's to the layer
// table, so that the map a newcomer reads is the one the test enforces.
func TestPackageMaps(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| ([0-9]) \\| (`[^|]+`) \\|")
	name := regexp.MustCompile("`([^`]+)`")
	var fromREADME []mapEntry
	for line := range strings.SplitSeq(string(readme), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		layer, _ := strconv.Atoi(m[1])
		for _, n := range name.FindAllStringSubmatch(m[2], -1) {
			fromREADME = append(fromREADME, mapEntry{layer, n[1]})
		}
	}
	checkMap(t, "README.md", fromREADME)

	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	header := regexp.MustCompile(`^//\t([0-9]) [a-z]`)
	entry := regexp.MustCompile(`^//\t  ([a-z][a-z/.]*)\s`)
	var fromDoc []mapEntry
	layer := -1
	for line := range strings.SplitSeq(string(doc), "\n") {
		if m := header.FindStringSubmatch(line); m != nil {
			layer, _ = strconv.Atoi(m[1])
		} else if m := entry.FindStringSubmatch(line); m != nil && layer >= 0 {
			fromDoc = append(fromDoc, mapEntry{layer, m[1]})
		}
	}
	checkMap(t, "doc.go", fromDoc)
}
