package middleware_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware"
)

// The default chain in its documented order. Each observation below holds
// only in that order: the logging layer sits outside the rate limit, so it
// logs the limit's rejection; the metrics layer sits outside both, so it
// counts the rejection as too_many_requests; recovery sits outside
// everything, so a panic becomes an Internal error even though it unwound
// through the layers between. Tracing is left out here for lack of a
// TracerProvider.
func Example_order() {
	reg := prometheus.NewRegistry()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "duration":
				return slog.Attr{}
			case "stack":
				return slog.String("stack", "omitted")
			}
			return a
		},
	})).With("service", "orders") // the chain logs with the logger as given
	s, err := middleware.NewServer(middleware.Config{
		RateLimit: middleware.RateLimitConfig{PerSecond: 0.001, Burst: 1},
	}, middleware.Deps{Service: "orders", Registerer: reg, Logger: logger})
	if err != nil {
		panic(err)
	}
	var names []string
	for _, l := range s.Layers() {
		names = append(names, l.Name)
	}
	fmt.Println(strings.Join(names, " → "))

	charge := endpoint.Wrap(func(context.Context, int) (string, error) {
		return "", errs.Unavailable(0, "payment provider down")
	}, s.For("charge")...)
	_, _ = charge(context.Background(), 1) // takes the one token, fails
	_, _ = charge(context.Background(), 2) // rejected by the rate limit, logged and counted

	crash := endpoint.Wrap(func(context.Context, int) (string, error) { panic("bug") }, s.For("crash")...)
	_, err = crash(context.Background(), 3)
	fmt.Println("panic became:", errs.KindOf(err))

	n, _ := testutil.GatherAndCount(reg, "rpc_server_call_duration_seconds")
	// A panic unwinds through the metrics layer unobserved: crash has only
	// its "ok" series, bound up front.
	fmt.Println("duration series (charge ok, unavailable and too_many_requests, crash ok):", n)
	fmt.Println("rate-limited calls of charge:", count(reg, "charge", "too_many_requests"))
	// Output:
	// recovery → metrics → logging → shed → ratelimit
	// level=ERROR msg="call failed" service=orders op=charge code=unavailable error="payment provider down"
	// level=WARN msg="call failed" service=orders op=charge code=too_many_requests error="rate limit exceeded"
	// level=ERROR msg="panic recovered" service=orders op=crash panic=bug stack=omitted
	// panic became: internal
	// duration series (charge ok, unavailable and too_many_requests, crash ok): 4
	// rate-limited calls of charge: 1
}

// count returns the number of calls of op that ended with code.
func count(reg *prometheus.Registry, op, code string) uint64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "rpc_server_call_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] == op && labels["code"] == code {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}
