package embedded_test

import (
	"testing"

	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func TestSyncAlways(t *testing.T) {
	for _, want := range []bool{false, true} {
		s, err := embedded.Start(embedded.Options{Dir: t.TempDir(), SyncAlways: want})
		if err != nil {
			t.Fatal(err)
		}
		got := s.Server().JetStreamConfig()
		s.Shutdown()
		if got == nil || got.SyncAlways != want {
			t.Errorf("SyncAlways %v: JetStream config %+v, want sync_always %v", want, got, want)
		}
	}
}
