//go:build reliability

package reliability

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/middleware/breaker"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// transitions is a slog.Handler that keeps the breaker's state-change log
// records with the time they happened.
type transitions struct {
	mu   sync.Mutex
	seen []transition
}

type transition struct {
	at       time.Time
	from, to string
}

func (h *transitions) Enabled(context.Context, slog.Level) bool { return true }
func (h *transitions) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *transitions) WithGroup(string) slog.Handler            { return h }
func (h *transitions) Handle(_ context.Context, r slog.Record) error {
	tr := transition{at: r.Time}
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "from":
			tr.from = a.Value.String()
		case "to":
			tr.to = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	h.seen = append(h.seen, tr)
	h.mu.Unlock()
	return nil
}

func (h *transitions) list() []transition {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]transition(nil), h.seen...)
}

// breakerTimings: a typed HTTP client behind middleware/breaker calls an
// instance every 5 ms. The instance fails for 1.5 open timeouts, then heals.
// The breaker must open after its consecutive-failure trip, let nothing
// through while open, probe after the open timeout (and reopen on a failed
// probe), and close after the instance heals.
func breakerTimings(t *testing.T, p profile, f *fig) {
	const openTimeout = time.Second
	in := newInstance(t)
	c, err := httpt.NewClient[struct{}, map[string]string](http.MethodGet, in.url(), "/x")
	if err != nil {
		t.Fatal(err)
	}
	log := &transitions{}
	call := breaker.New(breaker.WithOpenTimeout(openTimeout), breaker.WithTrip(20, 0.5, 5),
		breaker.WithHalfOpenRequests(1), breaker.WithLogger(slog.New(log))).For("get")(c.Endpoint())
	ctx := context.Background()
	var rejected int
	run := func(d time.Duration) {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			before := in.hits.Load()
			_, err := call(ctx, struct{}{})
			reached := in.hits.Load() > before
			if err != nil && !reached {
				rejected++
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	run(200 * time.Millisecond) // healthy
	outage := time.Now()
	in.fail.Store(true)
	run(openTimeout * 3 / 2)
	heal := time.Now()
	in.fail.Store(false)
	run(openTimeout + 500*time.Millisecond)

	trs := log.list()
	var opened, halfOpen, closed time.Time
	for _, tr := range trs {
		switch {
		case tr.to == "open" && opened.IsZero():
			opened = tr.at
		case tr.to == "half_open" && halfOpen.IsZero() && !opened.IsZero():
			halfOpen = tr.at
		case tr.to == "closed" && !heal.IsZero() && tr.at.After(heal):
			closed = tr.at
		}
	}
	f.Add("transitions: %s", describe(trs, outage))
	if opened.IsZero() || halfOpen.IsZero() || closed.IsZero() {
		t.Fatalf("breaker did not go open → half-open → closed: %s", describe(trs, outage))
	}
	f.Add("opened %v after the outage began; first probe (half-open) %v after opening (open timeout %v); closed %v after the instance healed; %d calls rejected without reaching the instance",
		opened.Sub(outage).Round(time.Millisecond), halfOpen.Sub(opened).Round(time.Millisecond), openTimeout,
		closed.Sub(heal).Round(time.Millisecond), rejected)
	if d := halfOpen.Sub(opened); d < openTimeout || d > openTimeout+300*time.Millisecond {
		t.Errorf("open → half-open: got %v, want open timeout %v (+300ms)", d, openTimeout)
	}
	if d := closed.Sub(heal); d > openTimeout+300*time.Millisecond {
		t.Errorf("heal → closed: got %v, want ≤ open timeout + 300ms", d)
	}
	if d := opened.Sub(outage); d > 500*time.Millisecond {
		t.Errorf("outage → open: got %v, want ≤ 500ms (5 consecutive failures at one call per 5ms)", d)
	}
}

func describe(trs []transition, base time.Time) string {
	s := ""
	for i, tr := range trs {
		if i > 0 {
			s += ", "
		}
		s += tr.from + "→" + tr.to + " at +" + tr.at.Sub(base).Round(time.Millisecond).String()
	}
	return s
}

// retryBudget: every instance of a service answers 503; the gateway (2
// retries per request, a budget of 0.2 retries per request) must not
// multiply the load: attempts that reach the instances stay within
// requests × 1.2 plus the budget's banked 10.
func retryBudget(t *testing.T, p profile, f *fig) {
	for _, breakers := range []bool{true, false} {
		ins := []*instance{newInstance(t), newInstance(t), newInstance(t)}
		for _, in := range ins {
			in.fail.Store(true)
		}
		routes := staticRoutes(ins, "")
		what := "per-instance breakers on (3 failures)"
		if !breakers {
			routes = strings.Replace(routes, "failures: 3", "failures: 1000000", 1)
			what = "breakers effectively off, so only the budget bounds retries"
		}
		gw := startGateway(t, routes, nil)
		res := load(context.Background(), 8, p.load/2, get(gw+"/api/x"))
		var hits int64
		for _, in := range ins {
			hits += in.hits.Load()
		}
		ratio := float64(hits) / float64(res.total())
		f.Add("%s: %d GETs during a full outage (all 3 instances 503) reached the instances %d times (%.3f attempts per request; route allows 2 retries, budget 0.2 per request), answers %v",
			what, res.total(), hits, ratio, res.status)
		if limit := float64(res.total())*1.2 + 10; float64(hits) > limit {
			t.Errorf("%s: attempts: got %d, want ≤ %.0f (requests × 1.2 + 10)", what, hits, limit)
		}
		if res.ok() != 0 {
			t.Errorf("%s: successes during a full outage: got %d, want 0", what, res.ok())
		}
	}
}
