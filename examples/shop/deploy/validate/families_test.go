package validate

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// family is one metric family: its name (a regexp, since some names are
// built from parts: "rpc_" + side + "_call_duration_seconds") and labels.
type family struct {
	name   *regexp.Regexp
	source string // file:line, or where an external metric comes from
	kind   string // Counter, Gauge, Histogram, Summary
	labels []string
}

// gantryFamilies reads every metric family the library registers, from the
// non-test Go sources of the root module: prometheus.New<Kind>Vec and
// New<Kind> calls whose Opts literal has a Name, and the label names given
// beside it. Nothing is listed by hand, so a renamed metric fails the
// dashboard and rule checks below.
func gantryFamilies(t *testing.T) []family {
	t.Helper()
	var fams []family
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Examples and templates are not the library (and hold other
			// modules, like this one).
			if n := d.Name(); path != repoRoot && (strings.HasPrefix(n, ".") || n == "testdata" || n == "examples" || n == "templates") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := goparser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil // commands and benchmark servers are not the library
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !strings.HasPrefix(sel.Sel.Name, "New") || len(call.Args) == 0 {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "prometheus" {
				return true
			}
			kind := strings.TrimSuffix(strings.TrimPrefix(sel.Sel.Name, "New"), "Vec")
			if !slices.Contains([]string{"Counter", "Gauge", "Histogram", "Summary"}, kind) {
				return true
			}
			lit, ok := call.Args[0].(*ast.CompositeLit)
			if !ok {
				return true
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Name" {
					continue
				}
				fam := family{name: nameRegexp(kv.Value), kind: kind, source: fset.Position(call.Pos()).String()}
				if len(call.Args) > 1 {
					fam.labels = stringList(call.Args[1])
				}
				if fam.name != nil {
					fams = append(fams, fam)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Guard against a scraper that silently finds nothing.
	for _, must := range []string{"rpc_server_call_duration_seconds", "breaker_state", "events_handled_total", "gateway_requests_total"} {
		if findFamily(fams, must) == nil {
			t.Fatalf("scraping the library found %d families but not %s; the scraper is broken or the metric was renamed", len(fams), must)
		}
	}
	return fams
}

// nameRegexp turns a Name expression into an anchored regexp: string
// literals match themselves, anything else (a field, a variable) matches
// one lower-case word.
func nameRegexp(e ast.Expr) *regexp.Regexp {
	var parts []string
	var walk func(ast.Expr) bool
	walk = func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			if err != nil {
				return false
			}
			parts = append(parts, regexp.QuoteMeta(s))
		case *ast.BinaryExpr:
			if e.Op != token.ADD {
				return false
			}
			return walk(e.X) && walk(e.Y)
		default:
			parts = append(parts, `[a-z]+`)
		}
		return true
	}
	if !walk(e) {
		return nil
	}
	return regexp.MustCompile("^" + strings.Join(parts, "") + "$")
}

func stringList(e ast.Expr) []string {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range lit.Elts {
		if b, ok := el.(*ast.BasicLit); ok {
			if s, err := strconv.Unquote(b.Value); err == nil {
				out = append(out, s)
			}
		}
	}
	return out
}

func findFamily(fams []family, name string) *family {
	for i := range fams {
		if fams[i].name.MatchString(name) {
			return &fams[i]
		}
	}
	return nil
}
