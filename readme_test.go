package gantry_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/exampletest"
)

// TestREADMEQuickstart keeps the README's code honest: it must be the code of
// examples/quickstart, which CI builds and vets, and the README must say so.
func TestREADMEQuickstart(t *testing.T) {
	const source = "examples/quickstart/main.go"
	exampletest.CheckSnippets(t, "README.md", source)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "[`examples/quickstart`]("+source+")") {
		t.Errorf("README.md's quickstart does not link %s, the file its snippet is checked against", source)
	}
}
