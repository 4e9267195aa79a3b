package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSmokeComposeNATSCluster runs the Compose file's three nats-server
// command lines (the version go.mod pins; directories, ports and host names
// moved to loopback) and waits until every server reports the same
// JetStream meta leader in a cluster of three and passes the Compose health
// check: the routes and names in the file really form one cluster.
func TestSmokeComposeNATSCluster(t *testing.T) {
	bin := smokeBin(t)
	c := loadCompose(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	type ports struct{ client, monitor, cluster string }
	addrs := map[string]ports{}
	for _, name := range natsServers {
		addrs[name] = ports{freePort(t), freePort(t), freePort(t)}
	}
	for _, name := range natsServers {
		args := slices.Clone(c.Services[name].Command)
		args[slices.Index(args, "-sd")+1] = t.TempDir()
		args[slices.Index(args, "-m")+1] = addrs[name].monitor
		args[slices.Index(args, "--cluster")+1] = "nats://127.0.0.1:" + addrs[name].cluster
		ri := slices.Index(args, "--routes") + 1
		for _, other := range natsServers {
			args[ri] = strings.ReplaceAll(args[ri], "nats://"+other+":6222", "nats://127.0.0.1:"+addrs[other].cluster)
		}
		if strings.Contains(args[ri], "6222") {
			t.Fatalf("%s --routes %q: got a route to no Compose NATS server", name, args[ri])
		}
		args = append(args, "-a", "127.0.0.1", "-p", addrs[name].client)
		p := startProc(t, ctx, filepath.Join(bin, "nats-server"), nil, args...)
		defer p.stop(t)
	}

	health := func(name string) bool {
		test := c.Services[name].Healthcheck.Test
		u := strings.Replace(test[len(test)-1], "127.0.0.1:8222", "127.0.0.1:"+addrs[name].monitor, 1)
		resp, err := http.Get(u)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	leaderOf := func(name string) (leader string, size int) {
		resp, err := http.Get("http://127.0.0.1:" + addrs[name].monitor + "/jsz")
		if err != nil {
			return "", 0
		}
		defer resp.Body.Close()
		var jsz struct {
			Meta struct {
				Leader string `json:"leader"`
				Size   int    `json:"cluster_size"`
			} `json:"meta_cluster"`
		}
		if json.NewDecoder(resp.Body).Decode(&jsz) != nil {
			return "", 0
		}
		return jsz.Meta.Leader, jsz.Meta.Size
	}
	var last string
	for ctx.Err() == nil {
		leaders := map[string]bool{}
		ok := true
		last = ""
		for _, name := range natsServers {
			l, size := leaderOf(name)
			leaders[l] = true
			ok = ok && health(name) && l != "" && size == len(natsServers)
			last += fmt.Sprintf("%s: leader %q, cluster_size %d; ", name, l, size)
		}
		if ok && len(leaders) == 1 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("got no cluster of %d with one JetStream meta leader before the deadline: %s", len(natsServers), last)
}
