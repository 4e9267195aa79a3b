package natscluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/internal/fulltest"
)

// Options shape the cluster. The zero value is three nodes with the
// server's default sync_interval.
type Options struct {
	Nodes int // default 3
	// SyncAlways sets sync_interval: always (fsync after every write).
	SyncAlways bool
}

// Cluster is a running cluster. Its methods fail the test on error and are
// safe for concurrent use.
type Cluster struct {
	t     testing.TB
	bin   string
	nodes []*node
}

type node struct {
	name                 string
	port, route, monitor int
	dir                  string
	mu                   sync.Mutex
	cmd                  *exec.Cmd
	exited               chan struct{}
}

// Start starts the cluster and waits until every node reports healthy
// (JetStream meta leader known, every stream current). A cluster takes
// seconds to start and its tests tens of seconds to run, so Start skips the
// test unless GANTRY_TEST_FULL=1 (internal/fulltest; .ci/run sets it), and
// under -short.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	fulltest.Require(t, "starts a NATS cluster of separate processes")
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin}
	dir := t.TempDir()
	ports := freePorts(t, 3*o.Nodes)
	for i := range o.Nodes {
		p := ports[3*i:]
		n := &node{name: fmt.Sprintf("n%d", i), port: p[0], route: p[1], monitor: p[2], dir: filepath.Join(dir, fmt.Sprintf("n%d", i))}
		c.nodes = append(c.nodes, n)
	}
	for _, n := range c.nodes {
		if err := os.MkdirAll(n.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(n.dir, "server.conf"), []byte(c.config(n, o)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(c.stopAll)
	for i := range c.nodes {
		c.launch(i)
	}
	for i := range c.nodes {
		c.WaitHealthy(i)
	}
	return c
}

func (c *Cluster) config(n *node, o Options) string {
	var routes []string
	for _, m := range c.nodes {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", m.route))
	}
	sync := ""
	if o.SyncAlways {
		sync = "sync_interval: always"
	}
	return fmt.Sprintf(`server_name: %s
listen: 127.0.0.1:%d
http: 127.0.0.1:%d
jetstream {
  store_dir: %q
  max_memory_store: 64MB
  max_file_store: 1GB
  %s
}
cluster {
  name: gantry-test
  listen: 127.0.0.1:%d
  routes: [%s]
}
`, n.name, n.port, n.monitor, filepath.Join(n.dir, "js"), sync, n.route, strings.Join(routes, ", "))
}

func (c *Cluster) launch(i int) {
	n := c.nodes[i]
	log, err := os.OpenFile(filepath.Join(n.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "-c", filepath.Join(n.dir, "server.conf"))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		log.Close()
		c.t.Fatalf("natscluster: start %s: %v", n.name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(exited)
	}()
	n.mu.Lock()
	n.cmd, n.exited = cmd, exited
	n.mu.Unlock()
}

// Nodes is the number of nodes.
func (c *Cluster) Nodes() int { return len(c.nodes) }

// Name is node i's server name (n0, n1, ...), as JetStream reports leaders.
func (c *Cluster) Name(i int) string { return c.nodes[i].name }

// URL is node i's client URL.
func (c *Cluster) URL(i int) string { return fmt.Sprintf("nats://127.0.0.1:%d", c.nodes[i].port) }

// URLs is every node's client URL, comma-separated, as nats.Connect and
// GANTRY_NATS_URL take them.
func (c *Cluster) URLs() string {
	urls := make([]string, len(c.nodes))
	for i := range c.nodes {
		urls[i] = c.URL(i)
	}
	return strings.Join(urls, ",")
}

// Index returns the index of the node named name, or -1.
func (c *Cluster) Index(name string) int {
	for i, n := range c.nodes {
		if n.name == name {
			return i
		}
	}
	return -1
}

// Kill sends node i SIGKILL and waits until it has exited: no lame duck,
// no flush, connections cut.
func (c *Cluster) Kill(i int) { c.signal(i, syscall.SIGKILL) }

// Stop stops node i gracefully (SIGTERM) and waits until it has exited.
func (c *Cluster) Stop(i int) { c.signal(i, syscall.SIGTERM) }

func (c *Cluster) signal(i int, sig syscall.Signal) {
	n := c.nodes[i]
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		c.t.Errorf("natscluster: %s did not exit within 30s of %v", n.name, sig)
	}
	n.mu.Lock()
	n.cmd = nil
	n.mu.Unlock()
}

// Restart starts node i again (after Kill or Stop) on its ports and store
// and waits until it reports healthy.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	c.launch(i)
	c.WaitHealthy(i)
}

// WaitHealthy waits (up to 60s) until node i's /healthz says ok: for a
// clustered server, connected to the meta leader with every stream and
// consumer current.
func (c *Cluster) WaitHealthy(i int) {
	c.t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", c.nodes[i].monitor)
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		c.nodes[i].mu.Lock()
		exited := c.nodes[i].exited
		c.nodes[i].mu.Unlock()
		select {
		case <-exited:
			c.t.Fatalf("natscluster: %s exited while starting:\n%s", c.nodes[i].name, c.logTail(i))
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			var h struct{ Status, Error string }
			_ = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if resp.StatusCode == 200 && h.Status == "ok" {
				return
			}
			last = fmt.Sprintf("%d %s %s", resp.StatusCode, h.Status, h.Error)
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("natscluster: %s not healthy in 60s: %s\n%s", c.nodes[i].name, last, c.logTail(i))
}

// StreamLeader returns the index of the node leading stream, waiting (up
// to 30s) while it has none.
func (c *Cluster) StreamLeader(t testing.TB, stream string) int {
	t.Helper()
	info := c.waitStream(t, stream, "a leader", func(info *jetstream.StreamInfo) bool {
		return info.Cluster != nil && c.Index(info.Cluster.Leader) >= 0
	})
	return c.Index(info.Cluster.Leader)
}

// WaitStreamCurrent waits (up to 30s) until stream has a leader and every
// other replica is online and current, as after a restarted node caught up.
func (c *Cluster) WaitStreamCurrent(t testing.TB, stream string) *jetstream.StreamInfo {
	t.Helper()
	return c.waitStream(t, stream, "every replica current", func(info *jetstream.StreamInfo) bool {
		if info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != info.Config.Replicas-1 {
			return false
		}
		for _, r := range info.Cluster.Replicas {
			if !r.Current || r.Offline {
				return false
			}
		}
		return true
	})
}

func (c *Cluster) waitStream(t testing.TB, stream, what string, ok func(*jetstream.StreamInfo) bool) *jetstream.StreamInfo {
	t.Helper()
	nc, err := nats.Connect(c.URLs(), nats.MaxReconnects(-1))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := js.Stream(ctx, stream)
		var info *jetstream.StreamInfo
		if err == nil {
			info, err = s.Info(ctx)
		}
		cancel()
		if err == nil && ok(info) {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("natscluster: stream %s without %s in 30s: %+v, %v", stream, what, info, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logTail returns the end of node i's log, for failure messages.
func (c *Cluster) logTail(i int) string {
	b, _ := os.ReadFile(filepath.Join(c.nodes[i].dir, "server.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (c *Cluster) stopAll() {
	var wg sync.WaitGroup
	for i := range c.nodes {
		wg.Go(func() { c.Stop(i) })
	}
	wg.Wait()
	if c.t.Failed() {
		for i, n := range c.nodes {
			c.t.Logf("natscluster: %s log:\n%s", n.name, c.logTail(i))
		}
	}
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(t testing.TB, n int) []int {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}
