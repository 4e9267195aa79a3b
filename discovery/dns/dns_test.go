package dns_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/discoverytest"
	"github.com/gantrykit/gantry/discovery/dns"
	"github.com/go-kit/kit/sd"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const srvName = "_http._tcp.orders.shop.svc.cluster.local."

func TestConformanceSRV(t *testing.T) {
	discoverytest.Run(t, func(t *testing.T) discoverytest.Backend {
		z := newZone(t, srvName)
		return discoverytest.Backend{
			Store: z,
			NewInstancer: func(service string) (discovery.Instancer, error) {
				name := srvName
				if service != "orders" { // other services live under other names
					name = "_http._tcp." + service + ".shop.svc.cluster.local."
				}
				return dns.NewSRV(service, name, dns.Options{Resolver: z.resolver(), Interval: 20 * time.Millisecond, ResolveTargets: true}), nil
			},
			TTL:     time.Second,
			Restart: z.restart,
		}
	})
}

func first(t *testing.T, in sd.Instancer) sd.Event {
	t.Helper()
	ch := make(chan sd.Event, 1)
	in.Register(ch)
	defer in.Deregister(ch)
	return <-ch
}

func TestA(t *testing.T) {
	z := newZone(t, srvName)
	z.setIPs("orders.test.", "10.0.0.2", "10.0.0.1", "fd00::1")
	in := dns.NewA("orders", "orders.test.", 8080, dns.Options{Resolver: z.resolver(), Interval: time.Hour})
	defer in.Stop()
	ev := first(t, in)
	if want := []string{"10.0.0.1:8080", "10.0.0.2:8080", "[fd00::1]:8080"}; ev.Err != nil || !slices.Equal(ev.Instances, want) {
		t.Fatalf("first event: got %v (err %v), want %v", ev.Instances, ev.Err, want)
	}
}

func TestNotFoundIsEmpty(t *testing.T) {
	z := newZone(t, srvName)
	in := dns.NewA("orders", "missing.test.", 8080, dns.Options{Resolver: z.resolver(), Interval: time.Hour})
	defer in.Stop()
	if ev := first(t, in); ev.Err != nil || ev.Instances == nil || len(ev.Instances) != 0 {
		t.Fatalf("NXDOMAIN: got %v (err %v), want an empty set", ev.Instances, ev.Err)
	}
}

func TestLookupFailureKeepsLastSet(t *testing.T) {
	z := newZone(t, srvName)
	z.setIPs("orders.test.", "10.0.0.1")
	in := dns.NewA("orders", "orders.test.", 80, dns.Options{Resolver: z.resolver(), Interval: 20 * time.Millisecond})
	defer in.Stop()
	ch := make(chan sd.Event, 16)
	in.Register(ch)
	defer in.Deregister(ch)
	if ev := <-ch; len(ev.Instances) != 1 {
		t.Fatalf("first event: got %+v, want one instance", ev)
	}
	z.close() // the DNS server goes away: lookups time out or are refused
	defer z.listen(z.addr)
	ev := <-ch
	if ev.Err == nil {
		t.Fatalf("event after the server went away: got %+v, want an error", ev)
	}
	if got := in.Instances(); len(got) != 1 || got[0].Address != "10.0.0.1:80" {
		t.Fatalf("Instances during the outage: got %+v, want the last set", got)
	}
}

func TestSRVTargets(t *testing.T) {
	z := newZone(t, srvName)
	for id, addr := range map[string]string{"a": "10.0.0.1:8080", "b": "10.0.0.2:9090"} {
		if err := z.Put(t.Context(), discovery.Instance{Service: "orders", ID: id, Address: addr}, 0); err != nil {
			t.Fatal(err)
		}
	}
	in := dns.NewSRV("orders", srvName, dns.Options{Resolver: z.resolver(), Interval: time.Hour})
	defer in.Stop()
	ev := first(t, in)
	if want := []string{"ip-10-0-0-1.test:8080", "ip-10-0-0-2.test:9090"}; ev.Err != nil || !slices.Equal(ev.Instances, want) {
		t.Fatalf("first event: got %v (err %v), want %v", ev.Instances, ev.Err, want)
	}
}
