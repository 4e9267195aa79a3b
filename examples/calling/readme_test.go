package main

import (
	"testing"

	"github.com/gantrykit/gantry/internal/exampletest"
)

func TestREADMESnippetsCompile(t *testing.T) {
	exampletest.CheckSnippets(t, "README.md", "main.go", "../shop/order/internal/productclient/productclient.go")
}
