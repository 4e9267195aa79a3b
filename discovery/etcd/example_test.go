package etcd_test

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/etcd"
)

// A service registers under a lease that its Registrar keeps alive; a
// client in another process follows the service through an Instancer.
// The example is compiled, not run: it needs an etcd cluster at the
// endpoint (the package's tests start the real etcd binary).
func Example() {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:2379"}, DialTimeout: 5 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cli.Close() // after the Registrar and the Instancer have stopped
	ctx := context.Background()
	reg := etcd.New(cli, etcd.Options{})

	self := discovery.Instance{Service: "orders", ID: "pod-1", Address: "http://10.0.0.5:8080"}
	r := discovery.NewRegistrar(reg, self, discovery.RegistrarOptions{TTL: 5 * time.Second})
	if err := r.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer r.Stop(ctx)

	orders, err := reg.Instancer("orders")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer orders.Stop()
	for _, in := range orders.Instances() {
		fmt.Println(in.ID, in.Address)
	}
}
