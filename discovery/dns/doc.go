// Package dns finds instances through DNS, re-resolving on an interval: SRV
// records ([NewSRV]) or A/AAAA records with a fixed port ([NewA]). This is
// the Kubernetes path: a headless Service publishes one A record per ready
// pod and SRV records per named port, and drops a pod's records when it
// stops being ready, so registration is Kubernetes' job and no Registrar is
// needed.
//
// A lookup that fails sends an sd.Event with the error and keeps the last
// set (fail static); a name that does not exist (NXDOMAIN) or has no
// records is an empty set. Instances are known only by address: their ID is
// the address and they carry no version, zone or metadata.
//
// The resolver is injectable ([Resolver], met by *net.Resolver), so a
// caller can point it at a specific DNS server or add caching.
package dns
