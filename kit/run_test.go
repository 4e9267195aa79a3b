package kit

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gantrykit/gantry/internal/logcheck"
)

// TestDrain follows a shutdown with a request in flight: the drain hook
// runs while /readyz still answers 200, then /readyz turns 503 while
// /healthz stays 200, the request completes with 200, and Run returns nil.
func TestDrain(t *testing.T) {
	a := newTestApp(t, nil, []string{"-drain-delay=20ms"})
	drainScenario(t, a, start(t, a))
}

// TestSignalDrain is TestDrain ended by SIGTERM sent to this process: Run
// installs the handler, so the process survives and Run returns nil.
func TestSignalDrain(t *testing.T) {
	a := New("sig", WithArgs(testArgs), WithGetenv(env(nil)), WithLogOutput(&logcheck.Buffer{}))
	errc := make(chan error, 1)
	go func() { errc <- a.Run(context.Background()) }()
	select {
	case <-a.Started():
	case err := <-errc:
		t.Fatalf("Run: got %v before starting", err)
	}
	drainScenario(t, a, func() error {
		if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		return <-errc
	})
}

func drainScenario(t *testing.T, a *App, stop func() error) {
	t.Helper()
	entered, release := make(chan struct{}), make(chan struct{})
	a.HTTP().HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.Write([]byte("done"))
	})
	admin := "http://" + a.AdminAddr()
	if code, body := get(t, admin+"/readyz"); code != 200 {
		t.Fatalf("readyz before shutdown: got %d %s, want 200", code, body)
	}

	type result struct {
		code int
		body string
	}
	inflight := make(chan result, 1)
	go func() {
		code, body := get(t, "http://"+a.HTTPAddr()+"/slow")
		inflight <- result{code, body}
	}()
	<-entered
	runErr := make(chan error, 1)
	go func() { runErr <- stop() }()

	for {
		code, body := get(t, admin+"/readyz")
		if code == http.StatusServiceUnavailable {
			if !strings.Contains(body, `"status":"draining"`) {
				t.Errorf("readyz while draining: got %s, want status draining", body)
			}
			break
		}
	}
	if code, _ := get(t, admin+"/healthz"); code != 200 {
		t.Errorf("healthz while draining: got %d, want 200", code)
	}
	close(release)
	if r := <-inflight; r.code != 200 || r.body != "done" {
		t.Errorf("in-flight request: got %d %q, want 200 \"done\"", r.code, r.body)
	}
	if err := <-runErr; err != nil {
		t.Errorf("Run: got %v, want nil", err)
	}
}

func TestShutdownTimeout(t *testing.T) {
	a := newTestApp(t, nil, []string{"-shutdown-timeout=50ms"})
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	a.HTTP().HandleFunc("GET /stuck", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	})
	stop := start(t, a)
	go func() {
		if resp, err := http.Get("http://" + a.HTTPAddr() + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	err := stop()
	if !errors.Is(err, ErrShutdownTimeout) {
		t.Errorf("Run: got %v, want ErrShutdownTimeout", err)
	}
}

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) fn(e string, err error) func(context.Context) error {
	return func(context.Context) error { r.add(e); return err }
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func TestHookOrder(t *testing.T) {
	a := newTestApp(t, nil, nil)
	var rec recorder
	a.AddHook(Hook{Name: "db", Start: rec.fn("start db", nil), Stop: rec.fn("stop db", nil)})
	a.OnStop("flush", rec.fn("stop flush", nil))
	a.AddHook(Hook{Name: "nats", Start: rec.fn("start nats", nil), Stop: rec.fn("stop nats", nil)})
	a.OnDrain("deregister", rec.fn("drain", nil))
	ready := make(chan struct{})
	a.OnReady("register", func(context.Context) error { rec.add("ready"); close(ready); return nil })
	a.Go("consumer", func(ctx context.Context) error {
		<-ctx.Done()
		rec.add("task end")
		return nil
	})
	stop := start(t, a)
	<-ready
	if err := stop(); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	want := []string{"start db", "start nats", "ready", "drain", "task end", "stop nats", "stop flush", "stop db"}
	if got := rec.got(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("OnStart after Run: got no panic, want one")
		}
	}()
	a.OnStart("late", nil)
}

func TestStartFailure(t *testing.T) {
	a := newTestApp(t, nil, nil)
	var rec recorder
	a.AddHook(Hook{Name: "a", Start: rec.fn("start a", nil), Stop: rec.fn("stop a", nil)})
	a.AddHook(Hook{Name: "b", Start: rec.fn("start b", errors.New("no broker")), Stop: rec.fn("stop b", nil)})
	a.AddHook(Hook{Name: "c", Start: rec.fn("start c", nil), Stop: rec.fn("stop c", nil)})
	err := a.Run(context.Background())
	if err == nil || err.Error() != "kit: start b: no broker" {
		t.Errorf("Run: got %v, want kit: start b: no broker", err)
	}
	if got, want := rec.got(), []string{"start a", "start b", "stop a"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if err := a.Run(context.Background()); err == nil {
		t.Errorf("second Run: got nil, want an error")
	}
}

func TestTaskFailureStops(t *testing.T) {
	a := newTestApp(t, nil, nil)
	boom := errors.New("boom")
	a.Go("worker", func(ctx context.Context) error { return boom })
	err := a.Run(context.Background())
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "kit: task worker: boom") {
		t.Errorf("Run: got %v, want the task's error", err)
	}
}

func TestReadyHookFailureStops(t *testing.T) {
	a := newTestApp(t, nil, nil)
	a.OnReady("register", func(context.Context) error { return errors.New("registry down") })
	err := a.Run(context.Background())
	if err == nil || err.Error() != "kit: ready register: registry down" {
		t.Errorf("Run: got %v, want kit: ready register: registry down", err)
	}
}

func TestBindFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a := newTestApp(t, nil, []string{"-http-addr=" + ln.Addr().String()})
	err = a.Run(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "kit: service listener: ") {
		t.Errorf("Run: got %v, want a service listener error", err)
	}
}

func TestDrainHookSeesReady(t *testing.T) {
	a := newTestApp(t, nil, nil)
	var saw int
	a.OnDrain("probe", func(ctx context.Context) error {
		saw, _ = get(t, "http://"+a.AdminAddr()+"/readyz")
		return nil
	})
	stop := start(t, a)
	if err := stop(); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if saw != 200 {
		t.Errorf("readyz seen by the drain hook: got %d, want 200 (drain hooks run before readiness turns)", saw)
	}
}

func TestDrainAndStopErrorsReturned(t *testing.T) {
	a := newTestApp(t, nil, nil)
	var rec recorder
	a.OnDrain("deregister", rec.fn("drain", errors.New("registry gone")))
	a.AddHook(Hook{Name: "db", Stop: rec.fn("stop db", errors.New("close failed"))})
	a.OnStop("cache", rec.fn("stop cache", nil))
	err := start(t, a)()
	for _, want := range []string{"kit: drain deregister: registry gone", "kit: stop db: close failed"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run: got %v, want it to contain %q", err, want)
		}
	}
	if got, want := rec.got(), []string{"drain", "stop cache", "stop db"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (a failing hook does not stop the rest)", got, want)
	}
}
