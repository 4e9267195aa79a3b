// Package discovery registers service instances and finds them again.
//
// The server side is a [Registrar]: it registers an [Instance] in a
// registry with a time-to-live, refreshes it by heartbeats from one goroutine
// it owns, registers it again when the registry comes back after an outage,
// and deregisters it on Stop. Register after the service is ready and
// deregister before it drains (kit does both), so no client is sent to an
// instance that cannot answer.
//
// The client side is go-kit's sd.Instancer, so sd.NewEndpointer, go-kit's
// sd/lb and Gantry's discovery/lb work unchanged on top. Every backend's
// instancer is also an [Instancer], which reports full Instance records
// (zone, version, metadata) besides the addresses go-kit sees.
//
// Backends, one package each, all passing discovery/discoverytest:
//
//	static   fixed lists (code, env, file) and an in-memory registry
//	dns      SRV and A/AAAA records re-resolved on an interval (Kubernetes headless Services)
//	natskv   a NATS JetStream key-value bucket with per-key TTL (the default with NATS)
//	etcd     etcd v3 leases with keepalive, and a watch
//
// Beside them, discovery/lb balances calls over an instancer (P2C peak-EWMA,
// round robin, random; retries on another instance under a budget) and
// discovery/mtls builds the TLS settings for mutually authenticated calls.
//
// What a client sees when the registry fails: instancers are fail-static.
// They keep publishing the last known set and send an sd.Event with Err
// while the registry is unreachable, then the full set again once it is
// back. An instance that dies without deregistering leaves the set about
// one TTL after its last heartbeat.
package discovery
