//go:build overload

package middleware_test

// The overload acceptance test of issue 3. It takes about 20 seconds and
// most of two cores, so it only builds with the overload tag:
//
//	go test -tags overload -run Overload -v ./middleware/

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware"
)

const (
	workers     = 2                     // the handler serves this many calls at a time
	serviceTime = 20 * time.Millisecond // per call: capacity = workers/serviceTime = 100/s
	capacity    = float64(workers) / 0.020
	loadFactor  = 3
	clientWait  = time.Second // a client gives up after this: later answers are not goodput
)

// result is one request's outcome as the client saw it.
type result struct {
	at         time.Duration // when it was sent, from the start of the phase
	latency    time.Duration
	status     int // 0: no answer within clientWait
	retryAfter bool
}

// holds measures how long calls really hold a worker: on a busy machine a
// 20ms sleep takes longer, and the service's real capacity is lower.
type holds struct {
	n, total atomic.Int64
}

func (h *holds) reset() { h.n.Store(0); h.total.Store(0) }

// capacity is the calls per second the workers can serve at the measured
// mean hold time.
func (h *holds) capacity() float64 {
	if h.n.Load() == 0 {
		return capacity
	}
	mean := time.Duration(h.total.Load() / h.n.Load())
	return workers / mean.Seconds()
}

// serve starts a capacity-limited service behind the server chain of cfg
// on 127.0.0.1 and returns its URL.
func serve(t *testing.T, cfg middleware.Config, h *holds) string {
	t.Helper()
	s, err := middleware.NewServer(cfg, middleware.Deps{Service: "overload", Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	sem := make(chan struct{}, workers)
	work := endpoint.Chain(s.For("work")...)(func(ctx context.Context, _ any) (any, error) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-sem }()
		start := time.Now()
		time.Sleep(serviceTime)
		h.total.Add(int64(time.Since(start)))
		h.n.Add(1)
		return "done", nil
	})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := work(r.Context(), nil); err != nil {
			if ra := errs.RetryAfterOf(err); ra > 0 {
				w.Header().Set("Retry-After", fmt.Sprint(int((ra+time.Second-1)/time.Second)))
			}
			w.WriteHeader(errs.KindOf(err).HTTPStatus())
			return
		}
		_, _ = w.Write([]byte("done"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// load sends rate requests per second for d, open loop: each request is
// sent at its scheduled time whether or not earlier ones were answered.
func load(url string, rate float64, d time.Duration) []result {
	client := &http.Client{
		Timeout:   clientWait,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxIdleConns: 4096},
	}
	defer client.CloseIdleConnections()
	n := int(rate * d.Seconds())
	results := make([]result, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := time.Duration(float64(i) / rate * float64(time.Second))
		if wait := due - time.Since(start); wait > 0 {
			time.Sleep(wait)
		}
		wg.Go(func() {
			sent := time.Now()
			r := result{at: sent.Sub(start)}
			resp, err := client.Get(url)
			r.latency = time.Since(sent)
			if err == nil {
				r.status = resp.StatusCode
				r.retryAfter = resp.Header.Get("Retry-After") != ""
				resp.Body.Close()
			} else if !errors.Is(err, context.DeadlineExceeded) {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					r.status = -1 // transport error
				}
			}
			results[i] = r
		})
	}
	wg.Wait()
	return results
}

func p(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// summary is what the report needs from one phase.
type summary struct {
	goodput                      float64 // 200s per second
	ok, rejected, lost           int
	okP50, okP99, rejP50, rejP99 time.Duration
	rejectedWithRetryAfter       int
}

func summarize(rs []result, d time.Duration, from time.Duration) summary {
	var s summary
	var okLat, rejLat []time.Duration
	for _, r := range rs {
		if r.at < from {
			continue
		}
		switch {
		case r.status == http.StatusOK:
			s.ok++
			okLat = append(okLat, r.latency)
		case r.status == http.StatusServiceUnavailable || r.status == http.StatusTooManyRequests:
			s.rejected++
			rejLat = append(rejLat, r.latency)
			if r.retryAfter {
				s.rejectedWithRetryAfter++
			}
		default:
			s.lost++
		}
	}
	s.goodput = float64(s.ok) / (d - from).Seconds()
	s.okP50, s.okP99 = p(okLat, 0.5), p(okLat, 0.99)
	s.rejP50, s.rejP99 = p(rejLat, 0.5), p(rejLat, 0.99)
	return s
}

func (s summary) String() string {
	return fmt.Sprintf("goodput %.0f/s (%.0f%% of capacity), ok %d (p50 %v, p99 %v), rejected %d (p50 %v, p99 %v, %d with Retry-After), lost/timed out %d",
		s.goodput, 100*s.goodput/capacity, s.ok, s.okP50.Round(100*time.Microsecond), s.okP99.Round(100*time.Microsecond),
		s.rejected, s.rejP50.Round(10*time.Microsecond), s.rejP99.Round(10*time.Microsecond), s.rejectedWithRetryAfter, s.lost)
}

func TestOverload(t *testing.T) {
	const (
		unloadedRate = capacity / 2
		unloadedFor  = 2 * time.Second
		loadFor      = 8 * time.Second
		warmup       = 2 * time.Second // excluded from the steady-state figures
	)
	for _, tc := range []struct {
		name string
		cfg  middleware.Config
	}{
		{"shed", middleware.Config{}},
		{"no_shed", middleware.Config{Shed: middleware.ShedConfig{Disabled: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &holds{}
			url := serve(t, tc.cfg, h)
			base := summarize(load(url, unloadedRate, unloadedFor), unloadedFor, 0)
			t.Logf("unloaded at %.0f/s: %v", unloadedRate, base)
			h.reset()
			rs := load(url, loadFactor*capacity, loadFor)
			real := h.capacity()
			t.Logf("capacity: nominal %.0f/s, measured %.1f/s (mean worker hold %v)", capacity, real,
				time.Duration(h.total.Load()/max(h.n.Load(), 1)).Round(10*time.Microsecond))
			all, steady := summarize(rs, loadFor, 0), summarize(rs, loadFor, warmup)
			t.Logf("goodput / measured capacity: whole %.0f%%, steady %.0f%%", 100*all.goodput/real, 100*steady.goodput/real)
			t.Logf("at %d× capacity (%.0f/s), whole run:  %v", loadFactor, loadFactor*capacity, all)
			t.Logf("at %d× capacity, after %v warm-up: %v", loadFactor, warmup, steady)
			t.Logf("p99 accepted / unloaded p99: whole %.1f×, steady %.1f×",
				float64(all.okP99)/float64(base.okP99), float64(steady.okP99)/float64(base.okP99))
			if tc.name != "shed" {
				return
			}
			if all.goodput < 0.9*real {
				t.Errorf("got goodput %.0f/s, want ≥ 90%% of the measured capacity %.1f/s", all.goodput, real)
			}
			if steady.okP99 > 5*base.okP99 {
				t.Errorf("got steady p99 %v, want ≤ 5× unloaded p99 %v", steady.okP99, base.okP99)
			}
			if all.rejected == 0 || all.rejectedWithRetryAfter != all.rejected {
				t.Errorf("got %d rejections, %d with Retry-After, want all with it", all.rejected, all.rejectedWithRetryAfter)
			}
		})
	}
}
