// Package embedded runs a nats-server inside the process: Gantry's default
// on one machine, so that a service (and its events, over JetStream) needs
// nothing installed. With Options.Dir set, JetStream keeps its streams in
// that directory and a restarted server finds them again.
//
// It is a package of its own so that only the programs that embed a
// server link nats-server. Note what importing it does: nats-server imports
// net/http/pprof, which registers the /debug/pprof/ handlers on
// http.DefaultServeMux. Never serve http.DefaultServeMux in a program that
// imports this package (Gantry's kit never does).
//
// kit/natskit wires it with natskit.New(app, embedded.Starter): the server
// starts when GANTRY_NATS_URL is unset and stops after the connection has
// drained.
package embedded
