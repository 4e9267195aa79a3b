package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMESnippetsCompile keeps the tutorial honest: every Go snippet in
// README.md must appear, line for line, in main.go.
func TestREADMESnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go snippets")
	}
	for _, b := range blocks {
		if !strings.Contains(string(src), b[1]) {
			t.Errorf("README snippet not found in main.go:\n%s", b[1])
		}
	}
}
