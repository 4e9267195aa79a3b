package natscluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestClusterSurvivesLeaderKill: an R3 stream keeps every acknowledged
// message when its leader's process is killed, elects another leader, and
// the killed node catches up after its restart.
func TestClusterSurvivesLeaderKill(t *testing.T) {
	c := Start(t, Options{})
	nc, err := nats.Connect(c.URLs(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			for {
				// Each attempt has its own deadline: a publish that reaches
				// only followers while no leader is elected gets no answer,
				// and would otherwise wait out the whole test's context.
				actx, acancel := context.WithTimeout(ctx, 2*time.Second)
				_, err := js.Publish(actx, "t.x", []byte("m"), jetstream.WithMsgID(fmt.Sprint(i)))
				acancel()
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("publish %d: %v", i, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	publish(0, 100)
	leader := c.StreamLeader(t, "T")
	c.Kill(leader)
	publish(100, 200)
	if now := c.StreamLeader(t, "T"); now == leader {
		t.Fatalf("leader %s again while killed", c.Name(now))
	}
	c.Restart(leader)
	info := c.WaitStreamCurrent(t, "T")
	if info.State.Msgs != 200 {
		t.Errorf("stream has %d messages, want 200", info.State.Msgs)
	}
}
