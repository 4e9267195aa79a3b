// Package natskv keeps a service registry in a NATS JetStream key-value
// bucket: the default backend when an application already has a NATS
// connection, since it needs no other infrastructure.
//
// Each instance is one key, "<service>.<id>", holding discovery's JSON
// encoding of the Instance. [Registry.Put] writes it with a per-message TTL
// (the Nats-TTL header), so the server itself removes an instance that
// stopped heartbeating and tells every watcher. Per-key TTL needs
// nats-server 2.11 or newer (the bucket is created with LimitMarkerTTL).
// On an older server [New] falls back: the bucket gets a bucket-wide TTL
// (Options.FallbackTTL, which must be at least the registrars' TTL) and
// instancers drop entries older than that TTL on their own (client-side
// staleness, which assumes clocks in sync to well under the TTL).
//
// TTLs are whole seconds (the server's unit), rounded up, at least 1s.
//
// When a server comes back without its JetStream state (a new store,
// memory storage), the next heartbeat creates the bucket again and every
// live instance registers itself again within a heartbeat or two.
//
// An instancer ([Registry.Instancer]) watches "<service>.*". When the connection drops it sends
// an sd.Event with an error and keeps the last set; after the reconnect it
// watches again from scratch, so changes missed while disconnected are
// caught up.
//
// [ConfigSource] reads live configuration overlays (package liveconfig)
// from another bucket of the same JetStream, gantry_config by default.
package natskv
