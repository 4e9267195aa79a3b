package gantry_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

// The layers of the module, from the base vocabulary up (DESIGN.md's layer
// table; doc.go and README.md draw the same map). A package belongs to the
// row with the longest path that contains it. An import may point down a
// layer, stay inside its own row, or reach a row of its own layer named in
// may: anything else points up or across, and fails TestLayers. Tests may
// also take a peer of their layer (they use it as a user would), never a
// layer above; test support is imported by tests only.
var layers = []struct {
	layer int
	path  string   // the row: this package and those under it, "" the module's doc
	may   []string // rows of the same layer this row may import
	test  bool     // support for tests: imported by _test.go files only
	lean  bool     // links no NATS, gRPC or etcd code (pay for what you use)
}{
	// 0 base vocabulary: knows no other part of the module.
	{0, "endpoint", nil, false, true},
	{0, "errs", nil, false, true},
	{0, "retrybudget", nil, false, true},
	{0, "telemetry", nil, false, true},
	{0, "telemetry/promreg/promregtest", []string{"telemetry"}, true, true},
	{0, "liveconfig", nil, false, true},
	{0, "liveconfig/liveconfigtest", []string{"liveconfig"}, true, true},
	{0, "internal", nil, true, false},
	{0, "internal/otlptest", nil, true, false},
	{1, "internal/contract", nil, true, true},

	// 1 transports and middleware: one concern each; none knows another,
	// but the middleware package composes the default chains.
	{1, "transport/http", nil, false, true},
	{1, "transport/grpc", nil, false, false},
	{1, "transport/nats", nil, false, false},
	{1, "middleware", []string{
		"middleware/auth", "middleware/breaker", "middleware/logging",
		"middleware/metrics", "middleware/ratelimit", "middleware/recovery",
		"middleware/retry", "middleware/shed", "middleware/timeout", "middleware/tracing",
	}, false, true},
	{1, "middleware/auth", nil, false, true},
	{1, "middleware/breaker", nil, false, true},
	{1, "middleware/logging", nil, false, true},
	{1, "middleware/metrics", nil, false, true},
	{1, "middleware/ratelimit", nil, false, true},
	{1, "middleware/recovery", nil, false, true},
	{1, "middleware/retry", nil, false, true},
	{1, "middleware/shed", nil, false, true},
	{1, "middleware/timeout", nil, false, true},
	{1, "middleware/tracing", nil, false, true},

	// 2 discovery and events: every backend and the balancers know only
	// discovery's vocabulary; discovery and events do not know each other.
	{2, "discovery", nil, false, true},
	{2, "discovery/discoverytest", []string{"discovery"}, true, true},
	{2, "discovery/lb", []string{"discovery"}, false, true},
	{2, "discovery/mtls", []string{"discovery"}, false, true},
	{2, "discovery/static", []string{"discovery"}, false, true},
	{2, "discovery/dns", []string{"discovery"}, false, true},
	{2, "discovery/natskv", []string{"discovery"}, false, false},
	{2, "discovery/etcd", []string{"discovery"}, false, false},
	{2, "events", nil, false, false},

	// 3 clients over discovery.
	{3, "client", nil, false, true},
	{3, "client/grpcclient", nil, false, false},

	// 4 the runtime; gRPC, NATS and profiles wire in through packages a
	// service imports when it uses them, and those do not know each other.
	{4, "kit", nil, false, true},
	{4, "kit/kittest", nil, true, true},
	{4, "kit/grpckit", []string{"kit"}, false, false},
	{4, "kit/natskit", []string{"kit"}, false, false},
	{4, "kit/pprofkit", []string{"kit"}, false, true},

	// 5 the gateway (its command wires it to the runtime).
	{5, "gateway", nil, false, true},
	{5, "gateway/cmd/gateway", []string{"gateway"}, false, false},

	// 6 programs: the module's doc, each tutorial step, the shop, the
	// template, the reliability suite. Nothing imports them but the
	// reliability suite, which proves them. The shop's services know one
	// another's published contract only.
	{6, "", nil, false, true},
	{6, "examples/hello", nil, false, true},
	{6, "examples/quickstart", nil, false, true},
	{6, "examples/middleware", nil, false, true},
	{6, "examples/calling", nil, false, true},
	{6, "examples/grpc", nil, false, false},
	{6, "examples/events", nil, false, false},
	{6, "examples/shop", []string{
		"examples/shop/internal", "examples/shop/gateway",
		"examples/shop/user", "examples/shop/product", "examples/shop/order",
	}, false, false},
	{6, "examples/shop/internal", nil, false, false},
	{6, "examples/shop/gateway", []string{"examples/shop/internal"}, false, false},
	{6, "examples/shop/user", []string{"examples/shop/internal"}, false, false},
	{6, "examples/shop/product", []string{"examples/shop/internal", "examples/shop/product/productpb"}, false, false},
	{6, "examples/shop/product/productpb", nil, false, false},
	{6, "examples/shop/order", []string{"examples/shop/internal", "examples/shop/product/productpb"}, false, false},
	{6, "templates", nil, false, false},
	{6, "reliability", []string{"examples/grpc"}, false, false},
}

const module = "github.com/gantrykit/gantry"

// listed is what `go list -json` says of one package.
type listed struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
	Deps                               []string
}

// listModule runs go list over every package of the module, build-tagged
// files included, as a user's own tool would see them. It asks for the
// fields it reads only, which spares go list the rest of its work.
func listModule(t *testing.T) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports,Deps",
		"-tags", "reliability,overload,wrkbench", "./...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 50 {
		t.Fatalf("go list found %d packages, want the whole module", len(pkgs))
	}
	return pkgs
}

