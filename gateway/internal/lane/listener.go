package lane

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Gateway is what the lane asks of the gateway it serves for. Both methods
// are called on the connection's goroutine, one request at a time.
type Gateway interface {
	// Route reports whether the gateway serves r on the lane; false hands
	// the connection, r's bytes included, to net/http. It may keep what it
	// found in r.State for Serve.
	Route(r *Request) bool
	// Serve answers r, which Route took: admission, then upstream
	// attempts through r.Exchange, or an answer of the gateway's own
	// through r.Answer. It must not keep r or its slices.
	Serve(r *Request)
}

// Config holds the lane's timeouts and logger; the zero value is usable.
type Config struct {
	IdleTimeout       time.Duration // keep-alive idle timeout (default 2m)
	ReadHeaderTimeout time.Duration // for a head, and for a body after it (default 5s)
	Logger            *slog.Logger  // default: discarded
}

// Listener is the lane: a net.Listener wrapper whose Accept returns only
// the connections it hands over to net/http.
type Listener struct {
	inner  net.Listener
	gw     Gateway
	logger *slog.Logger
	idle   time.Duration
	header time.Duration
	pool   *pool

	handed    chan net.Conn
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	acceptErr atomic.Pointer[error] // the inner listener's failure
	draining  atomic.Bool
	accepting sync.WaitGroup

	served, handedOver atomic.Int64 // requests answered, connections handed over

	mu    sync.Mutex
	conns map[*conn]struct{}
	wg    sync.WaitGroup // lane connections
}

// Listen starts accepting on ln and serving for gw.
func Listen(ln net.Listener, gw Gateway, c Config) *Listener {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Listener{
		inner: ln, gw: gw, logger: c.Logger,
		idle: c.IdleTimeout, header: c.ReadHeaderTimeout,
		pool:   newPool(),
		handed: make(chan net.Conn),
		done:   make(chan struct{}),
		conns:  map[*conn]struct{}{},
	}
	if l.idle <= 0 {
		l.idle = 2 * time.Minute
	}
	if l.header <= 0 {
		l.header = 5 * time.Second
	}
	l.accepting.Add(1)
	go l.acceptLoop()
	return l
}

// Accept returns the next connection handed over to net/http.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.handed:
		return c, nil
	case <-l.done:
		if p := l.acceptErr.Load(); p != nil {
			return nil, *p
		}
		return nil, net.ErrClosed
	}
}

// Counts returns how many requests the lane has answered itself and how
// many connections it has handed to net/http.
func (l *Listener) Counts() (served, handedOver int64) {
	return l.served.Load(), l.handedOver.Load()
}

// Addr is the inner listener's address.
func (l *Listener) Addr() net.Addr { return l.inner.Addr() }

// Close stops accepting and starts draining: idle connections are closed,
// busy ones after their current answer (sent with Connection: close). It
// does not wait; Shutdown does.
func (l *Listener) Close() error {
	var err error
	l.closeOnce.Do(func() {
		err = l.inner.Close()
		close(l.done)
		l.draining.Store(true)
		l.mu.Lock()
		for c := range l.conns {
			if c.idle.Load() {
				_ = c.nc.SetReadDeadline(aLongTimeAgo)
			}
		}
		l.mu.Unlock()
	})
	return err
}

// Shutdown closes the lane like Close and waits until its connections
// have finished, or until ctx ends: then it closes them and returns
// ctx.Err(). Idle upstream connections are closed either way.
func (l *Listener) Shutdown(ctx context.Context) error {
	_ = l.Close()
	defer l.pool.close()
	done := make(chan struct{})
	go func() { l.accepting.Wait(); l.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		for c := range l.conns {
			_ = c.nc.Close()
			if u := c.up.Load(); u != nil {
				_ = u.nc.Close() // a stream blocked on its upstream
			}
		}
		l.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

var aLongTimeAgo = time.Unix(1, 0)

func (l *Listener) acceptLoop() {
	defer l.accepting.Done()
	var delay time.Duration
	for {
		nc, err := l.inner.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
			if temporary(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				l.logger.Warn("gateway fast lane: accept failed, retrying", "err", err, "in", delay)
				select {
				case <-time.After(delay):
				case <-l.done:
					return
				}
				continue
			}
			// A listener that fails for good: net/http's Serve returns this
			// error from Accept, and the lane drains as after Close.
			l.acceptErr.Store(&err)
			_ = l.Close()
			return
		}
		delay = 0
		c := l.newConn(nc)
		if c == nil {
			continue
		}
		go c.serve()
	}
}

// temporary reports whether an accept error is worth retrying: a timeout,
// or running out of file descriptors (which net reports as temporary).
func temporary(err error) bool {
	var ne interface{ Temporary() bool }
	var te net.Error
	return errors.As(err, &te) && te.Timeout() || errors.As(err, &ne) && ne.Temporary()
}
