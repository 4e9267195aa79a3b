package events_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine a test starts (servers, subscribers, connections) must
// be stopped by the time the package's tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
