package grpc_test

import (
	"context"
	"io"
	"testing"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"github.com/go-kit/kit/sd/lb"
	"github.com/go-kit/log"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/endpoint"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	pb "github.com/gantrykit/gantry/transport/grpc/internal/greetpb"
)

// Factory plugs a gRPC method into go-kit's discovery and balancing: two
// instances behind a round robin both answer.
func TestFactoryWithBalancer(t *testing.T) {
	var addrs []string
	for _, name := range []string{"a", "b"} {
		_, cc := start(t, func(context.Context, string) (string, error) { return name, nil })
		addrs = append(addrs, cc.Target()[len("passthrough:///"):])
	}
	f := grpct.Factory(pb.Greeter_Greet_FullMethodName, encodeName, decodeReply,
		[]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())})
	// go-kit's Endpointer closes an instance's connection when the instance
	// leaves, not on Close: keep them to close at the end.
	var conns []io.Closer
	keep := func(instance string) (kitendpoint.Endpoint, io.Closer, error) {
		e, c, err := f(instance)
		if c != nil {
			conns = append(conns, c)
		}
		return e, c, err
	}
	endpointer := sd.NewEndpointer(sd.FixedInstancer(addrs), keep, log.NewNopLogger())
	defer func() {
		endpointer.Close()
		for _, c := range conns {
			c.Close()
		}
	}()
	// The Endpointer takes the instancer's first report on a goroutine of
	// its own: wait for it, or the first calls find no endpoint.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if eps, _ := endpointer.Endpoints(); len(eps) == len(addrs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the endpointer never saw both instances")
		}
	}
	call := endpoint.Typed[string, string](lb.Retry(2, 10*time.Second, lb.NewRoundRobin(endpointer)))
	got := map[string]int{}
	for range 4 {
		r, err := call(context.Background(), "x")
		if err != nil {
			t.Fatal(err)
		}
		got[r]++
	}
	if got["a"] != 2 || got["b"] != 2 {
		t.Fatalf("answers %v, want 2 from a and 2 from b", got)
	}
}
