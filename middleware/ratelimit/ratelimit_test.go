package ratelimit_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/ratelimit"
)

func ok(context.Context, any) (any, error) { return "ok", nil }

func keyOf(ctx context.Context, req any) string { s, _ := req.(string); return s }

func TestLimits(t *testing.T) {
	type call struct {
		op, req string
		wantOK  bool
	}
	// Slow refills, so that no pause of a busy test machine refills a bucket.
	tests := []struct {
		name           string
		perSecond      float64
		burst          int
		opts           []ratelimit.Option
		calls          []call
		wantRetryAfter [2]time.Duration // bounds of the last rejection's hint
	}{
		{name: "burst then reject", perSecond: 0.01, burst: 2, calls: []call{{"a", "", true}, {"a", "", true}, {"a", "", false}},
			wantRetryAfter: [2]time.Duration{100 * time.Second, 100 * time.Second}},
		{name: "operations are independent", perSecond: 0.01, burst: 1, calls: []call{{"a", "", true}, {"b", "", true}, {"a", "", false}},
			wantRetryAfter: [2]time.Duration{100 * time.Second, 100 * time.Second}},
		{name: "zero rate rejects", perSecond: 0, burst: 1, calls: []call{{"a", "", false}},
			wantRetryAfter: [2]time.Duration{time.Minute, time.Minute}},
		{name: "infinite rate allows", perSecond: math.Inf(1), burst: 0, calls: []call{{"a", "", true}, {"a", "", true}, {"a", "", true}}},
		{name: "keys are independent", perSecond: 0.01, burst: 1, opts: []ratelimit.Option{ratelimit.WithKey(keyOf)},
			calls:          []call{{"a", "alice", true}, {"a", "bob", true}, {"a", "alice", false}},
			wantRetryAfter: [2]time.Duration{100 * time.Second, 100 * time.Second}},
		{name: "evicted key comes back full", perSecond: 0.01, burst: 1, opts: []ratelimit.Option{ratelimit.WithKey(keyOf), ratelimit.WithMaxKeys(1)},
			calls:          []call{{"a", "alice", true}, {"a", "bob", true}, {"a", "alice", true}, {"a", "alice", false}},
			wantRetryAfter: [2]time.Duration{100 * time.Second, 100 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ratelimit.New(tt.perSecond, tt.burst, tt.opts...)
			eps := map[string]func(context.Context, any) (any, error){}
			var last error
			for i, c := range tt.calls {
				e, found := eps[c.op]
				if !found {
					e = l.For(c.op)(ok)
					eps[c.op] = e
				}
				resp, err := e(context.Background(), c.req)
				if got := err == nil; got != c.wantOK {
					t.Fatalf("call %d (%s %q): got err %v, want allowed=%v", i, c.op, c.req, err, c.wantOK)
				}
				if err == nil && resp != "ok" {
					t.Errorf("call %d: got resp %v, want ok", i, resp)
				}
				if err != nil {
					last = err
				}
			}
			if last == nil {
				return
			}
			var e *errs.Error
			if !errors.As(last, &e) || e.Kind != errs.KindTooManyRequests {
				t.Fatalf("got %v, want a TooManyRequests *errs.Error", last)
			}
			if e.RetryAfter < tt.wantRetryAfter[0] || e.RetryAfter > tt.wantRetryAfter[1] {
				t.Errorf("got RetryAfter %v, want within %v", e.RetryAfter, tt.wantRetryAfter)
			}
		})
	}
}

func TestSharedBucketPerOperation(t *testing.T) {
	l := ratelimit.New(0.01, 1)
	first, second := l.For("a")(ok), l.For("a")(ok)
	if _, err := first(context.Background(), nil); err != nil {
		t.Fatalf("got %v, want allowed", err)
	}
	if _, err := second(context.Background(), nil); err == nil {
		t.Errorf("got allowed, want the second middleware of op a to share the empty bucket")
	}
}

func TestHTTPClientIP(t *testing.T) {
	l := ratelimit.New(0.01, 1, ratelimit.WithKey(ratelimit.ClientIP))
	e := l.For("get")(ok)
	h := ratelimit.HTTPClientIP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := e(r.Context(), nil); err != nil {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(errs.KindOf(err).HTTPStatus())
		}
	}))
	tests := []struct {
		remote string
		want   int
	}{
		{"10.0.0.1:1234", http.StatusOK},
		{"10.0.0.2:1234", http.StatusOK},
		{"10.0.0.1:9999", http.StatusTooManyRequests}, // same IP, other port
		{"not-a-host-port", http.StatusOK},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("%s: got status %d, want %d", tt.remote, w.Code, tt.want)
		}
	}
	if got := ratelimit.ClientIP(context.Background(), nil); got != "" {
		t.Errorf("got %q without HTTPClientIP, want empty", got)
	}
}
