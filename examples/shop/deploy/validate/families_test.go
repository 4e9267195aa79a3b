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

// gantryFamilies reads every metric family the library and the shop
// register, from non-test, non-main Go sources: the root module (without
// examples/ and templates/, which hold other programs and modules, this one
// among them) and the shop's own packages (examples/shop/internal, order,
// product, user). Nothing is listed by hand, so a renamed metric fails the
// dashboard and rule checks below.
func gantryFamilies(t *testing.T) []family {
	t.Helper()
	fset := token.NewFileSet()
	fams, err := scrapeTree(fset, repoRoot, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range shopPackages {
		shop, err := scrapeTree(fset, filepath.Join(repoRoot, "examples", "shop", dir), false)
		if err != nil {
			t.Fatal(err)
		}
		fams = append(fams, shop...)
	}
	// Guard against a scraper that silently finds nothing.
	for _, must := range []string{"rpc_server_call_duration_seconds", "breaker_state", "events_handled_total", "gateway_requests_total",
		"shop_outbox_pending_rows", "shop_outbox_held_rows"} {
		if findFamily(fams, must) == nil {
			t.Fatalf("scraping the sources found %d families but not %s; the scraper is broken or the metric was renamed", len(fams), must)
		}
	}
	return fams
}

// shopPackages are the folders, under examples/shop, of the shop's packages
// that may register metrics of their own.
var shopPackages = []string{"internal", "order", "product", "user"}

// scrapeTree parses the non-test Go files under root, skipping hidden
// folders, testdata, test-support packages (*test) and, when library is
// set, examples and templates.
func scrapeTree(fset *token.FileSet, root string, library bool) ([]family, error) {
	var fams []family
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			// Test support (packages named like httptest) registers
			// metrics of tests, not of services.
			if path != root && (strings.HasPrefix(n, ".") || n == "testdata" || (n != "test" && strings.HasSuffix(n, "test")) ||
				(library && (n == "examples" || n == "templates"))) {
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
		fams = append(fams, fileFamilies(fset, f)...)
		return nil
	})
	return fams, err
}

// fileFamilies finds the families f declares: prometheus.New<Kind>,
// New<Kind>Vec and New<Kind>Func calls whose Opts literal has a Name (labels:
// the names given beside it and the ConstLabels keys), and
// prometheus.NewDesc calls of a Collector (labels: the variable and the
// constant ones; the kind is Counter for a name ending in _total, else
// Gauge, as NewDesc does not say).
func fileFamilies(fset *token.FileSet, f *ast.File) []family {
	var fams []family
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
		source := fset.Position(call.Pos()).String()
		if sel.Sel.Name == "NewDesc" {
			if len(call.Args) != 4 {
				return true
			}
			fam := family{name: nameRegexp(call.Args[0]), kind: "Gauge", source: source}
			if fam.name == nil {
				return true
			}
			if strings.HasSuffix(fam.name.String(), "_total$") {
				fam.kind = "Counter"
			}
			fam.labels = append(stringList(call.Args[2]), mapKeys(call.Args[3])...)
			fams = append(fams, fam)
			return true
		}
		kind := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(sel.Sel.Name, "New"), "Vec"), "Func")
		if !slices.Contains([]string{"Counter", "Gauge", "Histogram", "Summary"}, kind) {
			return true
		}
		lit, ok := call.Args[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		var fam family
		for _, el := range lit.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			switch k, _ := kv.Key.(*ast.Ident); {
			case k == nil:
			case k.Name == "Name":
				fam.name = nameRegexp(kv.Value)
			case k.Name == "ConstLabels":
				fam.labels = append(fam.labels, mapKeys(kv.Value)...)
			}
		}
		if fam.name == nil {
			return true
		}
		fam.kind, fam.source = kind, source
		if len(call.Args) > 1 && !strings.HasSuffix(sel.Sel.Name, "Func") {
			fam.labels = append(fam.labels, stringList(call.Args[1])...)
		}
		fams = append(fams, fam)
		return true
	})
	return fams
}

// mapKeys returns the string keys of a map literal (prometheus.Labels{...}).
func mapKeys(e ast.Expr) []string {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if b, ok := kv.Key.(*ast.BasicLit); ok {
				if s, err := strconv.Unquote(b.Value); err == nil {
					out = append(out, s)
				}
			}
		}
	}
	return out
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
