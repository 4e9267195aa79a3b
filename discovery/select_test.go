package discovery_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/go-kit/kit/sd"
)

func TestSelectTransport(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	ctx := context.Background()
	put := func(id, grpcAddr string) {
		in := discovery.Instance{Service: "orders", ID: id, Address: "http://" + id + ":8080"}
		if grpcAddr != "" {
			in.Transports = map[string]string{"grpc": grpcAddr}
		}
		if err := reg.Put(ctx, in, 0); err != nil {
			t.Fatal(err)
		}
	}
	put("a", "a:9090")
	put("b", "") // serves HTTP only

	grpcs := discovery.Select(reg.Instancer("orders"), discovery.Transport("grpc"))
	defer grpcs.Stop()
	ch := make(chan sd.Event, 4)
	grpcs.Register(ch)
	defer grpcs.Deregister(ch)
	if ev := <-ch; !slices.Equal(ev.Instances, []string{"a:9090"}) {
		t.Fatalf("first event: got %v, want [a:9090]", ev.Instances)
	}
	put("b", "b:9090") // b starts serving gRPC: only its transports change
	select {
	case ev := <-ch:
		if !slices.Equal(ev.Instances, []string{"a:9090", "b:9090"}) {
			t.Fatalf("after b added gRPC: got %v, want [a:9090 b:9090]", ev.Instances)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no event after b added a gRPC transport")
	}
	if got := grpcs.Instances(); len(got) != 2 || got[1].ID != "b" || got[1].Address != "b:9090" {
		t.Fatalf("Instances: got %+v, want a and b with their gRPC addresses", got)
	}
}

func TestSelectZone(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	for id, zone := range map[string]string{"a": "eu-1", "b": "us-1", "c": "eu-1"} {
		_ = reg.Put(context.Background(), discovery.Instance{Service: "s", ID: id, Address: id + ":1", Zone: zone}, 0)
	}
	eu := discovery.Select(reg.Instancer("s"), func(in discovery.Instance) (string, bool) { return in.Address, in.Zone == "eu-1" })
	defer eu.Stop()
	var got []string
	for _, in := range eu.Instances() {
		got = append(got, in.ID)
	}
	if !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("eu-1 instances: got %v, want [a c]", got)
	}
}

// TestSelectUnderChurn: many quick updates while Select reads the source's
// Instances from its event loop must not deadlock.
func TestSelectUnderChurn(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	sel := discovery.Select(reg.Instancer("s"), discovery.Transport("grpc"))
	defer sel.Stop()
	for i := range 500 {
		in := discovery.Instance{Service: "s", ID: "a", Address: "a:1", Transports: map[string]string{"grpc": "a:" + string(rune('0'+i%10))}}
		if err := reg.Put(context.Background(), in, 0); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := sel.Instances(); len(got) == 1 && got[0].Address == "a:9" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Instances after 500 updates: got %+v, want a at a:9", sel.Instances())
		}
		time.Sleep(time.Millisecond)
	}
}
