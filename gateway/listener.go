package gateway

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// NewListener wraps a cleartext listener so that the net/http front sees
// every HTTP/1.x request as the client sent it: each connection's bytes
// pass through the gateway's admission (one Content-Length or one chunked
// Transfer-Encoding, one Host, strict heads and chunked bodies; see the
// package doc) as the http.Server serving the listener reads them, and
// Gateway.ServeHTTP refuses a request whose head admission refused, with
// the connection closed after the answer. A chunked body that breaks its
// framing stops the connection's bytes there: the server reads an error,
// and nothing after the break reaches an upstream.
//
// net/http alone hides some of what the gateway refuses (it drops a
// Content-Length sent beside Transfer-Encoding, and ignores
// Transfer-Encoding in HTTP/1.0 requests), so serve the gateway on a
// listener from NewListener. The command and the shop do; TLS
// connections, which kit's server terminates itself, get every check
// net/http's request shows (the path, Connection, Upgrade, duplicated
// fields) but not those two.
//
// maxHeaderBytes is the limit of the http.Server serving the listener
// (its MaxHeaderBytes; 0 means net/http's default, 1 MiB): admission lets
// a head grow as large as the server will read (the limit plus net/http's
// 4 KiB of slack) and refuses a larger one with 431, so a raised
// server.max_header_bytes is raised at the edge too.
//
// The listener returned has the inner listener's Shutdown method, if it
// has one (as FastPath does), so kit's runtime drains both.
func NewListener(ln net.Listener, maxHeaderBytes int) net.Listener {
	if maxHeaderBytes <= 0 {
		maxHeaderBytes = http.DefaultMaxHeaderBytes
	}
	l := listener{ln, maxHeaderBytes + 4096}
	if s, ok := ln.(shutdowner); ok {
		return &shutdownListener{l, s}
	}
	return &l
}

type shutdowner interface {
	Shutdown(context.Context) error
}

type listener struct {
	net.Listener
	maxHead int // the largest request head admission reads
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newEdgeConn(c, l.maxHead), nil
}

type shutdownListener struct {
	listener
	s shutdowner
}

// Shutdown calls the inner listener's.
func (l *shutdownListener) Shutdown(ctx context.Context) error { return l.s.Shutdown(ctx) }

// edgeConn feeds what the server reads to the connection's edge.Stream.
type edgeConn struct {
	net.Conn
	stream edge.Stream
	err    atomic.Pointer[error] // the stream's framing error: every later Read returns it
	local  edgeAddr
}

func newEdgeConn(c net.Conn, maxHead int) *edgeConn {
	ec := &edgeConn{Conn: c}
	ec.stream.MaxHead = maxHead
	ec.local = edgeAddr{Addr: c.LocalAddr(), c: ec}
	return ec
}

func (c *edgeConn) Read(p []byte) (int, error) {
	if err := c.err.Load(); err != nil {
		return 0, *err
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		if k, ferr := c.stream.Feed(p[:n]); ferr != nil {
			stored := ferr // only a broken stream pays for the pointer
			c.err.Store(&stored)
			return k, nil // the bytes before the break; the error next
		}
	}
	return n, err
}

// LocalAddr returns the connection's local address, through which
// ServeHTTP finds the connection: net/http puts it in every request's
// context (http.LocalAddrContextKey).
func (c *edgeConn) LocalAddr() net.Addr { return &c.local }

// edgeAddr is a local address that knows its connection.
type edgeAddr struct {
	net.Addr
	c *edgeConn
}

// bodyError returns the framing error NewListener found in the body of
// r's connection (a chunk it would not read as net/http does), or nil.
func bodyError(r *http.Request) error {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(*edgeAddr); ok {
		if err := a.c.err.Load(); err != nil {
			return *err
		}
	}
	return nil
}

// streamOf returns the edge.Stream of r's connection, or nil when r did
// not come through NewListener (or is not HTTP/1).
func streamOf(r *http.Request) *edge.Stream {
	if r.ProtoMajor != 1 {
		return nil
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(*edgeAddr); ok {
		return &a.c.stream
	}
	return nil
}
