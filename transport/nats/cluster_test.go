package nats_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/internal/natscluster"
	natst "github.com/gantrykit/gantry/transport/nats"
)

// TestConnectMovesAcrossClusterNodes: a connection made by Connect, given
// every node's URL or only one (the others learned from the server), moves
// to another node when its own is killed, and request-reply through it
// works again.
func TestConnectMovesAcrossClusterNodes(t *testing.T) {
	c := natscluster.Start(t, natscluster.Options{})
	tests := []struct {
		name string
		url  string
	}{
		{"every URL", c.URLs()},
		{"one URL, others discovered", c.URL(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			responder, err := natst.Connect(c.URLs(), "responder", nil, nats.ReconnectWait(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(responder.Close)
			serve(t, responder, "greet", hello)

			nc, err := natst.Connect(tt.url, t.Name(), nil, nats.ReconnectWait(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(nc.Close)
			call := client(nc, "greet")
			if _, err := call(context.Background(), greetReq{Name: "before"}); err != nil {
				t.Fatal(err)
			}
			if tt.url == c.URL(0) && len(nc.DiscoveredServers()) != c.Nodes()-1 {
				t.Fatalf("discovered %v, want the other %d nodes", nc.DiscoveredServers(), c.Nodes()-1)
			}
			was := nc.ConnectedServerName()
			i := c.Index(was)
			c.Kill(i)
			t.Cleanup(func() { c.Restart(i) })

			deadline := time.Now().Add(30 * time.Second)
			for {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				resp, err := call(ctx, greetReq{Name: "after"})
				cancel()
				if err == nil {
					if resp.Message != "hello after" {
						t.Errorf("got %q, want hello after", resp.Message)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no answer within 30s of killing %s: %v", was, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if now := nc.ConnectedServerName(); now == was || c.Index(now) < 0 {
				t.Errorf("connected to %q after killing %s, want another node", now, was)
			}
		})
	}
}
