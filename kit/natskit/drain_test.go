package natskit_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/kittest"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// TestStopClosesAHungDrain: a subscription on the App's connection whose
// handler never returns holds the connection's drain (nats.go would wait
// its own 30s drain timeout). The App's stop still returns, nil, once the
// bound has passed: the connection ends closed, and a warning says so.
func TestStopClosesAHungDrain(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	logs := &logcheck.Buffer{}
	a := kit.New("shipping", kit.WithArgs(kittest.Args()), kit.WithoutSignals(), kit.WithLogOutput(logs),
		kit.WithGetenv(func(k string) string { return map[string]string{"GANTRY_NATS_URL": srv.URL()}[k] }))
	n := natskit.New(a, nil)
	const bound = 100 * time.Millisecond
	natskit.SetDrainBound(n, bound)
	stop := kittest.Start(t, a)

	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { close(release) }) // after the test: the handler returns, its goroutine ends
	if _, err := n.Conn().Subscribe("stuck", func(*nats.Msg) {
		once.Do(func() { close(entered) })
		<-release
	}); err != nil {
		t.Fatal(err)
	}
	for range 3 { // one held by the handler, two waiting behind it
		if err := n.Conn().Publish("stuck", nil); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-entered:
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing assertion
		t.Fatal("the handler never ran")
	}

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// Far above the bound, far below nats.go's own 30s drain timeout: a
	// stop that returns here was cut short by natskit, not by nats.go.
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Run = %v, want nil: a drain cut short is not a failed stop", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("stop still waiting for a drain its handler holds")
	}
	// From the outside: the server no longer has the App's connection.
	// (Its Status may say DRAINING_PUBS for up to 5s more: nats.go's drain
	// goroutine, woken by the Close, flips it back and flushes, then
	// closes again.)
	for end := time.Now().Add(20 * time.Second); srv.Server().NumClients() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("server still has %d clients after stop, want the App's connection closed", srv.Server().NumClients())
		}
	}
	lines, err := logcheck.Lines(strings.NewReader(logs.String()))
	if err != nil {
		t.Fatal(err)
	}
	warned := 0
	for _, l := range lines {
		if l["msg"] == "nats: drain did not finish; closing" {
			warned++
			if l["level"] != "WARN" || l["after"] != bound.String() {
				t.Errorf("drain warning %v, want level WARN, after %s", l, bound)
			}
		}
	}
	if warned != 1 {
		t.Errorf("%d drain warnings, want 1; log:\n%s", warned, logs.String())
	}
}
