package grpcclient_test

import (
	"context"
	"fmt"
	"net"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/gantrykit/gantry/client/grpcclient"
	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// A service found in a registry, called with a generated client (here
// grpc.health.v1's, which every Gantry gRPC server serves).
func ExampleDial() {
	srv := grpct.NewServer()
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = srv.Serve(lis) }()
	defer srv.GRPC().Stop()

	reg := static.NewRegistry()
	defer reg.Close()
	_ = reg.Put(context.Background(), discovery.Instance{Service: "prices", ID: "prices-1", Address: "http://unused",
		Transports: map[string]string{"grpc": lis.Addr().String()}}, time.Minute)
	instancer := reg.Instancer("prices")
	defer instancer.Stop()

	conn, err := grpcclient.Dial("prices", instancer)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	r, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	fmt.Println(r.GetStatus(), err)
	// Output: SERVING <nil>
}
