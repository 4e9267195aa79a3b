package main

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// service is the template: a compiling, tested service in this module.
//
//go:embed all:service
var service embed.FS

const (
	placeholderName   = "skeleton"
	placeholderModule = "github.com/gantrykit/gantry/templates/service"
	gantryModule      = "github.com/gantrykit/gantry"
	scaffoldMarker    = "Code scaffolded by gantry; safe to edit."
)

// parts maps template paths (a file, or a directory ending in /) to the
// part that brings them; other paths are in every service.
var parts = []struct{ prefix, part string }{
	{"api/", "grpc"},
	{"internal/api/grpc.go", "grpc"},
	{"internal/api/grpc_test.go", "grpc"},
	{"internal/itemevents/", "events"},
	{"internal/store/sqlite", "sqlite"},
	{"internal/store/postgres", "postgres"},
	{"internal/store/", "store"},
}

// file is one rendered file, its path relative to the new module's root.
type file struct {
	path string
	data []byte
	mode fs.FileMode
}

// selected reports whether the parts o asks for include part; "!part"
// is the opposite.
func (o options) selected(part string) bool {
	if p, ok := strings.CutPrefix(part, "!"); ok {
		return !o.selected(p)
	}
	switch part {
	case "grpc":
		return o.GRPC
	case "events":
		return o.Events
	case "store":
		return o.Store != "none"
	case "sqlite", "postgres":
		return o.Store == part
	}
	return false
}

// render produces every file of the new service in memory.
func render(o options) ([]file, error) {
	r := strings.NewReplacer(placeholderModule, o.Module, placeholderName, o.Name, strings.ToUpper(placeholderName), envName(o.Name))
	var files []file
	err := fs.WalkDir(service, "service", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, "service/")
		if !included(o, rel) {
			return nil
		}
		src, err := service.ReadFile(p)
		if err != nil {
			return err
		}
		out, err := renderFile(o, r, rel, src)
		if err != nil {
			return fmt.Errorf("template %s: %w", rel, err)
		}
		mode := fs.FileMode(0o644)
		files = append(files, file{path: r.Replace(rel), data: out, mode: mode})
		return nil
	})
	if err != nil {
		return nil, err
	}
	mod, sum, err := goMod(o)
	if err != nil {
		return nil, err
	}
	files = append(files, file{path: "go.mod", data: mod, mode: 0o644})
	if sum != nil {
		files = append(files, file{path: "go.sum", data: sum, mode: 0o644})
	}
	return files, nil
}

func included(o options, rel string) bool {
	if strings.HasSuffix(rel, ".db") || strings.HasSuffix(rel, ".db-wal") || strings.HasSuffix(rel, ".db-shm") {
		return false // left behind by running the template in place
	}
	for _, p := range parts {
		if strings.HasPrefix(rel, p.prefix) {
			return o.selected(p.part)
		}
	}
	return true
}

// renderFile keeps the lines of the selected parts, renames, formats Go
// and adds the scaffold marker.
func renderFile(o options, r *strings.Replacer, rel string, src []byte) ([]byte, error) {
	kept, err := keepLines(o, src)
	if err != nil {
		return nil, err
	}
	out := []byte(r.Replace(string(kept)))
	if strings.HasSuffix(rel, ".pb.go") {
		return out, nil // protoc's output: regenerate, do not edit
	}
	if strings.HasSuffix(rel, ".go") {
		if out, err = format.Source(out); err != nil {
			return nil, err
		}
	}
	return append([]byte(commentFor(rel)+"\n"+blankAfterMarker(rel)), out...), nil
}

func commentFor(rel string) string {
	switch ext := path.Ext(rel); ext {
	case ".go", ".proto", ".mod":
		return "// " + scaffoldMarker
	case ".sql":
		return "-- " + scaffoldMarker
	case ".md":
		return "<!-- " + scaffoldMarker + " -->"
	}
	return "# " + scaffoldMarker
}

// blankAfterMarker keeps the marker out of a Go package's doc comment.
func blankAfterMarker(rel string) string {
	if path.Ext(rel) == ".go" || path.Ext(rel) == ".proto" {
		return "\n"
	}
	return ""
}

var (
	lineMarker  = regexp.MustCompile(`\s*(?://|#|--|<!--)\s*gantry:if (!?\w+)\s*(?:-->)?\s*$`)
	blockEnd    = regexp.MustCompile(`^\s*(?://|#|--|<!--)\s*gantry:end\s*(?:-->)?\s*$`)
	knownParts  = map[string]bool{"grpc": true, "events": true, "store": true, "sqlite": true, "postgres": true}
	lineIsBlank = regexp.MustCompile(`^\s*$`)
)

// keepLines applies the gantry:if markers: a line ending in one is kept
// (without the marker) when its part is selected; a marker alone on a line
// opens a block, up to gantry:end, kept or dropped as a whole.
func keepLines(o options, src []byte) ([]byte, error) {
	var out bytes.Buffer
	block := "" // the open block's part
	for i, line := range strings.SplitAfter(string(src), "\n") {
		body := strings.TrimRight(line, "\n")
		if blockEnd.MatchString(body) {
			if block == "" {
				return nil, fmt.Errorf("line %d: gantry:end without gantry:if", i+1)
			}
			block = ""
			continue
		}
		m := lineMarker.FindStringSubmatchIndex(body)
		if m != nil {
			part := body[m[2]:m[3]]
			if !knownParts[strings.TrimPrefix(part, "!")] {
				return nil, fmt.Errorf("line %d: unknown part %q", i+1, part)
			}
			before := body[:m[0]]
			if lineIsBlank.MatchString(before) {
				if block != "" {
					return nil, fmt.Errorf("line %d: gantry:if inside a gantry:if block", i+1)
				}
				block = part
				continue
			}
			if (block == "" || o.selected(block)) && o.selected(part) {
				out.WriteString(before + "\n")
			}
			continue
		}
		if block == "" || o.selected(block) {
			out.WriteString(line)
		}
	}
	if block != "" {
		return nil, fmt.Errorf("gantry:if %s block not closed", block)
	}
	return out.Bytes(), nil
}

// envName is a service name as an environment prefix: order-api → ORDER_API.
func envName(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}
