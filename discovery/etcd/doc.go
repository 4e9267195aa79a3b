// Package etcd keeps a service registry in etcd v3: one key per instance
// under "<prefix><service>/<id>" holding discovery's JSON encoding of the
// Instance, attached to a lease.
//
// [Registry.Put] grants a lease of the registrar's TTL on first use and
// refreshes it with one keepalive per heartbeat; when etcd says the lease is
// gone (it expired while the registry was unreachable, or etcd lost its
// data) Put grants a new one and writes the key again. etcd removes the key
// when its lease expires, so an instance that died leaves within about one
// TTL. etcd rounds small TTLs up to its minimum lease TTL (1.5 × election
// timeout, 2s with default settings).
//
// An instancer ([Registry.Instancer]) lists the service's prefix, then watches it from the next
// revision. If the watch fails (compaction, lost leader) it lists again and
// sends an sd.Event with an error while the list fails; it keeps the last
// set meanwhile. Every Options.Resync it also checks the cluster's revision
// and key count against what the watch delivered, and lists again if etcd
// was rebuilt or restored under it (a resumed watch would otherwise wait
// for a revision of the old cluster).
//
// The caller owns the *clientv3.Client: create it with the endpoints, TLS
// and credentials of the cluster, and close it after the Registry and its
// Instancers are stopped. go-kit's sd/etcdv3 is not used because its
// Registrar holds one lease per client without re-registration and takes no
// context.
package etcd
