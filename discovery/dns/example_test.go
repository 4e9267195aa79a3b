package dns_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"github.com/gantrykit/gantry/discovery/dns"
)

// cluster answers like Kubernetes DNS for a headless Service with two
// ready pods. Any Resolver works; in production leave Options.Resolver nil
// (net.DefaultResolver).
type cluster struct{}

func (cluster) LookupSRV(_ context.Context, _, _, name string) (string, []*net.SRV, error) {
	return name, []*net.SRV{
		{Target: "10-0-0-7.orders.shop.svc.cluster.local.", Port: 8080},
		{Target: "10-0-0-8.orders.shop.svc.cluster.local.", Port: 8080},
	}, nil
}

func (cluster) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch host {
	case "10-0-0-7.orders.shop.svc.cluster.local.":
		return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
	case "10-0-0-8.orders.shop.svc.cluster.local.":
		return []netip.Addr{netip.MustParseAddr("10.0.0.8")}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// Following a Kubernetes headless Service through its SRV records.
func ExampleNewSRV() {
	orders := dns.NewSRV("orders", "_http._tcp.orders.shop.svc.cluster.local.",
		dns.Options{Resolver: cluster{}, ResolveTargets: true})
	defer orders.Stop()
	for _, in := range orders.Instances() {
		fmt.Println(in.Address)
	}
	// Output:
	// 10.0.0.7:8080
	// 10.0.0.8:8080
}
