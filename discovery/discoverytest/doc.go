// Package discoverytest is the conformance suite every discovery backend
// passes, in the manner of testing/slogtest.
//
// A backend's test calls [Run] with a function that starts a fresh registry
// (a real server where there is one) and returns a [Backend]: the Store that
// writes to it, a way to make Instancers, and optionally a way to restart
// the registry. Run then checks, in parallel subtests, each on a fresh
// registry, that instances are seen after registration, updated, removed
// on deregistration, expired when their heartbeats stop, kept apart by
// service, and seen again after the registry restarts.
package discoverytest
