package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// goDirective is the new module's go line: Gantry's own minimum.
const goDirective = "1.25.0"

// goMod writes the new module's go.mod, and its go.sum when it can.
//
// With a checkout (-replace) the module requires Gantry through a replace
// directive and copies the checkout's requirements and go.sum, so that it
// builds at once from the module cache, with no network; go mod tidy later
// trims what the service does not use. Without one it requires the Gantry
// release this command was run from, and go mod tidy fills in the rest.
func goMod(o options) (mod, sum []byte, err error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// %s\n\nmodule %s\n\ngo %s\n\n", scaffoldMarker, o.Module, goDirective)
	if o.Replace == "" {
		fmt.Fprintf(&b, "require %s %s\n", gantryModule, gantryVersion())
		return b.Bytes(), nil, nil
	}
	src, err := os.ReadFile(filepath.Join(o.Replace, "go.mod"))
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(&b, "require %s v0.0.0-00010101000000-000000000000\n\n", gantryModule)
	if reqs := requirements(src); len(reqs) > 0 {
		b.WriteString("require (\n")
		for _, r := range reqs {
			fmt.Fprintf(&b, "\t%s // indirect\n", r)
		}
		b.WriteString(")\n\n")
	}
	fmt.Fprintf(&b, "replace %s => %s\n", gantryModule, o.Replace)
	sum, err = os.ReadFile(filepath.Join(o.Replace, "go.sum"))
	if err != nil {
		return nil, nil, err
	}
	return b.Bytes(), sum, nil
}

// requirements returns the "path version" pairs of a go.mod's require
// lines, single or in blocks.
func requirements(mod []byte) []string {
	var out []string
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(mod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "require (":
			inBlock = true
		case inBlock && line == ")":
			inBlock = false
		case inBlock && line != "":
			out = append(out, strings.Join(strings.Fields(line), " "))
		case strings.HasPrefix(line, "require "):
			out = append(out, strings.Join(strings.Fields(strings.TrimPrefix(line, "require ")), " "))
		}
	}
	return out
}

// modulePath returns the module path a go.mod declares.
func modulePath(mod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(mod))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// findCheckout returns the Gantry checkout around the working directory
// when this command runs in one (go run ./templates), or "". A checkout
// wins over the version this command was built from, which in a checkout
// may be a local build's.
func findCheckout() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modulePath(mod) == gantryModule {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// gantryVersion returns the released Gantry version this command was built
// from (go run github.com/gantrykit/gantry/templates@v1.2.3), or "" when it
// was built from a checkout.
func gantryVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path != gantryModule || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return ""
	}
	return bi.Main.Version
}
