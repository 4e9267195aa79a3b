//go:build reliability

package reliability

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy is a small fault-injecting TCP proxy (Toxiproxy is not used:
// it would be a dependency of the main module for tests alone). Its mode
// applies to new and existing connections:
//
//	pass      forward both ways
//	latency   delay every chunk from upstream by delay
//	blackhole accept and read, forward nothing, answer nothing
//	reset     close new and existing connections with RST
type faultProxy struct {
	addr     string
	upstream string
	mode     atomic.Value // string
	delay    atomic.Int64
	accepted atomic.Int64 // connections accepted, in any mode
	ln       net.Listener
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	wg       sync.WaitGroup
}

func newFaultProxy(t *testing.T, upstream string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{addr: ln.Addr().String(), upstream: upstream, ln: ln, conns: map[net.Conn]struct{}{}}
	p.mode.Store("pass")
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) set(mode string, delay time.Duration) {
	p.delay.Store(int64(delay))
	p.mode.Store(mode)
	if mode == "reset" {
		p.mu.Lock()
		for c := range p.conns {
			reset(c)
		}
		p.mu.Unlock()
	}
}

func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close sends RST
	}
	_ = c.Close()
}

func (p *faultProxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *faultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		if p.mode.Load() == "reset" {
			reset(c)
			continue
		}
		p.track(c, true)
		p.wg.Go(func() { p.handle(c) })
	}
}

func (p *faultProxy) handle(c net.Conn) {
	defer p.track(c, false)
	defer c.Close()
	if p.mode.Load() == "blackhole" {
		_, _ = io.Copy(io.Discard, c)
		return
	}
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	p.track(up, true)
	defer p.track(up, false)
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { p.pipe(up, c, false); done <- struct{}{} }()
	go func() { p.pipe(c, up, true); done <- struct{}{} }()
	<-done
	_ = c.Close()
	_ = up.Close()
	<-done
}

// pipe copies src to dst; fromUpstream chunks are delayed in latency mode
// and dropped in blackhole mode.
func (p *faultProxy) pipe(dst, src net.Conn, fromUpstream bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			switch p.mode.Load() {
			case "latency":
				if fromUpstream {
					time.Sleep(time.Duration(p.delay.Load()))
				}
			case "blackhole":
				n = 0
			}
			if n > 0 {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			return
		}
	}
}

func (p *faultProxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
