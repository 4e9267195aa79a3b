// Package nats is Gantry's request-reply transport over core NATS, built on
// go-kit's transport/nats (server side) and nats.go.
//
// Import it under a short name, since it shares its name with nats.go:
//
//	import natst "github.com/gantrykit/gantry/transport/nats"
//
// Server side: [NewSubscriber] turns a typed endpoint plus a [Decoder] and
// an [Encoder] into a message handler; Subscribe it in a queue group so
// that the instances of a service share the load. Client side: [NewClient]
// returns a typed endpoint.Func that middleware wraps like any other.
// JSON codecs ([DecodeJSON], [EncodeJSON]) are the usual choice.
//
// What the caller sees: the subscriber's errors travel as a Gantry-Error
// header (the kind's name) and a problem+json body, so an errs.NotFound on
// the server is an *errs.Error of KindNotFound with the same message on the
// client, exactly as over HTTP and gRPC; a plain error's text stays on the
// server. No subscriber on the subject is Unavailable; no reply in time is
// DeadlineExceeded. The client's deadline travels in the Gantry-Timeout
// header, and the subscriber's context ends when the caller stops waiting.
// Trace context travels in the headers (W3C by default) with the
// TracerProvider you pass.
//
// For one machine, package embedded runs a nats-server (with JetStream when
// given a directory) inside the process; for a real deployment [Connect]
// joins an external server or cluster with reconnects, buffered publishes
// and lame-duck handling. Events over JetStream live in package events.
package nats