// rowOf returns the index in layers of the row that holds pkg (a path
// relative to the module), or -1 when no row does.
func rowOf(pkg string) int {
	best, bestLen := -1, -1
	for i, r := range layers {
		inside := pkg == r.path || (r.path != "" && strings.HasPrefix(pkg, r.path+"/"))
		if inside && len(r.path) > bestLen {
			best, bestLen = i, len(r.path)
		}
	}
	return best
}

func local(importPath string) (string, bool) {
	if importPath == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(importPath, module+"/")
	return rel, ok
}

// importProblem says what is wrong with an import from row a to row b, or ""
// when the import follows the layers.
// fromTest is true for a _test.go file and for test support; toSupport when
// the imported package is test support.
func importProblem(a, b int, fromTest, toSupport bool) string {
	ra, rb := layers[a], layers[b]
	switch {
	case toSupport && !fromTest:
		return "imports test support from non-test code"
	case a == b:
		return ""
	case rb.layer > ra.layer:
		return fmt.Sprintf("points up, from layer %d to layer %d", ra.layer, rb.layer)
	case rb.layer < ra.layer:
		return ""
	case fromTest || slices.Contains(ra.may, rb.path):
		return "" // a test is a user of its layer: it may take a peer
	default:
		return fmt.Sprintf("reaches across layer %d to a peer its row does not name", ra.layer)
	}
}

// TestLayers holds the module's import graph to the layer table: every
// package in a row, every import down a layer or to a named peer, and the
// rows marked lean free of NATS, gRPC and etcd.
func TestLayers(t *testing.T) {
	used := make([]bool, len(layers))
	for _, p := range listModule(t) {
		from, ok := local(p.ImportPath)
		if !ok {
			continue
		}
		a := rowOf(from)
		if a < 0 {
			t.Errorf("%s is in no row of the layer table: place it in layers_test.go, DESIGN.md, doc.go and README.md", p.ImportPath)
			continue
		}
		used[a] = true
		check := func(imports []string, fromTest bool) {
			for _, imp := range imports {
				to, ok := local(imp)
				if !ok || to == from {
					continue
				}
				b := rowOf(to)
				if b < 0 {
					continue // reported for its own package
				}
				if why := importProblem(a, b, fromTest || support(from), support(to)); why != "" {
					t.Errorf("%s imports %s: %s (%q → %q)", p.ImportPath, imp, why, layers[a].path, layers[b].path)
				}
			}
		}
		check(p.Imports, false)
		check(p.TestImports, true)
		check(p.XTestImports, true)
		if layers[a].lean {
			for _, d := range p.Deps {
				if heavy(d) {
					t.Errorf("%s links %s: its row %q is marked lean (no NATS, gRPC or etcd)", p.ImportPath, d, layers[a].path)
					break
				}
			}
		}
	}
	for i, u := range used {
		if !u {
			t.Errorf("row %q of the layer table holds no package", layers[i].path)
		}
	}
}

// support reports whether pkg is test support: in a row marked test, or
// named like net/http/httptest, after what it helps test.
func support(pkg string) bool {
	i := rowOf(pkg)
	return (i >= 0 && layers[i].test) || strings.HasSuffix(path.Base(pkg), "test")
}

func heavy(importPath string) bool {
	for _, prefix := range []string{"github.com/nats-io/", "google.golang.org/grpc", "go.etcd.io/etcd/"} {
		if strings.HasPrefix(importPath, prefix) {
			return true
		}
	}
	return false
}

// TestLayerRules proves the rules fail where they should: an import up a
// layer, across peers, into test support from code, and down.
func TestLayerRules(t *testing.T) {
	row := func(path string) int {
		i := rowOf(path)
		if i < 0 {
			t.Fatalf("no row holds %s", path)
		}
		return i
	}
	cases := []struct {
		from, to string
		test     bool
		ok       bool
	}{
		{"middleware/retry", "retrybudget", false, true},                // down
		{"kit", "transport/http", false, true},                          // down
		{"middleware", "middleware/breaker", false, true},               // a named peer
		{"discovery/natskv", "discovery", false, true},                  // a named peer
		{"gateway/internal/lane", "gateway/internal/edge", false, true}, // one row
		{"discovery/static", "discovery/discoverytest", true, true},     // test support from a test
		{"discovery/lb", "discovery/static", true, true},                // a peer, from a test
		{"transport/http", "kit/kittest", true, false},                  // up, even from a test
		{"errs", "endpoint", false, false},                              // across layer 0
		{"transport/http", "kit", false, false},                         // up
		{"transport/http", "transport/grpc", false, false},              // across transports
		{"middleware/breaker", "middleware/retry", false, false},        // across middleware
		{"events", "discovery", false, false},                           // across layer 2
		{"kit", "kit/natskit", false, false},                            // the runtime pays for NATS
		{"kit", "kit/pprofkit", false, false},                           // the runtime pays for profiles
		{"kit/grpckit", "kit/natskit", false, false},                    // across wiring
		{"examples/shop/order", "examples/shop/product", false, false},  // a service's internals
		{"examples/hello", "examples/shop", false, false},               // across programs
		{"kit", "kit/kittest", false, false},                            // test support from code
		{"discovery/lb", "internal/natscluster", false, false},          // test support from code
	}
	for _, c := range cases {
		why := importProblem(row(c.from), row(c.to), c.test || support(c.from), support(c.to))
		if (why == "") != c.ok {
			t.Errorf("%s → %s (test %v): got %q, want allowed=%v", c.from, c.to, c.test, why, c.ok)
		}
	}
}
