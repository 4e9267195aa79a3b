package validate

import (
	"bytes"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// services are the shop's four processes: the Dockerfile's SERVICE values,
// the Compose services built from it and the Kubernetes Deployments.
var services = []string{"gateway", "order", "product", "user"}

// Paths relative to this package's directory.
const (
	deployDir = ".."
	repoRoot  = "../../../.."
)

func readFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var gantryKeyRe = regexp.MustCompile(`\bGANTRY_[A-Z0-9_]*[A-Z0-9]\b`)

// gantryKeys returns every GANTRY_* environment variable the kit runtime
// documents and reads: the names found in package kit's non-test sources.
func gantryKeys(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "kit", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		for _, k := range gantryKeyRe.FindAll(readFile(t, filepath.ToSlash(f)), -1) {
			keys[string(k)] = true
		}
	}
	// The table in kit's package doc is the contract; if it disappears the
	// check below would pass vacuously.
	for _, must := range []string{"GANTRY_HTTP_ADDR", "GANTRY_ADMIN_ADDR", "GANTRY_DRAIN_DELAY", "GANTRY_SHUTDOWN_TIMEOUT", "GANTRY_NATS_URL"} {
		if !keys[must] {
			t.Fatalf("kit sources do not mention %s: got %d GANTRY_* names, want it among them", must, len(keys))
		}
	}
	return keys
}

// otelEnv are the OpenTelemetry SDK's own variables, read by kit's tracer
// provider.
var otelEnv = map[string]bool{
	"OTEL_EXPORTER_OTLP_ENDPOINT": true,
	"OTEL_EXPORTER_OTLP_PROTOCOL": true,
	"OTEL_TRACES_SAMPLER":         true,
	"OTEL_TRACES_SAMPLER_ARG":     true,
}

var shopEnvRe = regexp.MustCompile(`"(SHOP_[A-Z0-9_]*[A-Z0-9])"`)

// shopEnv returns the variables the shop's code reads: SHOP_* names it
// passes to getenv, and per service the keys of its Config struct, which
// kit reads as <SERVICE>_<YAML KEY> ("order" + jwks_url → ORDER_JWKS_URL).
func shopEnv(t *testing.T) (shared map[string]bool, perService map[string]map[string]bool) {
	t.Helper()
	shared, perService = map[string]bool{}, map[string]map[string]bool{}
	shop := filepath.Join(repoRoot, "examples", "shop")
	var files []string
	for _, dir := range append([]string{"", "internal/*"}, services...) {
		fs, err := filepath.Glob(filepath.Join(shop, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		for _, m := range shopEnvRe.FindAllSubmatch(readFile(t, filepath.ToSlash(f)), -1) {
			shared[string(m[1])] = true
		}
	}
	for _, svc := range services {
		keys := map[string]bool{}
		for _, tag := range configYAMLKeys(t, filepath.Join(shop, svc)) {
			keys[strings.ToUpper(svc)+"_"+strings.ToUpper(tag)] = true
		}
		if len(keys) == 0 {
			t.Fatalf("examples/shop/%s: got no Config struct with yaml tags, want the service's config", svc)
		}
		perService[svc] = keys
	}
	return shared, perService
}

// configYAMLKeys returns the yaml tags of the fields of the type named
// Config in the package in dir. A Config that aliases another package's
// type (type Config = shopkit.Config) is read where that type is declared.
func configYAMLKeys(t *testing.T, dir string) []string {
	return structYAMLKeys(t, dir, "Config")
}

// structYAMLKeys returns the yaml tags of the fields of the struct type
// name in the package in dir, following an alias to a type of this module.
func structYAMLKeys(t *testing.T, dir, name string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var keys []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := goparser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || ts.Name.Name != name {
				return true
			}
			if sel, ok := ts.Type.(*ast.SelectorExpr); ok && ts.Assign.IsValid() {
				keys = append(keys, structYAMLKeys(t, importDir(t, af, sel), sel.Sel.Name)...)
				return false
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return false
			}
			for _, fl := range st.Fields.List {
				if fl.Tag == nil {
					continue
				}
				tag, _ := strconv.Unquote(fl.Tag.Value)
				if k, _, _ := strings.Cut(reflect.StructTag(tag).Get("yaml"), ","); k != "" && k != "-" {
					keys = append(keys, k)
				}
			}
			return false
		})
	}
	return keys
}

// importDir returns the folder, in this repository, of the package sel's
// qualifier names in file af.
func importDir(t *testing.T, af *ast.File, sel *ast.SelectorExpr) string {
	t.Helper()
	const module = "github.com/gantrykit/gantry/"
	pkg, _ := sel.X.(*ast.Ident)
	for _, imp := range af.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := filepath.Base(path)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		if pkg != nil && name == pkg.Name && strings.HasPrefix(path, module) {
			return filepath.Join(repoRoot, filepath.FromSlash(strings.TrimPrefix(path, module)))
		}
	}
	t.Fatalf("%s: the alias's package is not one of this module's imports", af.Name.Name)
	return ""
}

// envChecker knows every variable some part of the system reads.
type envChecker struct {
	gantry     map[string]bool
	shop       map[string]bool
	perService map[string]map[string]bool
}

func newEnvChecker(t *testing.T) *envChecker {
	t.Helper()
	shared, per := shopEnv(t)
	return &envChecker{gantry: gantryKeys(t), shop: shared, perService: per}
}

// check reports a variable set for service svc ("" when shared by all)
// that nothing reads.
func (c *envChecker) check(t *testing.T, where, svc, name string) {
	t.Helper()
	switch {
	case strings.HasPrefix(name, "GANTRY_"):
		if !c.gantry[name] {
			t.Errorf("%s sets %s: got an unknown GANTRY_* key, want one of kit's (go doc ./kit)", where, name)
		}
	case strings.HasPrefix(name, "OTEL_"):
		if !otelEnv[name] {
			t.Errorf("%s sets %s: got an OTEL_* variable this list does not know, want one of %v", where, name, sortedKeys(otelEnv))
		}
	case strings.HasPrefix(name, "SHOP_"):
		if !c.shop[name] {
			t.Errorf("%s sets %s: got a SHOP_* variable the shop's code never reads", where, name)
		}
	case svc != "" && c.perService[svc][name]:
	default:
		t.Errorf("%s sets %s: got a variable nothing reads, want a GANTRY_*, OTEL_* or SHOP_* key or one of %s's config keys %v", where, name, svc, sortedKeys(c.perService[svc]))
	}
}

// durationEnv parses a duration-valued variable such as GANTRY_DRAIN_DELAY.
func durationEnv(t *testing.T, env map[string]string, key string) time.Duration {
	t.Helper()
	v, ok := env[key]
	if !ok {
		t.Fatalf("%s: got no value, want it set explicitly so the shutdown arithmetic can be checked", key)
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", key, v, err)
	}
	return d
}

// portOf returns the port of a listen address like ":9090".
func portOf(t *testing.T, addr string) string {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	if i < 0 || i == len(addr)-1 {
		t.Fatalf("listen address %q: got no port", addr)
	}
	return addr[i+1:]
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func equalSets(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	return slices.Equal(g, w)
}

// splitYAML splits a multi-document YAML file on "---" lines.
func splitYAML(b []byte) [][]byte {
	var docs [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if len(bytes.TrimSpace(stripComments([]byte(d)))) > 0 {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

func stripComments(b []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] == '#' {
			continue
		}
		out = append(out, line...)
		out = append(out, '\n')
	}
	return out
}
