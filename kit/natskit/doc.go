// Package natskit wires NATS into a kit App: the connection (to a server
// or cluster, or to an embedded server on one machine), events consumers
// that live as long as the App, self-registration in the NATS key-value
// registry, and configuration overlays from a NATS key-value bucket.
//
// It is a package of its own so that a service pays for NATS only when it
// uses it: kit itself imports neither nats.go nor events, and an HTTP-only
// service links neither. Everything is passed in; nothing is registered
// process-wide.
//
//	app := kit.New("orders")
//	n := natskit.New(app, embedded.Starter)       // GANTRY_NATS_URL, or an embedded server
//	natskit.Subscribe(n, events.Consumer{Stream: "ORDERS", Durable: "billing"}, bill)
//	n.Register(kit.Registration{})                 // in discovery/natskv once ready
//	lc := app.WatchConfig(n.ConfigSource(""), "")  // overlays from the gantry_config bucket
//	err := app.Run(ctx)
//
// The App's start hooks connect in the order they were added, so add hooks
// that use Conn or JetStream (declaring streams, say) after New. At
// shutdown the consumers stop first, letting their handlers finish, then
// the connection drains (for at most 5 s: a drain still unfinished then
// is closed with a warning) and the embedded server, if any, stops.
//
// The connection's settings are the runtime's (kit.Config.NATS and
// DataDir): GANTRY_NATS_URL, GANTRY_NATS_PORT and GANTRY_DATA_DIR. On a
// cluster, give every service all its nodes' URLs in GANTRY_NATS_URL (the
// connection also learns the others from the server) and
// GANTRY_NATS_REPLICAS=3: the discovery and configuration buckets and the
// streams a service declares with Replicas then keep three copies (see
// package events, "Durability").
package natskit
