package gateway

import (
	"context"
	"log/slog"
	"net"

	"github.com/gantrykit/gantry/gateway/internal/lane"
)

// FastPath is the gateway's fast lane, experimental and off by default
// everywhere (the command's server.fast_lane, the shop's fast_lane). It is
// a net.Listener wrapper that serves the common case itself and hands
// every other connection to the net/http server that serves on it. The
// common case is plain HTTP/1.1 on routes without CORS to HTTP/1.1
// instances: GET, HEAD and DELETE without a body, and POST, PUT and PATCH
// with a Content-Length body that fits, with its head, in the lane's 8 KiB
// buffer (and in the route's max_body), whose path needs neither decoding
// nor cleaning.
//
//	fp := gateway.NewFastPath(ln, func() *gateway.Gateway { return g }, cfg.Server, logger)
//	srv := gateway.NewServer(g, cfg.Server, logger)
//	go srv.Serve(fp) // sees the connections the lane hands over
//	...
//	srv.Shutdown(ctx) // closes fp: the lane stops accepting and drains
//	fp.Shutdown(ctx)  // waits for the lane's connections
//
// The lane parses each request head strictly, in place; routes,
// authenticates, rate-limits and balances exactly as Gateway.ServeHTTP
// does (same metrics, spans, access log, breakers and retries); and writes
// the upstream request and the answer with framing of its own (see the
// design rules in the package doc). Ambiguous framing (Content-Length with
// Transfer-Encoding, several or malformed lengths) gets 400 and a closed
// connection; an upstream answer framed ambiguously gets 502.
//
// A body is read whole, under the read-header timeout, before the request
// is served; a request that must not be sent twice (POST or PATCH without
// an Idempotency-Key) is neither retried nor resent on a new connection.
//
// The first request the lane does not take (a chunked or larger body,
// Expect, Upgrade, HTTP/1.0, an unusual path, an unknown route, a CORS
// route, the docs, a head over 8 KiB or anything it does not parse
// strictly) hands its connection, unread bytes included, to the net/http
// server for good, so every answer net/http would give is still given. A
// client that hangs up while its request waits on an upstream is noticed
// within 250 ms on Linux: the attempt ends and its upstream connection is
// closed, as net/http cancels the request. The lane serves cleartext
// listeners only: terminate TLS with NewServer as before.
type FastPath struct {
	l *lane.Listener
}

// NewFastPath starts accepting on ln and returns the listener the net/http
// server must serve on. gw returns the gateway to serve with, or nil while
// it is not built yet (every connection then goes to net/http). c supplies
// the idle and read-header timeouts (defaults as NewServer's).
func NewFastPath(ln net.Listener, gw func() *Gateway, c ServerConfig, logger *slog.Logger) *FastPath {
	return &FastPath{l: lane.Listen(ln, &laneFront{gw: gw}, lane.Config{
		IdleTimeout: c.IdleTimeout, ReadHeaderTimeout: c.ReadHeaderTimeout, Logger: logger,
	})}
}

// Accept returns the next connection handed over to net/http.
func (fp *FastPath) Accept() (net.Conn, error) { return fp.l.Accept() }

// Counts returns how many requests the lane has answered itself and how
// many connections it has handed to net/http.
func (fp *FastPath) Counts() (served, handedOver int64) { return fp.l.Counts() }

// Addr is the inner listener's address.
func (fp *FastPath) Addr() net.Addr { return fp.l.Addr() }

// Close stops accepting and starts draining the lane: idle connections are
// closed, busy ones after their current answer (sent with Connection:
// close). It does not wait; Shutdown does.
func (fp *FastPath) Close() error { return fp.l.Close() }

// Shutdown closes the lane like Close and waits until its connections
// have finished, or until ctx ends: then it closes them and returns
// ctx.Err(). The lane's idle upstream connections are closed either way.
func (fp *FastPath) Shutdown(ctx context.Context) error { return fp.l.Shutdown(ctx) }
