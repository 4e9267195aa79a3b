//go:build reliability

package cmd_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/natscluster"
	"github.com/gantrykit/gantry/internal/pgtest"
)

// TestChaos runs the shop as separate processes, two replicas of each
// service with a PostgreSQL database per service on a server of the test's
// own, and one gateway, on a three-node NATS JetStream cluster with R3
// streams, under a load of browsing and orders sent with an
// Idempotency-Key and retried by the client on failure (chaosLoad). During
// it, one at a time: SIGKILL the ORDERS stream leader's NATS node and
// restart it; SIGKILL one replica of each service and restart it; a
// rolling restart of every process (SIGTERM, wait for the replacement);
// a PostgreSQL fast restart. After each, a probe order must go through end
// to end: the time from the fault to then is its recovery time. Then
// checkChaos checks what nothing may lose or double, and the test prints
// the figures and "chaos: N passed, N failed".
//
// It is part of the reliability suite (build tag reliability) and needs
// GANTRY_TEST_FULL=1 and PostgreSQL's server binaries (.ci/run has
// both): go test -tags reliability -run '^TestChaos$' -v ./examples/shop/cmd/
func TestChaos(t *testing.T) {
	began := time.Now()
	cluster := natscluster.Start(t, natscluster.Options{})
	pg := pgtest.StartServer(t)
	dbs := map[string]string{}
	for _, svc := range services[:3] {
		if err := execPG(pg.DSN, "CREATE DATABASE shop_"+svc); err != nil {
			t.Fatal(err)
		}
		dsn, err := pgtest.WithDatabase(pg.DSN, "shop_"+svc)
		if err != nil {
			t.Fatal(err)
		}
		dbs[svc] = dsn
	}
	shop := startChaosShop(t, cluster, dbs)
	gw := shop.URL()

	productDB := openDB(t, dbs["product"])
	initial := stockTotals(t, productDB)
	const clients = 4
	tokens := make([]string, clients+1) // the last one is the probe's
	for i := range tokens {
		email := fmt.Sprintf("chaos-%d@example.com", i)
		waitStatus(t, "POST", gw+"/api/v1/users", "", `{"email":"`+email+`","password":"correct horse","name":"C"}`, 201)
		var tok struct{ Token string }
		post(t, gw+"/api/v1/auth/login", "", `{"email":"`+email+`","password":"correct horse"}`, 200, &tok)
		tokens[i] = tok.Token
	}
	load := newChaosLoad(gw)
	load.probe(clients, tokens[clients]) // the order flow works before the faults
	load.run(tokens[:clients])
	setup := time.Since(began)

	// The faults, one at a time, with steady load between them.
	type recovery struct {
		fault          string
		restart, whole time.Duration // the process(es) serving again; a probe order final
	}
	var recoveries []recovery
	fault := func(name string, inject func() time.Duration) {
		time.Sleep(3 * time.Second)
		at := time.Now()
		probed := make(chan time.Time, 1)
		restart := inject()
		go func() { probed <- load.probe(clients, tokens[clients]) }()
		recoveries = append(recoveries, recovery{name, restart, (<-probed).Sub(at)})
	}
	fault("SIGKILL the ORDERS stream leader's NATS node", func() time.Duration {
		leader := cluster.StreamLeader(t, "ORDERS")
		cluster.Kill(leader)
		begin := time.Now()
		cluster.Restart(leader)
		cluster.WaitStreamCurrent(t, "ORDERS")
		return time.Since(begin)
	})
	for _, svc := range services[:3] {
		fault("SIGKILL a "+svc+" replica", func() time.Duration {
			shop.kill(svc, 0)
			return shop.start(svc, 0)
		})
	}
	fault("rolling restart of every process", func() time.Duration {
		begin := time.Now()
		for _, svc := range services {
			for i := range shop.procs[svc] {
				shop.stop(svc, i)
				shop.start(svc, i)
			}
		}
		return time.Since(begin)
	})
	fault("PostgreSQL fast restart", func() time.Duration {
		begin := time.Now()
		if err := pg.FastRestart(); err != nil {
			t.Fatal(err)
		}
		return time.Since(begin)
	})
	time.Sleep(3 * time.Second)
	load.halt()
	loadTime := time.Since(began) - setup

	v := &verdicts{t: t}
	checkChaos(t, v, load, dbs, initial)
	attempts, visible, retried := load.figures()
	v.check("no client-visible error", len(visible) == 0, "the client gave up on %v", visible)
	v.check("every graceful stop exits 0", len(shop.badStops) == 0, "%v", shop.badStops)
	for _, r := range recoveries {
		v.check("recovered from "+r.fault, r.whole < 90*time.Second, "no probe order final in %v", r.whole)
	}

	t.Logf("chaos: %d orders acknowledged (%d sent again after their 202), %d product reads, %v of load after %v of setup",
		len(load.owner), load.repeats, load.browsed, loadTime.Round(time.Second), setup.Round(time.Second))
	t.Logf("chaos: attempts by status %v (0: no answer); %d retried; client-visible errors %v", sortedCounts(attempts), retried, visible)
	for _, r := range recoveries {
		t.Logf("chaos: %s: process(es) serving again in %v; an order through end to end %v after the fault",
			r.fault, r.restart.Round(time.Millisecond), r.whole.Round(time.Millisecond))
	}
	t.Logf("chaos: %d passed, %d failed (in %v)", v.passed, v.failed, time.Since(began).Round(time.Second))
}

// verdicts counts the chaos test's checks.
type verdicts struct {
	t              *testing.T
	passed, failed int
}

func (v *verdicts) check(name string, ok bool, format string, args ...any) {
	v.t.Helper()
	if ok {
		v.passed++
		v.t.Logf("chaos: PASS %s", name)
		return
	}
	v.failed++
	v.t.Errorf("chaos: FAIL %s: %s", name, fmt.Sprintf(format, args...))
}

func sortedCounts(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%d:%d ", k, m[k])
	}
	return strings.TrimSpace(b.String())
}
