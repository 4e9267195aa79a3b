// Package conformance is the edge's conformance and smuggling suite: raw
// bytes in over a socket, and what each front answers and what its
// upstreams receive checked byte for byte. The same vectors (Vectors: the
// request side's framing, chunking, head, target, trust and upgrade
// classes, then the response side's scripted upstream answers) run against
// every Front: the gateway's net/http front, its fast lane, and Debian's
// nginx as the reference (Nginx). Run prints one line per vector and ends
// with "N passed, N failed"; RunCrossTalk has clients on keep-alive
// connections at once, each checking it gets only its own answers.
//
// The vectors are also the seeds of the differential fuzz targets of
// packages edge and lane (RequestSeeds, ResponseSeeds, Bodies, Targets).
// The package is for tests: it takes a *testing.T and starts processes.
//
//	go test -count=1 -v -run 'TestConformance|TestCrossTalk' ./gateway/
package conformance
