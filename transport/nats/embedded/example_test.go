package embedded_test

import (
	"fmt"
	"os"

	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func Example() {
	dir, _ := os.MkdirTemp("", "embedded-example")
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(embedded.Options{Dir: dir}) // JetStream on, stored in dir
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown()

	nc, err := nats.Connect(srv.URL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	fmt.Println("connected:", nc.IsConnected(), "jetstream:", srv.Server().JetStreamEnabled())
	// Output:
	// connected: true jetstream: true
}
