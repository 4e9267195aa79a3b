// Package cmd holds the shop's commands, one per service (user, product,
// order, gateway), for running the shop as separate processes against an
// external NATS server. Its test builds the four and runs an order through
// them; each exports its spans to an OTLP/HTTP receiver the test runs, and
// the test checks that the order is one trace across the processes (the
// span tree is in its verbose output) and that every log line of the
// order carries its trace_id and request_id, with no key twice.
package cmd
