package telemetry

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"sync"
)

// HeaderRequestID is the HTTP header, NATS header and (lower-cased, as
// gRPC wants) gRPC metadata key that carries the request ID between
// services.
const HeaderRequestID = "X-Request-Id"

// MetadataRequestID is HeaderRequestID as gRPC metadata keys are written.
const MetadataRequestID = "x-request-id"

// MaxRequestIDLen is the longest request ID accepted from a peer.
const MaxRequestIDLen = 128

type requestIDKey struct{}

// WithRequestID returns a copy of ctx carrying the request ID id. An empty
// id returns ctx unchanged.
func WithRequestID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID ctx carries, or "".
func RequestID(ctx context.Context) string {
	switch v := ctx.Value(requestIDKey{}).(type) {
	case string:
		return v
	case *incomingIDCtx:
		return v.get()
	}
	return ""
}

// WithIncomingRequestID returns a copy of ctx carrying the request ID a
// server takes from a peer's header v: v itself when ValidRequestID
// accepts it, else a new one, as IncomingRequestID says. The new one is
// made on the first RequestID call, so that a request nothing logs or
// passes on pays for no random ID; every call returns the same ID.
func WithIncomingRequestID(ctx context.Context, v string) context.Context {
	c := &incomingIDCtx{Context: ctx}
	if ValidRequestID(v) {
		c.id = v
	}
	return c
}

// incomingIDCtx is WithIncomingRequestID's context: one allocation where
// WithRequestID takes two (the context and the boxed string).
type incomingIDCtx struct {
	context.Context
	once sync.Once
	id   string
}

func (c *incomingIDCtx) Value(key any) any {
	if _, ok := key.(requestIDKey); ok {
		return c
	}
	return c.Context.Value(key)
}

func (c *incomingIDCtx) get() string {
	c.once.Do(func() {
		if c.id == "" {
			c.id = NewRequestID()
		}
	})
	return c.id
}

func (c *incomingIDCtx) String() string { return "telemetry.WithIncomingRequestID" }

// ValidRequestID reports whether s may be taken from a peer as a request
// ID: 1 to MaxRequestIDLen printable ASCII characters, no spaces. Anything
// else is replaced, never relayed.
func ValidRequestID(s string) bool {
	if len(s) == 0 || len(s) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// NewRequestID returns a new request ID: 32 random hexadecimal digits.
// It is unique enough to join log lines, not a secret.
func NewRequestID() string {
	var b [16]byte
	var dst [32]byte
	x, y := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i], b[8+i] = byte(x>>(8*i)), byte(y>>(8*i))
	}
	hex.Encode(dst[:], b[:])
	return string(dst[:])
}

// IncomingRequestID returns v when ValidRequestID accepts it, else a new
// request ID: what a server does with the header a peer sent.
func IncomingRequestID(v string) string {
	if ValidRequestID(v) {
		return v
	}
	return NewRequestID()
}
