// Package fulltest gates the heavy acceptance tests: those that generate and
// build whole services, start the shop as separate processes, run etcd, a
// NATS cluster or nginx, drive a browser, or restart a database. They run
// only with GANTRY_TEST_FULL=1, which .ci/run sets, so that a plain
// `go test ./...` stays quick and CI still runs everything (with -race).
//
//	func TestAcceptance(t *testing.T) {
//		fulltest.Require(t, "generates, builds and runs three services")
//		...
//	}
//
// A skipped test says how to run it. -short skips them even with the
// variable set. CI=true is another thing: it makes a test whose tool or
// server is missing fail rather than skip.
package fulltest
