//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"github.com/gantrykit/gantry/middleware/timeout"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// slowPrices is service B over gRPC: it reports the deadline it was given
// and when its context ended.
type slowPrices struct {
	pricespb.UnimplementedPricesServer
	seen chan [2]time.Duration // remaining budget at arrival, time until cancelled
}

func (s slowPrices) GetPrice(ctx context.Context, _ *pricespb.GetPriceRequest) (*pricespb.Price, error) {
	start := time.Now()
	budget := time.Duration(-1)
	if d, ok := ctx.Deadline(); ok {
		budget = time.Until(d)
	}
	select {
	case <-ctx.Done():
		s.seen <- [2]time.Duration{budget, time.Since(start)}
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
		s.seen <- [2]time.Duration{budget, -1}
		return &pricespb.Price{}, nil
	}
}

// deadlineOverGRPC: client → gateway (route timeout 300 ms) → A over HTTP →
// B over gRPC with A's 2 s timeout middleware. It measures the deadline B
// is handed (grpc-timeout carries A's context deadline) and when B's
// context ends. The HTTP hop carries cancellation (the gateway drops the
// connection at its timeout) but not the deadline value, so B is told the
// 2 s of A's own timeout and only learns of the 300 ms by cancellation:
// the figure says so rather than the check.
func deadlineOverGRPC(t *testing.T, p profile, f *fig) {
	const routeTimeout = 300 * time.Millisecond
	b := slowPrices{seen: make(chan [2]time.Duration, 1)}
	gs := grpc.NewServer()
	pricespb.RegisterPricesServer(gs, b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(ln) }()
	t.Cleanup(gs.Stop)
	cc, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	call := grpct.NewClient[string, int64](cc, pricespb.Prices_GetPrice_FullMethodName,
		func(_ context.Context, s string) (*pricespb.GetPriceRequest, error) {
			return &pricespb.GetPriceRequest{Sku: s}, nil
		},
		func(_ context.Context, p *pricespb.Price) (int64, error) { return p.GetCents(), nil })
	toB := timeout.New(2 * time.Second).For("b")(call.Endpoint())
	a := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := toB(r.Context(), "teapot"); err != nil {
			httpt.WriteProblem(w, r, err, 0)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	gw := startGateway(t, fmt.Sprintf(`services: {a: {urls: [%q]}}
routes: [{name: a, prefix: /a, service: a, timeout: %v}]
`, a, routeTimeout), nil)
	start := time.Now()
	code, _, _ := do(client(1), get(gw+"/a/price")(context.Background()))
	clientSaw := time.Since(start)
	var seen [2]time.Duration
	select {
	case seen = <-b.seen:
	case <-time.After(6 * time.Second):
		t.Fatal("B never finished")
	}
	f.Add("client got %d after %v (route timeout %v); B (gRPC) was handed a deadline %v away and its context ended %v into the call",
		code, clientSaw.Round(time.Millisecond), routeTimeout, seen[0].Round(time.Millisecond), seen[1].Round(time.Millisecond))
	if code != http.StatusGatewayTimeout {
		t.Errorf("client status: got %d, want 504", code)
	}
	if seen[1] < 0 || seen[1] > routeTimeout+300*time.Millisecond {
		t.Errorf("B's cancellation: got %v, want ≤ %v (-1: never cancelled)", seen[1], routeTimeout+300*time.Millisecond)
	}
	if seen[0] < 0 || seen[0] > 2*time.Second {
		t.Errorf("B's deadline: got %v, want one no later than A's 2s timeout", seen[0])
	}
}
