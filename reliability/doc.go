//go:build reliability

// Package reliability is Gantry's reliability suite: scenarios that break
// real parts on loopback (instances killed, slowed or restarted, overload,
// outages, network faults through a fault-injecting TCP proxy, a NATS server
// restarted under a consumer, hostile inputs and forged tokens) and check
// what clients see. Every file builds only with the reliability tag, so go
// test ./... is unaffected:
//
//	go test -tags reliability -count=1 -v ./reliability/          # full profile
//	go test -tags reliability -count=1 -short ./reliability/      # CI's short profile
//
// Each scenario is bounded (at most 2 minutes), prints its figures, and the
// run ends with a "N passed, N failed" line. docs/reliability.md holds the
// figures of a full run.
package reliability
