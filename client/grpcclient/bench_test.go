package grpcclient_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/client/grpcclient"
	"github.com/gantrykit/gantry/discovery/static"
)

// BenchmarkCall is one unary call to one local instance, client and server
// in this process: a plain grpc-go connection to its address beside a
// grpcclient connection (resolver, P2C picker, breaker, retry interceptor)
// over the same instance.
func BenchmarkCall(b *testing.B) {
	reg := static.NewRegistry()
	defer reg.Close()
	in := start(b, reg, "a")
	plain, err := grpc.NewClient(in.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	inst := reg.Instancer("echo")
	defer inst.Stop()
	discovered, err := grpcclient.Dial("echo", inst, grpcclient.WithIdempotent(methodGet))
	if err != nil {
		b.Fatal(err)
	}
	defer discovered.Close()
	for _, c := range []struct {
		name string
		cc   *grpc.ClientConn
	}{{"plain-grpc-go", plain}, {"grpcclient", discovered}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(context.Background(), c.cc, methodGet); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
