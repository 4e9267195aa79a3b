package natskv_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A service registers in the bucket; a client in another process follows
// the service. An embedded nats-server stands in for the cluster.
func Example() {
	dir, _ := os.MkdirTemp("", "natskv-example")
	defer os.RemoveAll(dir)
	srv, _ := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	srv.Start()
	defer srv.Shutdown()
	srv.ReadyForConnections(5 * time.Second)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()

	reg, err := natskv.New(ctx, js, natskv.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	self := discovery.Instance{Service: "orders", ID: "pod-1", Address: "http://10.0.0.5:8080"}
	r := discovery.NewRegistrar(reg, self, discovery.RegistrarOptions{TTL: 5 * time.Second})
	if err := r.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer r.Stop(ctx)

	orders, _ := reg.Instancer("orders")
	defer orders.Stop()
	for deadline := time.Now().Add(5 * time.Second); len(orders.Instances()) == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("per-key TTL:", reg.PerKeyTTL())
	for _, in := range orders.Instances() {
		fmt.Println(in.ID, in.Address)
	}
	// Output:
	// per-key TTL: true
	// pod-1 http://10.0.0.5:8080
}
