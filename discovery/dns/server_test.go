package dns_test

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"golang.org/x/net/dns/dnsmessage"
)

// zone is a tiny authoritative DNS server on loopback UDP, enough for the
// Go resolver: SRV, A and AAAA answers from records the test edits. It
// answers NXDOMAIN for names it has no record of. It implements
// discovery.Store for the conformance suite: Put publishes an instance's
// address as an SRV record of srvName, keyed by ID.
type zone struct {
	t       *testing.T
	srvName string
	addr    string

	mu   sync.Mutex
	srv  map[string]netip.AddrPort // SRV records of srvName by instance ID
	ips  map[string][]netip.Addr   // A/AAAA records by name
	conn net.PacketConn
	done chan struct{}
}

func newZone(t *testing.T, srvName string) *zone {
	z := &zone{t: t, srvName: srvName, srv: map[string]netip.AddrPort{}, ips: map[string][]netip.Addr{}}
	z.addr = z.listen("127.0.0.1:0")
	t.Cleanup(z.close)
	return z
}

// listen serves on addr and returns the address it got. z.addr is set
// once, by newZone, and never changes: restarts reuse it.
func (z *zone) listen(addr string) string {
	z.t.Helper()
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		z.t.Fatalf("dns listen: %v", err)
	}
	z.conn, z.done = conn, make(chan struct{})
	go z.serve(conn, z.done)
	return conn.LocalAddr().String()
}

func (z *zone) close() {
	z.conn.Close()
	<-z.done
}

// restart closes the socket and listens again on the same port.
func (z *zone) restart() {
	z.close()
	z.listen(z.addr)
}

// resolver is a net.Resolver that asks only this zone.
//
// Its connections close when their context ends. The net package reads a
// UDP answer until the connection's deadline, not until the lookup's
// context is cancelled: a lookup whose caller has gone (an instancer's
// Stop) goes on in the background, and a query lost in a zone restart
// would keep its goroutine for the resolv.conf timeout (5 s), past the
// end of the test binary and goleak's check.
func (z *zone) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "udp", z.addr)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { c.Close() })
		return c, nil
	}}
}

func (z *zone) Put(_ context.Context, in discovery.Instance, _ time.Duration) error {
	ap, err := netip.ParseAddrPort(in.Address)
	if err != nil {
		return err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.srv[in.ID] = ap
	return nil
}

func (z *zone) Delete(_ context.Context, in discovery.Instance) error {
	z.mu.Lock()
	defer z.mu.Unlock()
	delete(z.srv, in.ID)
	return nil
}

func (z *zone) setIPs(name string, ips ...string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.ips[name] = nil
	for _, s := range ips {
		z.ips[name] = append(z.ips[name], netip.MustParseAddr(s))
	}
}

func (z *zone) serve(conn net.PacketConn, done chan struct{}) {
	defer close(done)
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := z.answer(buf[:n]); resp != nil {
			_, _ = conn.WriteTo(resp, from)
		}
	}
}

func (z *zone) answer(req []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(req)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	name := strings.ToLower(q.Name.String())
	z.mu.Lock()
	defer z.mu.Unlock()
	ips, known := z.ips[name]
	if ip, ok := targetIP(name); ok {
		ips, known = []netip.Addr{ip}, true
	}
	known = known || name == z.srvName
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	_ = b.StartQuestions()
	_ = b.Question(q)
	_ = b.StartAnswers()
	hdr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0}
	switch {
	case q.Type == dnsmessage.TypeSRV && name == z.srvName:
		for _, ap := range z.srv {
			target := dnsmessage.MustNewName(targetName(ap.Addr()))
			_ = b.SRVResource(hdr, dnsmessage.SRVResource{Priority: 10, Weight: 10, Port: ap.Port(), Target: target})
		}
	case q.Type == dnsmessage.TypeA:
		for _, ip := range ips {
			if ip.Is4() {
				_ = b.AResource(hdr, dnsmessage.AResource{A: ip.As4()})
			}
		}
	case q.Type == dnsmessage.TypeAAAA:
		for _, ip := range ips {
			if ip.Is6() {
				_ = b.AAAAResource(hdr, dnsmessage.AAAAResource{AAAA: ip.As16()})
			}
		}
	}
	msg, err := b.Finish()
	if err != nil {
		z.t.Errorf("dns answer for %s: %v", name, err)
		return nil
	}
	return msg
}

// targetName is the SRV target the zone publishes for ip:
// "ip-127-0-0-1.test." (targets must be host names, not IP literals).
func targetName(ip netip.Addr) string {
	return "ip-" + strings.NewReplacer(".", "-", ":", "-").Replace(ip.String()) + ".test."
}

// targetIP answers A queries for the names targetName makes (IPv4 only).
func targetIP(name string) (netip.Addr, bool) {
	s, ok := strings.CutPrefix(name, "ip-")
	if !ok {
		return netip.Addr{}, false
	}
	s, ok = strings.CutSuffix(s, ".test.")
	if !ok {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(strings.ReplaceAll(s, "-", "."))
	return ip, err == nil && ip.Is4()
}
