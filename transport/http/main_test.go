package http_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine behind: servers,
// clients and their connections all have owners that stop them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
