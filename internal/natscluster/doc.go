// Package natscluster runs a real NATS JetStream cluster on loopback for
// tests: separate nats-server processes, built from the nats-server module
// in go.mod (see Binary), joined by cluster routes, each with its own file
// store. A test can kill a node with SIGKILL, stop it gracefully, start it
// again on the same ports and store, and find which node leads a stream.
//
//	c := natscluster.Start(t, natscluster.Options{})
//	nc, _ := nats.Connect(c.URLs())   // every node's URL
//	c.Kill(c.StreamLeader(t, "ORDERS"))
//
// Servers are stopped at the test's end, and killed with the test process
// if it dies first (Linux). Start skips the test unless GANTRY_TEST_FULL=1
// (internal/fulltest), as .ci/run sets it.
package natscluster
