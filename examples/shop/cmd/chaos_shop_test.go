//go:build reliability

package cmd_test

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/exampletest"
	"github.com/gantrykit/gantry/internal/natscluster"
)

// chaosShop is the shop as separate processes, two replicas of each
// service and one gateway, each on an HTTP port of its own that it keeps
// across restarts (the clients' gateway address stays valid while
// processes come and go).
type chaosShop struct {
	t     *testing.T
	env   map[string][]string
	ports map[string][]int
	procs map[string][]*exampletest.Proc
	// badStops lists the graceful stops that did not exit 0.
	badStops []string
}

// services are the shop's services, in the order they start and roll.
var services = []string{"user", "product", "order", "gateway"}

func startChaosShop(t *testing.T, cluster *natscluster.Cluster, dbs map[string]string) *chaosShop {
	s := &chaosShop{t: t, env: map[string][]string{}, ports: map[string][]int{}, procs: map[string][]*exampletest.Proc{}}
	for _, svc := range services {
		n := 2
		if svc == "gateway" {
			n = 1
		}
		for range n {
			s.ports[svc] = append(s.ports[svc], freePort(t))
		}
	}
	common := []string{"GANTRY_NATS_URL=" + cluster.URLs(), "GANTRY_NATS_REPLICAS=3", "GANTRY_DATA_DIR=" + t.TempDir(),
		"GANTRY_GRPC_ADDR=127.0.0.1:0", "USER_BCRYPT_COST=4",
		"USER_DB=" + dbs["user"], "PRODUCT_DB=" + dbs["product"], "ORDER_DB=" + dbs["order"]}
	for _, svc := range services {
		s.env[svc] = common // the verifiers read the key set from any user replica (discovery://user/...)
		s.procs[svc] = make([]*exampletest.Proc, len(s.ports[svc]))
		for i := range s.ports[svc] {
			s.start(svc, i)
		}
	}
	return s
}

// URL is the gateway's base URL.
func (s *chaosShop) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.ports["gateway"][0]) }

// start starts replica i of svc on its port and returns how long it took
// to serve.
func (s *chaosShop) start(svc string, i int) time.Duration {
	begin := time.Now()
	env := append(append([]string{}, s.env[svc]...), fmt.Sprintf("GANTRY_HTTP_ADDR=127.0.0.1:%d", s.ports[svc][i]))
	s.procs[svc][i] = exampletest.Start(s.t, binaries[svc], env...)
	return time.Since(begin)
}

// kill SIGKILLs replica i of svc and waits for it to be gone.
func (s *chaosShop) kill(svc string, i int) {
	p := s.procs[svc][i]
	p.Cmd.Process.Kill()
	p.Wait(s.t, 10*time.Second)
}

// stop SIGTERMs replica i of svc, which drains and deregisters, and waits
// for it to exit.
func (s *chaosShop) stop(svc string, i int) {
	p := s.procs[svc][i]
	p.Cmd.Process.Signal(syscall.SIGTERM)
	if err := p.Wait(s.t, 30*time.Second); err != nil {
		logs := p.Logs()
		s.badStops = append(s.badStops, fmt.Sprintf("%s replica %d: %v", svc, i+1, err))
		s.t.Logf("chaos: %s replica %d stopped with %v; its last log lines:\n%s", svc, i+1, err, logs[max(0, len(logs)-3000):])
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
