package gantry_test

import (
	"testing"

	"github.com/gantrykit/gantry/internal/exampletest"
)

// TestREADMEQuickstart keeps the README's code honest: it must be the code of
// examples/quickstart, which CI builds and vets.
func TestREADMEQuickstart(t *testing.T) {
	exampletest.CheckSnippets(t, "README.md", "examples/quickstart/main.go")
}
