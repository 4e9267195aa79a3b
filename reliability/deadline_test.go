//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gantrykit/gantry/middleware/timeout"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// serveHTTP runs h on a loopback port until the test ends.
func serveHTTP(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// deadlinePropagation: client → gateway (route timeout 300 ms) → service A
// → service B, which would take 5 s. A calls B with the request's context
// under its own 2 s timeout middleware (the shorter incoming deadline must
// win). The client must get 504 at the route timeout, and B must see its
// context end then too, not after 2 or 5 s.
func deadlinePropagation(t *testing.T, p profile, f *fig) {
	const routeTimeout = 300 * time.Millisecond
	bCancelled := make(chan time.Duration, 1)
	b := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		select {
		case <-r.Context().Done():
			bCancelled <- time.Since(start)
		case <-time.After(5 * time.Second):
			bCancelled <- -1
			fmt.Fprint(w, `{"late":true}`)
		}
	}))
	callB, err := httpt.NewClient[struct{}, map[string]any](http.MethodGet, b, "/work")
	if err != nil {
		t.Fatal(err)
	}
	toB := timeout.New(2 * time.Second).For("b")(callB.Endpoint())
	aErr := make(chan error, 1)
	aBudget := make(chan time.Duration, 1)
	aMux := httpt.NewMux() // reads the gateway's Gantry-Timeout into the context
	aMux.HandleFunc("GET /work", func(w http.ResponseWriter, r *http.Request) {
		budget := time.Duration(-1)
		if dl, ok := r.Context().Deadline(); ok {
			budget = time.Until(dl)
		}
		aBudget <- budget
		_, err := toB(r.Context(), struct{}{})
		aErr <- err
		if err != nil {
			httpt.WriteProblem(w, r, err, 0)
			return
		}
		fmt.Fprint(w, `{}`)
	})
	a := serveHTTP(t, aMux)
	gw := startGateway(t, fmt.Sprintf(`services: {a: {urls: [%q]}}
routes: [{name: a, prefix: /a, service: a, timeout: %v, strip_prefix: true}]
`, a, routeTimeout), nil)

	start := time.Now()
	code, _, _ := do(client(1), get(gw+"/a/work")(context.Background()))
	clientSaw := time.Since(start)
	var bSaw time.Duration
	select {
	case bSaw = <-bCancelled:
	case <-time.After(6 * time.Second):
		t.Fatal("B never finished")
	}
	var errA error
	select {
	case errA = <-aErr:
	case <-time.After(3 * time.Second):
		t.Fatal("A never finished")
	}
	budget := <-aBudget
	f.Add("client got %d after %v (route timeout %v); A's context had a %v deadline from Gantry-Timeout; B's context ended %v into its call; A's call to B ended with %q",
		code, clientSaw.Round(time.Millisecond), routeTimeout, budget.Round(time.Millisecond), bSaw.Round(time.Millisecond), errA)
	if budget <= 0 || budget > routeTimeout {
		t.Errorf("A's deadline: got %v away (-1: none), want within the route timeout %v", budget, routeTimeout)
	}
	if code != http.StatusGatewayTimeout {
		t.Errorf("client status: got %d, want 504", code)
	}
	if clientSaw > routeTimeout+200*time.Millisecond {
		t.Errorf("client wait: got %v, want ≤ %v", clientSaw, routeTimeout+200*time.Millisecond)
	}
	if bSaw < 0 || bSaw > routeTimeout+300*time.Millisecond {
		t.Errorf("B's cancellation: got %v, want ≤ %v (-1: never cancelled)", bSaw, routeTimeout+300*time.Millisecond)
	}
}
