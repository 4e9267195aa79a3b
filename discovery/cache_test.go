package discovery_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"github.com/go-kit/log"
)

func TestCache(t *testing.T) {
	c := discovery.NewCache()
	ch := make(chan sd.Event, 8)
	c.Register(ch)
	if ev := <-ch; ev.Err != nil || ev.Instances == nil || len(ev.Instances) != 0 {
		t.Fatalf("first event: got %+v, want an empty set", ev)
	}
	c.Update([]discovery.Instance{
		{Service: "s", ID: "b", Address: "h:2"},
		{Service: "s", ID: "a", Address: "h:1"},
	})
	if ev := <-ch; !slices.Equal(ev.Instances, []string{"h:1", "h:2"}) {
		t.Fatalf("after update: got %v, want [h:1 h:2]", ev.Instances)
	}
	// The same records again: no event.
	c.Update([]discovery.Instance{
		{Service: "s", ID: "b", Address: "h:2"},
		{Service: "s", ID: "a", Address: "h:1"},
	})
	if len(ch) != 0 {
		t.Fatalf("update with the same records: got %d events, want 0", len(ch))
	}
	// Same addresses, new version: an event (for adapters reading
	// Instances), and Instances reports it.
	c.Update([]discovery.Instance{
		{Service: "s", ID: "a", Address: "h:1", Version: "2"},
		{Service: "s", ID: "b", Address: "h:2"},
	})
	if ev := <-ch; !slices.Equal(ev.Instances, []string{"h:1", "h:2"}) {
		t.Fatalf("after a version change: got %v, want [h:1 h:2]", ev.Instances)
	}
	if got := c.Instances(); len(got) != 2 || got[0].ID != "a" || got[0].Version != "2" {
		t.Fatalf("Instances: got %+v, want a (version 2), b", got)
	}
	c.Fail(errors.New("registry down"))
	if ev := <-ch; ev.Err == nil {
		t.Fatalf("after Fail: got %+v, want an error event", ev)
	}
	if got := c.Instances(); len(got) != 2 {
		t.Fatalf("Instances after Fail: got %d, want the last 2 (fail static)", len(got))
	}
	c.Update(c.Instances())
	if ev := <-ch; ev.Err != nil || len(ev.Instances) != 2 {
		t.Fatalf("update after Fail: got %+v, want the 2 instances again", ev)
	}
	c.Deregister(ch)
	c.Update(nil)
	if len(ch) != 0 {
		t.Fatalf("after Deregister: got %d events, want 0", len(ch))
	}
}

func TestCacheWithEndpointer(t *testing.T) {
	c := discovery.NewCache()
	c.Update([]discovery.Instance{{Service: "s", ID: "a", Address: "h:1"}})
	factory := func(addr string) (endpoint.Endpoint, io.Closer, error) {
		return func(context.Context, any) (any, error) { return addr, nil }, nil, nil
	}
	e := sd.NewEndpointer(c, factory, log.NewNopLogger())
	defer e.Close()
	// go-kit's endpointer takes the cache's first event on a goroutine of
	// its own: until then it has no endpoints.
	eps, err := e.Endpoints()
	for deadline := time.Now().Add(5 * time.Second); err == nil && len(eps) == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		eps, err = e.Endpoints()
	}
	if err != nil || len(eps) != 1 {
		t.Fatalf("Endpoints: got %d, %v, want 1, nil", len(eps), err)
	}
	if got, _ := eps[0](context.Background(), nil); got != "h:1" {
		t.Fatalf("endpoint answered %v, want h:1", got)
	}
}

func TestCacheSynced(t *testing.T) {
	for _, first := range []string{"update", "fail"} {
		c := discovery.NewCache()
		select {
		case <-c.Synced():
			t.Fatalf("%s: synced before the backend reported", first)
		default:
		}
		if first == "update" {
			c.Update(nil)
		} else {
			c.Fail(errors.New("registry down"))
		}
		select {
		case <-c.Synced():
		default:
			t.Fatalf("%s: not synced after the first report", first)
		}
		c.Update([]discovery.Instance{{Service: "s", ID: "1", Address: "a:1"}}) // a second report must not close twice
	}
}
