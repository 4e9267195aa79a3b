package etcd_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/fulltest"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/discoverytest"
	"github.com/gantrykit/gantry/discovery/etcd"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// etcdServer is a real etcd process on loopback ports with a temporary data
// directory, which a test can restart with its data.
type etcdServer struct {
	t        *testing.T
	bin, dir string
	client   string
	peer     string
	cmd      *exec.Cmd
	exited   chan struct{}
	stderr   *bytes.Buffer // etcd's log, read only after exited is closed
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startEtcd(t *testing.T) *etcdServer {
	t.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil {
		msg := "etcd binary not found: install it (Debian/Ubuntu: apt-get install etcd-server; or a release from https://github.com/etcd-io/etcd/releases) to run the etcd tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s := &etcdServer{t: t, bin: bin}
	// A port freePort found free may be taken by another test process
	// before etcd binds it; etcd then exits at once. A first start may pick
	// new ports (a restart keeps its own: they are in the data directory).
	for attempt := 1; ; attempt++ {
		s.dir = t.TempDir()
		s.client = "http://127.0.0.1:" + strconv.Itoa(freePort(t))
		s.peer = "http://127.0.0.1:" + strconv.Itoa(freePort(t))
		if s.launch() {
			break
		}
		if attempt == 3 {
			t.Fatalf("etcd exited before listening on %s, three times; its log:\n%s", s.client, s.stderr)
		}
		t.Logf("etcd exited before listening on %s (a port taken meanwhile?); new ports. Its log:\n%s", s.client, s.stderr)
	}
	t.Cleanup(s.kill)
	return s
}

func (s *etcdServer) start() {
	s.t.Helper()
	if !s.launch() {
		s.t.Fatalf("etcd exited before listening on %s; its log:\n%s", s.client, s.stderr)
	}
}

// launch starts etcd and waits until it answers. It returns false if etcd
// exited before listening on its client port.
func (s *etcdServer) launch() bool {
	s.t.Helper()
	s.cmd = exec.Command(s.bin,
		"--name", "t", "--data-dir", s.dir,
		"--listen-client-urls", s.client, "--advertise-client-urls", s.client,
		"--listen-peer-urls", s.peer, "--initial-advertise-peer-urls", s.peer,
		"--initial-cluster", "t="+s.peer,
		"--heartbeat-interval", "50", "--election-timeout", "500",
		"--logger", "zap", "--log-level", "error")
	s.stderr = new(bytes.Buffer)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start etcd: %v", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(s.cmd, s.exited)
	deadline := time.Now().Add(20 * time.Second)
	// Wait for the client port first: a client made before etcd listens
	// would wait out gRPC's reconnect backoff (1 s) before its next try.
	for addr := strings.TrimPrefix(s.client, "http://"); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		select {
		case <-s.exited:
			return false
		default:
		}
		if time.Now().After(deadline) {
			s.kill()
			s.t.Fatalf("etcd not listening on %s in 20s", s.client)
		}
	}
	cli := s.newClient()
	defer cli.Close()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := cli.Get(ctx, "health")
		cancel()
		if err == nil {
			return true
		}
		if time.Now().After(deadline) {
			s.kill()
			s.t.Fatalf("etcd at %s not ready in 20s: %v", s.client, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *etcdServer) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

func (s *etcdServer) restart() {
	s.kill()
	s.start()
}

// restartEmpty restarts etcd with a new, empty data directory: a new
// cluster that knows none of the keys and leases.
func (s *etcdServer) restartEmpty() {
	s.kill()
	s.dir = s.t.TempDir()
	s.start()
}

func (s *etcdServer) newClient() *clientv3.Client {
	s.t.Helper()
	cli, err := clientv3.New(clientv3.Config{
		Endpoints: []string{s.client}, DialTimeout: 2 * time.Second, Logger: zap.NewNop(),
	})
	if err != nil {
		s.t.Fatalf("etcd client: %v", err)
	}
	return cli
}

func (s *etcdServer) registry(t *testing.T) *etcd.Registry {
	cli := s.newClient()
	t.Cleanup(func() { _ = cli.Close() })
	return etcd.New(cli, etcd.Options{Resync: 100 * time.Millisecond})
}

func TestConformance(t *testing.T) {
	fulltest.Require(t, "runs discovery's conformance suite on an etcd server per case")
	discoverytest.Run(t, func(t *testing.T) discoverytest.Backend {
		s := startEtcd(t)
		writer, reader := s.registry(t), s.registry(t)
		return discoverytest.Backend{
			Store:        writer,
			NewInstancer: func(svc string) (discovery.Instancer, error) { return reader.Instancer(svc) },
			TTL:          time.Second,
			Expires:      true,
			Metadata:     true,
			Restart:      s.restart,
		}
	})
}

func TestConformanceRestartEmpty(t *testing.T) {
	fulltest.Require(t, "runs discovery's conformance suite on an etcd server per case, restarted empty")
	discoverytest.Run(t, func(t *testing.T) discoverytest.Backend {
		s := startEtcd(t)
		writer, reader := s.registry(t), s.registry(t)
		return discoverytest.Backend{
			Store:        writer,
			NewInstancer: func(svc string) (discovery.Instancer, error) { return reader.Instancer(svc) },
			TTL:          time.Second,
			Expires:      true,
			Metadata:     true,
			Restart:      s.restartEmpty,
		}
	})
}

func TestInstancerIgnoresBadEntries(t *testing.T) {
	s := startEtcd(t)
	cli := s.newClient()
	defer cli.Close()
	reg := etcd.New(cli, etcd.Options{Prefix: "/x/"})
	ctx := context.Background()
	for k, v := range map[string]string{
		"/x/orders/bad":   "{not json",
		"/x/orders/wrong": `{"service":"orders","id":"other","address":"h:9"}`,
	} {
		if _, err := cli.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Put(ctx, discovery.Instance{Service: "orders", ID: "good", Address: "h:1"}, 0); err != nil {
		t.Fatalf("Put: got %v, want nil", err)
	}
	in, err := reg.Instancer("orders")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := in.Instances()
		if len(got) == 1 && got[0].ID == "good" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Instances: got %+v, want only %q", got, "good")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPutRestoresDeletedKey(t *testing.T) {
	s := startEtcd(t)
	cli := s.newClient()
	defer cli.Close()
	reg := etcd.New(cli, etcd.Options{})
	ctx := context.Background()
	in := discovery.Instance{Service: "orders", ID: "a", Address: "h:1"}
	for _, step := range []string{"register", "delete by hand", "heartbeat"} {
		switch step {
		case "delete by hand":
			if _, err := cli.Delete(ctx, etcd.DefaultPrefix+"orders/a"); err != nil {
				t.Fatal(err)
			}
			continue
		default:
			if err := reg.Put(ctx, in, 10*time.Second); err != nil {
				t.Fatalf("%s: Put got %v, want nil", step, err)
			}
		}
		resp, err := cli.Get(ctx, etcd.DefaultPrefix+"orders/a")
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Kvs) != 1 || resp.Kvs[0].Lease == 0 {
			t.Fatalf("after %s: got %v, want the key on a lease", step, resp.Kvs)
		}
	}
}
