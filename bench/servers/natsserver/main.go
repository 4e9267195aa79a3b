// Command natsserver runs the embedded nats-server with JetStream
// (transport/nats/embedded) as its own process, so the events rows can pin
// the server to one core and the clients to the other.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func main() {
	port := flag.Int("port", 4222, "client port")
	dir := flag.String("dir", "", "JetStream store directory")
	flag.Parse()
	s, err := embedded.Start(embedded.Options{Dir: *dir, Port: *port})
	if err != nil {
		fmt.Fprintln(os.Stderr, "natsserver:", err)
		os.Exit(1)
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
	s.Shutdown()
}
