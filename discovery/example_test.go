package discovery_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
)

// A service registers itself when ready and deregisters when it stops; a
// client follows the service's instancer. The in-memory registry stands in
// for NATS KV or etcd, which work the same way.
func ExampleRegistrar() {
	reg := static.NewRegistry()
	defer reg.Close()

	self := discovery.Instance{Service: "orders", ID: "pod-1", Address: "http://10.0.0.5:8080", Zone: "eu-1"}
	r := discovery.NewRegistrar(reg, self, discovery.RegistrarOptions{TTL: 10 * time.Second})
	if err := r.Start(context.Background()); err != nil {
		fmt.Println("register:", err)
		return
	}
	orders := reg.Instancer("orders")
	for _, in := range orders.Instances() {
		fmt.Println(in.ID, in.Address, in.Zone)
	}
	if err := r.Stop(context.Background()); err != nil {
		fmt.Println("deregister:", err)
	}
	fmt.Println(len(orders.Instances()), "instances after Stop")
	// Output:
	// pod-1 http://10.0.0.5:8080 eu-1
	// 0 instances after Stop
}

// A gRPC client balances over the "grpc" transport addresses of the
// instances registered with their HTTP address.
func ExampleSelect() {
	reg := static.NewRegistry()
	defer reg.Close()
	ctx := context.Background()
	_ = reg.Put(ctx, discovery.Instance{Service: "orders", ID: "a", Address: "http://10.0.0.5:8080",
		Transports: map[string]string{"grpc": "10.0.0.5:50051"}}, 0)
	_ = reg.Put(ctx, discovery.Instance{Service: "orders", ID: "b", Address: "http://10.0.0.6:8080"}, 0)

	grpcOrders := discovery.Select(reg.Instancer("orders"), discovery.Transport("grpc"))
	defer grpcOrders.Stop()
	for _, in := range grpcOrders.Instances() {
		fmt.Println(in.ID, in.Address)
	}
	// Output:
	// a 10.0.0.5:50051
}
