//go:build reliability

package reliability

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// figureLine matches the t.Logf lines of a go test -v run.
var figureLine = regexp.MustCompile(`^\s+(\S+_test\.go):\d+: (.*)$`)

// goTest runs an acceptance test that already proves a scenario in its own
// package, rather than duplicating it here, and keeps its logged figures.
func goTest(t *testing.T, f *fig, env []string, args ...string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	ctx, cancel := context.WithTimeout(context.Background(), 110*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-count=1", "-v"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	f.Add("go test %s (%s)", strings.Join(args, " "), strings.Join(env, " "))
	for _, l := range strings.Split(string(out), "\n") {
		if m := figureLine.FindStringSubmatch(l); m != nil {
			f.Add("  %s", m[2])
		} else if strings.HasPrefix(strings.TrimSpace(l), "--- ") {
			f.Add("  %s", strings.TrimSpace(l))
		}
	}
	if err != nil {
		t.Errorf("go test %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// overload: middleware's overload acceptance test (tag overload): a
// service of known capacity offered 3× its capacity, with the default
// adaptive shedding and without it.
func overload(t *testing.T, _ profile, f *fig) {
	goTest(t, f, nil, "-tags", "overload", "-run", "^TestOverload$", "./middleware/")
}

// registry: instance loss (an instance stops heartbeating: how long until
// watchers drop it) and a registry that restarts empty (instances register
// again), on NATS KV and on a real etcd, from the discovery packages'
// acceptance and conformance tests.
func registry(t *testing.T, _ profile, f *fig) {
	args := []string{"-run", "^(TestAcceptanceInstanceLoss|TestConformanceRestartEmpty)$", "./discovery/natskv/"}
	if _, err := exec.LookPath("etcd"); err == nil {
		args = append(args, "./discovery/etcd/")
	} else {
		f.Add("etcd binary not found: the etcd half is skipped")
	}
	goTest(t, f, []string{"GANTRY_ACCEPTANCE=1", "GANTRY_TEST_FULL=1"}, args...)
}
