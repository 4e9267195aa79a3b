package kit

import (
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/gantrykit/gantry/kit/kittest"
)

func TestMain(m *testing.M) {
	// os/signal's loop goroutine lives for the rest of the process once a
	// test has used signal.Notify; it is the runtime's, not the App's.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("os/signal.loop"))
}

// testArgs bind the listeners on loopback port 0 with no drain delay.
var testArgs = kittest.Args()

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// newTestApp builds an App on loopback port 0 with no signals, no process
// environment and logs in logs (may be nil).
func newTestApp(t *testing.T, logs io.Writer, extra []string, opts ...Option) *App {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	base := []Option{WithArgs(append(append([]string(nil), testArgs...), extra...)), WithoutSignals(),
		WithLogOutput(logs), WithGetenv(env(nil)), WithVersion("v1.2.3")}
	a := New("test-svc", append(base, opts...)...)
	if err := a.Err(); err != nil {
		t.Fatalf("New: got error %v, want nil", err)
	}
	return a
}

// start runs a until the returned stop is called; stop returns Run's error.
func start(t *testing.T, a *App) (stop func() error) { t.Helper(); return kittest.Start(t, a) }

func get(t *testing.T, url string) (int, string) { t.Helper(); return kittest.Get(t, url) }
