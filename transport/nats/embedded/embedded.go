package embedded

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options configure an in-process nats-server. The zero value is a
// server on a random loopback port without JetStream.
type Options struct {
	// Dir is the JetStream store directory; JetStream is on when it is set.
	// A server restarted on the same Dir finds its streams and messages.
	Dir string
	// Host to listen on; default 127.0.0.1.
	Host string
	// Port to listen on; 0 picks a free one.
	Port int
	// Name is the server name (shown in monitoring); default "gantry".
	Name string
	// SyncAlways makes JetStream fsync every write before acknowledging
	// it (nats-server's sync_interval: always) instead of every two
	// minutes: a power loss then keeps every acknowledged event, at a cost
	// in publish throughput. See package events, "Durability".
	SyncAlways bool
}

// Server is a nats-server running inside this process: the default for
// one machine, so a service needs nothing installed. With Dir set it has
// JetStream with a file store, enough for events and KV discovery.
type Server struct {
	srv *server.Server
}

// Start starts a server and waits until it accepts connections (at
// most 10s). The caller owns it and must call Shutdown.
func Start(o Options) (*Server, error) {
	opts := &server.Options{
		ServerName: o.Name,
		Host:       o.Host,
		Port:       o.Port,
		NoLog:      true,
		NoSigs:     true,
		JetStream:  o.Dir != "",
		StoreDir:   o.Dir,
		SyncAlways: o.SyncAlways,
	}
	if opts.ServerName == "" {
		opts.ServerName = "gantry"
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == 0 {
		opts.Port = server.RANDOM_PORT
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded: nats-server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("embedded: nats-server on %s:%d not ready in 10s", opts.Host, o.Port)
	}
	return &Server{srv: srv}, nil
}

// URL is the nats:// address clients connect to.
func (e *Server) URL() string { return e.srv.ClientURL() }

// Server returns the nats-server itself, for monitoring or tests.
func (e *Server) Server() *server.Server { return e.srv }

// Shutdown stops the server and waits until it has stopped; JetStream data
// stays in Dir. Clients see their connection drop and reconnect if they can.
func (e *Server) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// Starter is Start in the shape natskit.New takes: a server on
// 127.0.0.1:port (0: any free port) with JetStream stored in dir, its
// client URL and the function that shuts it down.
func Starter(dir string, port int) (url string, stop func(), err error) {
	s, err := Start(Options{Dir: dir, Port: port})
	if err != nil {
		return "", nil, err
	}
	return s.URL(), s.Shutdown, nil
}
