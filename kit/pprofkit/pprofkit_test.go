package pprofkit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/kittest"
	"github.com/gantrykit/gantry/kit/pprofkit"
)

func newApp(t *testing.T, extra ...string) *kit.App {
	t.Helper()
	a := kit.New("test-svc", kit.WithArgs(kittest.Args(extra...)), kit.WithoutSignals(),
		kit.WithLogOutput(io.Discard), kit.WithGetenv(func(string) string { return "" }))
	if err := a.Err(); err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// A mounted App serves every profile on its admin port, as go tool pprof
// asks for them, and none on its service port or http.DefaultServeMux.
func TestMount(t *testing.T) {
	a := newApp(t)
	pprofkit.Mount(a)
	kittest.Start(t, a)
	base := "http://" + a.AdminAddr() + "/debug/pprof/"
	tests := []struct {
		path, want string
		code       int
	}{
		{"", "goroutine", 200},
		{"goroutine?debug=1", "goroutine profile:", 200},
		{"heap?gc=1", "", 200},
		{"profile?seconds=1", "", 200},
		{"trace?seconds=1", "", 200},
		{"cmdline", "", 200},
		{"nope", "unknown profile", 404},
	}
	// The CPU profile and the execution trace each record for their whole
	// second, on separate facilities: every row is asked for at once.
	var wg sync.WaitGroup
	for _, tt := range tests {
		wg.Go(func() {
			res, err := http.Get(base + tt.path)
			if err != nil {
				t.Errorf("GET %s: %v", tt.path, err)
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			if code, body := res.StatusCode, string(b); err != nil || code != tt.code || !strings.Contains(body, tt.want) || (tt.code == 200 && body == "") {
				t.Errorf("GET %s: got %d (%d bytes, %v), want %d containing %q", tt.path, code, len(body), err, tt.code, tt.want)
			}
		})
	}
	wg.Wait()
	if code, _ := kittest.Get(t, "http://"+a.HTTPAddr()+"/debug/pprof/"); code != 404 {
		t.Errorf("pprof on the service listener: got %d, want 404", code)
	}
	if _, p := http.DefaultServeMux.Handler(httptest.NewRequest("GET", "/debug/pprof/", nil)); p != "" {
		t.Errorf("got pprof on http.DefaultServeMux (%q), want nothing registered globally", p)
	}
}

// gantry.pprof=false turns a mounted handler off without a rebuild.
func TestMountOff(t *testing.T) {
	a := newApp(t, "-pprof=false")
	pprofkit.Mount(a)
	kittest.Start(t, a)
	if code, _ := kittest.Get(t, "http://"+a.AdminAddr()+"/debug/pprof/"); code != 404 {
		t.Errorf("got %d, want 404 with pprof off", code)
	}
	if code, _ := kittest.Get(t, "http://"+a.AdminAddr()+"/healthz"); code != 200 {
		t.Errorf("/healthz: got %d, want 200", code)
	}
}
