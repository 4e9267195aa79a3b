package events_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine a test starts (servers, subscribers, connections) must
// be stopped by the time the package's tests end, except the one nats.go
// v1.53.1 blocks for good in a Consume drained after a reconnection
// (TestStopBoundsADrainNATSHolds; see awaitDrained).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/nats-io/nats.go/jetstream.(*pullSubscription).checkPending"))
}
