package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
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

// otherEnv are the non-GANTRY variables the deploy assets may set: the
// OpenTelemetry SDK's own (read by kit's tracer provider) and the shop's.
var otherEnv = map[string]bool{
	"OTEL_EXPORTER_OTLP_ENDPOINT": true,
	"OTEL_EXPORTER_OTLP_PROTOCOL": true,
	"OTEL_TRACES_SAMPLER":         true,
	"OTEL_TRACES_SAMPLER_ARG":     true,
	"SHOP_ADMIN_EMAIL":            true,
	"SHOP_ADMIN_PASSWORD":         true,
}

// checkEnvName reports a variable that no part of the system reads.
func checkEnvName(t *testing.T, where, name string, keys map[string]bool) {
	t.Helper()
	switch {
	case strings.HasPrefix(name, "GANTRY_"):
		if !keys[name] {
			t.Errorf("%s sets %s: got an unknown GANTRY_* key, want one of kit's (go doc ./kit)", where, name)
		}
	case !otherEnv[name]:
		t.Errorf("%s sets %s: got a variable nothing reads, want a GANTRY_*, OTEL_* or SHOP_* key the code uses", where, name)
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
