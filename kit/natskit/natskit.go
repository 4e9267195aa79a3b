package natskit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/kit"
	natst "github.com/gantrykit/gantry/transport/nats"
)

// EmbeddedServer starts a NATS server with JetStream stored in dir,
// listening on 127.0.0.1:port (0: any free port), and returns its client
// URL and the function that shuts it down. embedded.Starter, from package
// transport/nats/embedded, is the one to use; natskit does not import it
// itself, so that programs that never embed a server do not link
// nats-server.
type EmbeddedServer func(dir string, port int) (url string, stop func(), err error)

// NATS is an App's NATS connection and, on one machine, the embedded
// server behind it. Conn and JetStream are valid once the App's start
// hooks have run it: use them from start hooks added after New, from
// handlers, or wire consumers with Subscribe.
type NATS struct {
	app *kit.App

	embed EmbeddedServer
	// drainBound is how long stop waits for the connection's drain
	// (5s; tests shorten it).
	drainBound time.Duration

	mu       sync.Mutex
	nc       *nats.Conn
	js       jetstream.JetStream
	embedded bool
	stopEmb  func()
	closed   chan struct{}
}

// New wires a NATS connection into app's Run. At start it connects to
// GANTRY_NATS_URL (a server or a cluster, with reconnects, buffered
// publishes and lame-duck handling); when that is unset it uses embed
// (normally embedded.Starter; nil makes GANTRY_NATS_URL required) to start
// an embedded nats-server on 127.0.0.1:GANTRY_NATS_PORT (default 4222, 0 for
// any free port) with JetStream stored in GANTRY_DATA_DIR/nats (default: a
// gantry-NAME folder in the temporary directory) — or, when another local
// service already runs one on that port, joins it. At stop (after the
// consumers wired with Subscribe have finished) it drains the connection
// and shuts the embedded server down. Call it before Run, at most once per
// App.
func New(app *kit.App, embed EmbeddedServer) *NATS {
	n := &NATS{app: app, embed: embed, drainBound: 5 * time.Second, closed: make(chan struct{})}
	app.AddHook(kit.Hook{Name: "nats", Start: n.start, Stop: n.stop})
	return n
}

// Conn returns the connection, or nil before the App has started it.
func (n *NATS) Conn() *nats.Conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.nc
}

// JetStream returns the JetStream handle, or nil before the App has
// started the connection.
func (n *NATS) JetStream() jetstream.JetStream {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.js
}

// Replicas is the JetStream replica count the App's configuration asks
// for (GANTRY_NATS_REPLICAS, default 1): natskit gives it to the discovery
// and configuration buckets, and a service gives it to the streams it
// declares (jetstream.StreamConfig.Replicas). A Subscriber's dead-letter
// stream takes its stream's count.
func (n *NATS) Replicas() int { return n.app.Config().NATS.Replicas }

// Embedded reports whether this App started the server it is connected
// to (rather than an external one, or another local service's).
func (n *NATS) Embedded() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.embedded
}

func (n *NATS) start(context.Context) error {
	cfg, log := n.app.Config(), n.app.Logger()
	url := cfg.NATS.URL
	var stopEmb func()
	if url == "" {
		var err error
		if url, stopEmb, err = n.embeddedURL(cfg); err != nil {
			return err
		}
	}
	// nats.go can close a connection twice: a Close that cuts a Drain short
	// is followed, up to 5s later, by the drain's own (see stop).
	var closeOnce sync.Once
	nc, err := natst.Connect(url, n.app.Name(), log, nats.ClosedHandler(func(*nats.Conn) {
		closeOnce.Do(func() { close(n.closed) })
	}))
	if err == nil {
		var js jetstream.JetStream
		if js, err = jetstream.New(nc); err == nil {
			n.mu.Lock()
			n.nc, n.js, n.embedded, n.stopEmb = nc, js, stopEmb != nil, stopEmb
			n.mu.Unlock()
			log.Info("connected to NATS", "url", nc.ConnectedUrlRedacted(), "embedded", stopEmb != nil)
			return nil
		}
		nc.Close()
	}
	if stopEmb != nil {
		stopEmb()
	}
	return err
}

// embeddedURL starts the embedded server, or finds another service's on the
// same port.
func (n *NATS) embeddedURL(cfg kit.Config) (string, func(), error) {
	if n.embed == nil {
		return "", nil, errors.New("GANTRY_NATS_URL is not set and no embedded server was given to natskit.New")
	}
	port := cfg.NATS.Port
	if port != 0 {
		probe, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			// Taken: on one machine, that is the embedded server of another service.
			return fmt.Sprintf("nats://127.0.0.1:%d", port), nil, nil
		}
		probe.Close()
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "gantry-"+n.app.Name())
	}
	return n.embed(filepath.Join(dir, "nats"), port)
}

func (n *NATS) stop(ctx context.Context) error {
	n.mu.Lock()
	nc, stopEmb := n.nc, n.stopEmb
	n.mu.Unlock()
	if nc == nil {
		return nil
	}
	var err error
	if derr := nc.Drain(); derr != nil {
		// Closed already, or disconnected: there is nothing to drain.
		n.app.Logger().Warn("nats: closing without drain", "error", derr)
		nc.Close()
	}
	// A drain that has not finished within drainBound is cut short: a
	// handler that does not return holds it, and so does a Consume that
	// nats.go v1.53.1 leaves stuck after a reconnection (see package
	// events' awaitDrained), which the shop's chaos test met after a
	// cluster node was killed. Closing loses nothing delivery does not
	// already allow: unacknowledged events come again after AckWait.
	// After that Close, nats.go's drain goroutine still sets the status to
	// DRAINING_PUBS and flushes for up to 5s before it closes once more.
	bound := time.NewTimer(n.drainBound)
	defer bound.Stop()
	select {
	case <-n.closed:
	case <-bound.C:
		n.app.Logger().Warn("nats: drain did not finish; closing", "after", n.drainBound.String())
		nc.Close()
	case <-ctx.Done():
		nc.Close()
		err = ctx.Err()
	}
	if stopEmb != nil {
		stopEmb()
	}
	return err
}
