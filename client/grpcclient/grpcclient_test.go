package grpcclient_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gantrykit/gantry/client/grpcclient"
	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/errs"
)

func dial(t *testing.T, reg *static.Registry, opts ...grpcclient.Option) *grpc.ClientConn {
	t.Helper()
	inst := reg.Instancer("echo")
	t.Cleanup(inst.Stop)
	cc, err := grpcclient.Dial("echo", inst, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

// Calls spread over every registered instance and follow the registry as
// instances come and go.
func TestFollowsDiscovery(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a, b := start(t, reg, "a"), start(t, reg, "b")
	cc := dial(t, reg)
	seen := func(n int) map[string]int {
		got := map[string]int{}
		for range n {
			name, err := call(context.Background(), cc, methodPut)
			if err != nil {
				t.Fatal(err)
			}
			got[name]++
		}
		return got
	}
	if got := seen(200); got["a"] == 0 || got["b"] == 0 {
		t.Fatalf("calls by instance %v, want both a and b", got)
	}
	c := start(t, reg, "c")
	eventually(t, "c to get calls", func() bool { return seen(20)["c"] > 0 })
	if err := reg.Delete(context.Background(), discovery.Instance{Service: "echo", ID: "a"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a to get no calls", func() bool {
		before := a.calls.Load()
		seen(50)
		return a.calls.Load() == before
	})
	if b.calls.Load() == 0 || c.calls.Load() == 0 {
		t.Errorf("b %d and c %d calls, want both", b.calls.Load(), c.calls.Load())
	}
}

// One of two instances dies mid-load, without deregistering: no caller
// sees an error. Calls in flight on it fail over to the other (they are
// idempotent), new ones go where the connection is up.
func TestKillOneOfTwoMidLoad(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a, b := start(t, reg, "a"), start(t, reg, "b")
	slow := func(context.Context, string) error { // slow enough to be mid-call when killed
		time.Sleep(time.Millisecond)
		return nil
	}
	a.failWith(slow)
	b.failWith(slow)
	cc := dial(t, reg, grpcclient.WithIdempotent(methodGet))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var calls, failures atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for ctx.Err() == nil {
				cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Second)
				_, err := call(cctx, cc, methodGet)
				ccancel()
				calls.Add(1)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	killedAt := a.calls.Load()
	a.srv.GRPC().Stop() // closes every connection at once, in-flight calls included
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of %d calls failed (first: %v), want 0", failures.Load(), calls.Load(), firstErr.Load())
	}
	if killedAt == 0 || b.calls.Load() == 0 {
		t.Fatalf("a served %d before the kill, b %d: want both > 0", killedAt, b.calls.Load())
	}
	t.Logf("%d calls, 0 failed; a served %d before it was killed, b %d in all; %d attempts went to a killed connection",
		calls.Load(), killedAt, b.calls.Load(), a.calls.Load()+b.calls.Load()-calls.Load())
}

// Only calls declared idempotent are retried; a retry lands on another
// instance.
func TestRetriesOnlyIdempotent(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a, b := start(t, reg, "a"), start(t, reg, "b")
	down := func(context.Context, string) error { return status.Error(codes.Unavailable, "overloaded") }
	a.failWith(down)
	b.failWith(down)
	cc := dial(t, reg, grpcclient.WithIdempotent(methodGet), grpcclient.WithBreaker(false))

	_, err := call(context.Background(), cc, methodPut)
	if status.Code(err) != codes.Unavailable || a.calls.Load()+b.calls.Load() != 1 {
		t.Fatalf("Put: %v after %d attempts, want Unavailable after 1", err, a.calls.Load()+b.calls.Load())
	}
	a.calls.Store(0)
	b.calls.Store(0)
	_, err = call(context.Background(), cc, methodGet)
	if status.Code(err) != codes.Unavailable || a.calls.Load()+b.calls.Load() != 3 {
		t.Fatalf("Get: %v after %d attempts, want Unavailable after 3", err, a.calls.Load()+b.calls.Load())
	}
	// A caller's error is not retried, idempotent or not.
	a.failWith(func(context.Context, string) error { return status.Error(codes.NotFound, "no such thing") })
	b.failWith(func(context.Context, string) error { return status.Error(codes.NotFound, "no such thing") })
	a.calls.Store(0)
	b.calls.Store(0)
	if _, err = call(context.Background(), cc, methodGet); status.Code(err) != codes.NotFound || a.calls.Load()+b.calls.Load() != 1 {
		t.Fatalf("Get: %v after %d attempts, want NotFound after 1", err, a.calls.Load()+b.calls.Load())
	}
}

// An instance that fails every call is cut off by its breaker while the
// other serves; the caller's own errors never open a breaker.
func TestBreakerPerInstance(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	bad, good := start(t, reg, "bad"), start(t, reg, "good")
	cc := dial(t, reg, grpcclient.WithRetry(1, nil))
	eventually(t, "both instances to serve", func() bool {
		_, _ = call(context.Background(), cc, methodPut)
		return bad.calls.Load() > 0 && good.calls.Load() > 0
	})
	bad.calls.Store(0)
	good.calls.Store(0)
	bad.failWith(func(context.Context, string) error { return errors.New("disk on fire") })
	var failed int
	for range 300 {
		if _, err := call(context.Background(), cc, methodPut); err != nil {
			failed++
		}
	}
	// Five failures in a row open the breaker for 10s; P2C's failure
	// penalty already sends most calls away before that.
	if bad.calls.Load() > 10 || failed != int(bad.calls.Load()) || good.calls.Load() < 290 {
		t.Fatalf("bad got %d calls (%d failed), good %d: want bad cut off after a few", bad.calls.Load(), failed, good.calls.Load())
	}
}

// A draining server's NOT_SERVING reaches the connection through grpc-go's
// health checking, which takes the instance out before it stops.
func TestHealthCheckingDrains(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a, b := start(t, reg, "a"), start(t, reg, "b")
	cc := dial(t, reg)
	eventually(t, "both instances to serve", func() bool {
		_, _ = call(context.Background(), cc, methodPut)
		return a.calls.Load() > 0 && b.calls.Load() > 0
	})
	a.srv.Drain()
	eventually(t, "a to get no calls", func() bool {
		before := a.calls.Load()
		for range 50 {
			if _, err := call(context.Background(), cc, methodPut); err != nil {
				t.Fatal(err)
			}
		}
		return a.calls.Load() == before
	})
}

// The caller's deadline reaches the instance, and streams work through the
// same connection.
func TestDeadlineAndStreams(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a := start(t, reg, "a")
	cc := dial(t, reg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := call(ctx, cc, methodGet); err != nil || !a.deadline.Load() {
		t.Fatalf("call: %v, deadline seen %v; want nil, true", err, a.deadline.Load())
	}
	st, err := cc.NewStream(ctx, &echoDesc.Streams[0], methodWatch)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SendMsg(wrapperspb.Int32(3)); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		var m wrapperspb.StringValue
		if err := st.RecvMsg(&m); err != nil {
			break
		}
		n++
	}
	if n != 3 {
		t.Fatalf("got %d messages, want 3", n)
	}
}

// DialLookup finds its instancer when the first call needs it, keeps
// trying while the registry is not there, and stops the instancer when the
// connection closes.
func TestDialLookupLater(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	start(t, reg, "a")
	var ready atomic.Bool
	var looked atomic.Int64
	stopped := make(chan struct{})
	cc, err := grpcclient.DialLookup("echo", func(context.Context) (sd.Instancer, error) {
		looked.Add(1)
		if !ready.Load() {
			return nil, errors.New("not connected yet")
		}
		return stopSpy{reg.Instancer("echo"), stopped}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if looked.Load() != 0 {
		t.Fatalf("looked up %d times before the first call, want 0", looked.Load())
	}
	if _, err := call(context.Background(), cc, methodGet); status.Code(err) != codes.Unavailable {
		t.Fatalf("got %v before the registry is there, want Unavailable", err)
	}
	ready.Store(true)
	eventually(t, "a call to succeed", func() bool {
		_, err := call(context.Background(), cc, methodGet)
		return err == nil
	})
	cc.Close()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the looked-up instancer was not stopped")
	}
}

// stopSpy is an instancer that reports its Stop.
type stopSpy struct {
	discovery.Instancer
	stopped chan struct{}
}

func (s stopSpy) Stop() { s.Instancer.Stop(); close(s.stopped) }

// Endpoint middleware runs once per call around the retries, sees the
// server's error kind, and the caller still gets a gRPC status.
func TestMiddleware(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a := start(t, reg, "a")
	var methods []string
	var kinds []errs.Kind
	var mu sync.Mutex
	mw := func(method string) []kitendpoint.Middleware {
		methods = append(methods, method)
		return []kitendpoint.Middleware{func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
			return func(ctx context.Context, req any) (any, error) {
				resp, err := next(ctx, req)
				mu.Lock()
				defer mu.Unlock()
				kinds = append(kinds, errs.KindOf(err))
				return resp, err
			}
		}}
	}
	cc := dial(t, reg, grpcclient.WithMiddleware(mw), grpcclient.WithIdempotent(methodGet))
	if name, err := call(context.Background(), cc, methodGet); err != nil || name != "a" {
		t.Fatalf("got %q, %v; want a, nil", name, err)
	}
	a.failWith(func(context.Context, string) error { return status.Error(codes.Unavailable, "busy") })
	_, err := call(context.Background(), cc, methodGet)
	if status.Code(err) != codes.Unavailable || status.Convert(err).Message() != "busy" {
		t.Fatalf("got %v, want Unavailable busy", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(methods) != 1 || len(kinds) != 2 || kinds[1] != errs.KindUnavailable || a.calls.Load() != 4 {
		t.Fatalf("built for %v, saw %v, %d attempts; want one build, [internal unavailable] (nil error first), 4 attempts (1 + 3)", methods, kinds, a.calls.Load())
	}
}
