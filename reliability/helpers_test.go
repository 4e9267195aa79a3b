//go:build reliability

package reliability

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
	"github.com/prometheus/client_golang/prometheus"
)

// instance is one upstream service instance on loopback whose behaviour a
// scenario changes while it runs: killed, restarted, slowed, failing.
type instance struct {
	t     *testing.T
	addr  string
	delay atomic.Int64 // nanoseconds added to every answer
	fail  atomic.Bool  // answer 503
	hits  atomic.Int64
	mu    sync.Mutex
	srv   *http.Server
}

func newInstance(t *testing.T) *instance {
	t.Helper()
	in := &instance{t: t}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.addr = ln.Addr().String()
	in.serve(ln)
	t.Cleanup(in.kill)
	return in
}

func (in *instance) url() string { return "http://" + in.addr }

func (in *instance) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		if d := time.Duration(in.delay.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if in.fail.Load() {
			http.Error(w, "failing on purpose", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"instance":"`+in.addr+`"}`)
	})
}

func (in *instance) serve(ln net.Listener) {
	srv := &http.Server{Handler: in.handler(), ReadHeaderTimeout: 5 * time.Second}
	in.mu.Lock()
	in.srv = srv
	in.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// kill closes the listener and every connection at once, like a crash.
func (in *instance) kill() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.srv != nil {
		_ = in.srv.Close()
		in.srv = nil
	}
}

// drain stops like a well-behaved instance: no new connections, in-flight
// requests finish.
func (in *instance) drain(ctx context.Context) {
	in.mu.Lock()
	srv := in.srv
	in.srv = nil
	in.mu.Unlock()
	if srv != nil {
		_ = srv.Shutdown(ctx)
	}
}

// restart serves again on the same address.
func (in *instance) restart() {
	in.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may take a moment to be free
		if ln, err = net.Listen("tcp", in.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		in.t.Fatal(err)
	}
	in.serve(ln)
}

// startGateway runs the gateway library with cfg on loopback and returns its
// base URL.
func startGateway(t *testing.T, yaml string, getenv func(string) string) string {
	t.Helper()
	if getenv != nil {
		return startGatewayWith(t, yaml, gateway.WithGetenv(getenv))
	}
	return startGatewayWith(t, yaml)
}

// startGatewayWith is startGateway with options.
func startGatewayWith(t *testing.T, yaml string, extra ...gateway.Option) string {
	t.Helper()
	cfg, err := gateway.ParseConfig([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]gateway.Option{gateway.WithRegisterer(prometheus.NewRegistry()),
		gateway.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, extra...)
	gw, err := gateway.New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// As the command serves it by default: net/http only (the fast lane is
	// opt-in, with server.fast_lane).
	var front net.Listener = ln
	var fp *gateway.FastPath
	if cfg.Server.FastLane {
		fp = gateway.NewFastPath(ln, func() *gateway.Gateway { return gw }, cfg.Server, nil)
		front = fp
	}
	srv := gateway.NewServer(gw, cfg.Server, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Serve(gateway.NewListener(front, srv.MaxHeaderBytes)) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if fp != nil {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // cut, not drained, like srv.Close
			_ = fp.Shutdown(ctx)
		}
		gw.Close()
	})
	return "http://" + ln.Addr().String()
}

// tally is what a load phase saw.
type tally struct {
	mu        sync.Mutex
	status    map[int]int // 0: transport error
	latencies []time.Duration
	slowest   time.Duration // of every call, failed ones included
	lastErr   string
}

func (t *tally) record(status int, d time.Duration, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.status[status]++
	t.slowest = max(t.slowest, d)
	if status == http.StatusOK || status == http.StatusCreated {
		t.latencies = append(t.latencies, d)
	}
	if err != nil {
		t.lastErr = err.Error()
	}
}

func (t *tally) total() int {
	n := 0
	for _, c := range t.status {
		n += c
	}
	return n
}

func (t *tally) ok() int { return t.status[http.StatusOK] + t.status[http.StatusCreated] }

func (t *tally) failed() int { return t.total() - t.ok() }

// pct is the q-th quantile (0-1) of the successful calls' latencies.
func (t *tally) pct(q float64) time.Duration {
	if len(t.latencies) == 0 {
		return 0
	}
	l := slices.Clone(t.latencies)
	slices.Sort(l)
	return l[min(len(l)-1, int(float64(len(l))*q))]
}

// load runs workers closed-loop callers of req for d and returns what they
// saw. newReq builds each request.
func load(ctx context.Context, workers int, d time.Duration, newReq func(ctx context.Context) *http.Request) *tally {
	c := client(workers)
	defer c.CloseIdleConnections()
	res := &tally{status: map[int]int{}}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				res.record(do(c, newReq(context.Background())))
			}
		})
	}
	wg.Wait()
	return res
}

// do sends req and reads the answer; status 0 means no answer.
func do(c *http.Client, req *http.Request) (int, time.Duration, error) {
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return resp.StatusCode, time.Since(start), fmt.Errorf("%s: %s", resp.Status, b)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, time.Since(start), nil
}

func client(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func get(url string) func(ctx context.Context) *http.Request {
	return func(ctx context.Context) *http.Request {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			panic(err)
		}
		return req
	}
}

var errTimeout = errors.New("timed out")

// waitFor polls cond every 10 ms for at most d.
func waitFor(d time.Duration, cond func() bool) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return errTimeout
}
