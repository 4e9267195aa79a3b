package middleware_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware"
)

// TestServerUpdateRateLimit turns rate limiting on in a chain built
// without it, refuses a bad value keeping the limit, and turns it off.
func TestServerUpdateRateLimit(t *testing.T) {
	s, err := middleware.NewServer(middleware.Config{}, middleware.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	e := endpoint.Chain(s.For("get")...)(func(context.Context, any) (any, error) { return "ok", nil })
	kinds := func(n int) string {
		var got []string
		for range n {
			_, err := e(context.Background(), nil)
			got = append(got, errs.KindOf(err).String())
		}
		return strings.Join(got, ",")
	}
	ok3 := strings.Repeat(errs.KindOf(nil).String()+",", 3)
	ok3 = ok3[:len(ok3)-1]
	if got := kinds(3); got != ok3 {
		t.Fatalf("no limit: got %s, want %s", got, ok3)
	}
	limited := errs.KindOf(nil).String() + "," + errs.KindTooManyRequests.String()
	restart, err := s.Update(middleware.Config{RateLimit: middleware.RateLimitConfig{PerSecond: 0.01, Burst: 1}})
	if err != nil || restart != nil {
		t.Fatalf("Update: got %v, %v, want nil, nil", restart, err)
	}
	if got := kinds(2); got != limited {
		t.Errorf("0.01/s burst 1: got %s, want %s", got, limited)
	}
	if _, err := s.Update(middleware.Config{RateLimit: middleware.RateLimitConfig{PerSecond: -1}}); err == nil || !strings.Contains(err.Error(), "rate_limit.per_second") {
		t.Errorf("negative rate: got error %v, want one naming rate_limit.per_second", err)
	}
	if got := kinds(1); got != errs.KindTooManyRequests.String() {
		t.Errorf("after a refused update: got %s, want the old limit kept (%s)", got, errs.KindTooManyRequests)
	}
	if _, err := s.Update(middleware.Config{}); err != nil {
		t.Fatal(err)
	}
	if got := kinds(3); got != ok3 {
		t.Errorf("limit removed: got %s, want %s", got, ok3)
	}
}

// TestClientUpdateBreaker lowers the trip thresholds of a running client
// chain: the next failure opens the breaker.
func TestClientUpdateBreaker(t *testing.T) {
	cfg := middleware.ClientConfig{Retry: middleware.RetryConfig{Disabled: true},
		Breaker: middleware.BreakerConfig{MinRequests: 100, ConsecutiveFailures: -1}}
	c, err := middleware.NewClient(cfg, middleware.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	e := endpoint.Chain(c.For("payments.charge")...)(func(context.Context, any) (any, error) {
		calls++
		return nil, errs.Unavailable(0, "down")
	})
	for range 3 {
		_, _ = e(context.Background(), nil)
	}
	cfg.Breaker.ConsecutiveFailures, cfg.Breaker.OpenTimeout = 1, time.Hour
	if restart, err := c.Update(cfg); err != nil || restart != nil {
		t.Fatalf("Update: got %v, %v, want nil, nil", restart, err)
	}
	_, _ = e(context.Background(), nil) // fails: 1 in a row now opens it
	_, err = e(context.Background(), nil)
	if calls != 4 || errs.RetryAfterOf(err) < 59*time.Minute {
		t.Errorf("got %d calls through and %v (RetryAfter %v), want 4 and rejected for about 1h", calls, err, errs.RetryAfterOf(err))
	}
}

// TestUpdateNeedsRestart reports the keys a running chain cannot apply,
// until the running value comes back.
func TestUpdateNeedsRestart(t *testing.T) {
	s, err := middleware.NewServer(middleware.Config{}, middleware.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := middleware.Config{
		Shed:      middleware.ShedConfig{Disabled: true},
		RateLimit: middleware.RateLimitConfig{PerSecond: 5},
		Timeout:   middleware.TimeoutConfig{Timeout: time.Second},
	}
	want := []string{"shed.disabled", "timeout.timeout"}
	for range 2 { // still reported: not applied
		if got, err := s.Update(cfg); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, %v, want %v, nil", got, err, want)
		}
	}
	if got, err := s.Update(middleware.Config{}); err != nil || got != nil {
		t.Errorf("back to the running config: got %v, %v, want nil, nil", got, err)
	}

	c, err := middleware.NewClient(middleware.ClientConfig{}, middleware.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Update(middleware.ClientConfig{
		Retry:   middleware.RetryConfig{Idempotent: []string{"products.get"}},
		Breaker: middleware.BreakerConfig{MinRequests: 5, Adaptive: true},
	})
	if want := []string{"retry.idempotent", "breaker.adaptive"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("client: got %v, %v, want %v, nil", got, err, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  middleware.Config
		want string // in the error; "" for none
	}{
		{"zero", middleware.Config{}, ""},
		{"limits", middleware.Config{RateLimit: middleware.RateLimitConfig{PerSecond: 10, Burst: 20}}, ""},
		{"negative rate", middleware.Config{RateLimit: middleware.RateLimitConfig{PerSecond: -1}}, "rate_limit.per_second: got -1"},
		{"NaN rate", middleware.Config{RateLimit: middleware.RateLimitConfig{PerSecond: math.NaN()}}, "rate_limit.per_second"},
		{"infinite rate", middleware.Config{RateLimit: middleware.RateLimitConfig{PerSecond: math.Inf(1)}}, "rate_limit.per_second"},
		{"negative burst", middleware.Config{RateLimit: middleware.RateLimitConfig{Burst: -2}}, "rate_limit.burst: got -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name string
		cfg  middleware.BreakerConfig
		want string
	}{
		{"limits", middleware.BreakerConfig{FailureRatio: 1, ConsecutiveFailures: -1, OpenTimeout: time.Second}, ""},
		{"ratio over 1", middleware.BreakerConfig{FailureRatio: 1.5}, "breaker.failure_ratio: got 1.5"},
		{"negative ratio", middleware.BreakerConfig{FailureRatio: -0.1}, "breaker.failure_ratio"},
		{"negative min", middleware.BreakerConfig{MinRequests: -1}, "breaker.min_requests: got -1"},
		{"negative timeout", middleware.BreakerConfig{OpenTimeout: -time.Second}, "breaker.open_timeout: got -1s"},
		{"negative window", middleware.BreakerConfig{Window: -1}, "breaker.window"},
		{"negative probes", middleware.BreakerConfig{HalfOpenRequests: -1}, "breaker.half_open_requests"},
		{"negative k", middleware.BreakerConfig{K: -1}, "breaker.k"},
	} {
		t.Run("client "+tt.name, func(t *testing.T) {
			err := middleware.ClientConfig{Breaker: tt.cfg}.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// Update turns on a rate limit in a running chain and says which other
// changes need a new chain.
func ExampleServer_Update() {
	s, err := middleware.NewServer(middleware.Config{}, middleware.Deps{})
	if err != nil {
		panic(err)
	}
	search := endpoint.Chain(s.For("search")...)(func(context.Context, any) (any, error) { return "results", nil })
	restart, err := s.Update(middleware.Config{
		RateLimit: middleware.RateLimitConfig{PerSecond: 0.1, Burst: 1},
		Timeout:   middleware.TimeoutConfig{Timeout: time.Second},
	})
	fmt.Println("needs restart:", restart, err)
	for range 2 {
		_, err := search(context.Background(), nil)
		fmt.Println("allowed:", err == nil)
	}
	// Output:
	// needs restart: [timeout.timeout] <nil>
	// allowed: true
	// allowed: false
}
