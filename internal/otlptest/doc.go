// Package otlptest is an OTLP/HTTP trace receiver for tests, run on
// loopback as a collector would run it: it accepts POST /v1/traces in
// protobuf (gzip or not) and decodes each export request with the OTLP
// protocol's own generated types (go.opentelemetry.io/proto/otlp), so a
// test sees what a real collector would, never the SDK's memory. It also
// renders a trace as an indented tree for a test's verbose output.
package otlptest
