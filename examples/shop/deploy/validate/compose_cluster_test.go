package validate

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The Compose stack runs the production shape on one machine: a JetStream
// cluster of three servers routed to one another, and PostgreSQL with a
// database per service that the init script creates. These tests read the
// Compose file and the init script; check.sh has no Docker to run them.

// natsServers are the Compose services running nats-server.
var natsServers = []string{"nats-1", "nats-2", "nats-3"}

// flag returns the value after name in a nats-server command line.
func flag(t *testing.T, cmd []string, name string) string {
	t.Helper()
	i := slices.Index(cmd, name)
	if i < 0 || i+1 >= len(cmd) {
		t.Fatalf("command %q: got no %s VALUE", cmd, name)
	}
	return cmd[i+1]
}

func TestComposeNATSCluster(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		if strings.HasPrefix(s.Image, "nats:") && !slices.Contains(natsServers, name) {
			t.Errorf("service %s runs nats-server, got it outside the cluster %v", name, natsServers)
		}
	}
	clusterName := ""
	for _, name := range natsServers {
		t.Run(name, func(t *testing.T) {
			n, ok := c.Services[name]
			if !ok {
				t.Fatal("got no such Compose service")
			}
			if !strings.HasPrefix(n.Image, "nats:") || n.Healthcheck == nil {
				t.Errorf("image %q healthcheck %v: want the official nats image with a health check", n.Image, n.Healthcheck)
			}
			if !slices.Contains(n.Command, "-js") {
				t.Errorf("command %q: got no -js, want JetStream", n.Command)
			}
			if got := flag(t, n.Command, "--name"); got != name {
				t.Errorf("--name: got %q, want %q (server names must differ in a cluster)", got, name)
			}
			cn := flag(t, n.Command, "--cluster_name")
			if clusterName == "" {
				clusterName = cn
			}
			if cn != clusterName {
				t.Errorf("--cluster_name: got %q, want %q as on the other servers", cn, clusterName)
			}
			listen, err := url.Parse(flag(t, n.Command, "--cluster"))
			if err != nil || listen.Scheme != "nats" {
				t.Fatalf("--cluster: got %v, want nats://HOST:PORT", err)
			}
			var routes []string
			for r := range strings.SplitSeq(flag(t, n.Command, "--routes"), ",") {
				u, err := url.Parse(r)
				if err != nil || u.Scheme != "nats" || u.Port() != listen.Port() {
					t.Errorf("route %q: want nats://SERVER:%s", r, listen.Port())
					continue
				}
				routes = append(routes, u.Hostname())
			}
			others := slices.DeleteFunc(slices.Clone(natsServers), func(s string) bool { return s == name })
			if !equalSets(routes, others) {
				t.Errorf("--routes: got %v, want the other servers %v", routes, others)
			}
			sd := flag(t, n.Command, "-sd")
			vol := ""
			for _, v := range n.Volumes {
				if parts := strings.Split(v, ":"); len(parts) >= 2 && parts[1] == sd {
					vol = parts[0]
				}
			}
			if _, named := c.Volumes[vol]; !named {
				t.Errorf("store directory %s: got volume %q, want a named volume of its own", sd, vol)
			}
		})
	}
	vols := map[string]string{}
	for _, name := range natsServers {
		for _, v := range c.Services[name].Volumes {
			src, _, _ := strings.Cut(v, ":")
			if other, dup := vols[src]; dup {
				t.Errorf("volume %s: got it on %s and %s, want a file store per server", src, other, name)
			}
			vols[src] = name
		}
	}
}

func TestComposeServicesUseTheCluster(t *testing.T) {
	c := loadCompose(t)
	for _, name := range services {
		t.Run(name, func(t *testing.T) {
			s := c.Services[name]
			var hosts []string
			for raw := range strings.SplitSeq(s.Environment["GANTRY_NATS_URL"], ",") {
				u, err := url.Parse(raw)
				if err != nil || u.Scheme != "nats" || u.Port() != "4222" {
					t.Errorf("GANTRY_NATS_URL entry %q: want nats://SERVER:4222", raw)
					continue
				}
				hosts = append(hosts, u.Hostname())
			}
			if !equalSets(hosts, natsServers) {
				t.Errorf("GANTRY_NATS_URL: got servers %v, want every one of %v", hosts, natsServers)
			}
			if r, err := strconv.Atoi(s.Environment["GANTRY_NATS_REPLICAS"]); err != nil || r != len(natsServers) {
				t.Errorf("GANTRY_NATS_REPLICAS: got %q, want %d (one replica per server, as on Kubernetes)", s.Environment["GANTRY_NATS_REPLICAS"], len(natsServers))
			}
			deps := dependsOn(t, s.DependsOn)
			for _, n := range natsServers {
				if deps[n] != "service_healthy" {
					t.Errorf("depends_on %s: got %q, want service_healthy", n, deps[n])
				}
			}
		})
	}
}

var (
	initDatabase = regexp.MustCompile(`(?m)^CREATE DATABASE (\w+) OWNER (\w+);$`)
	initRole     = regexp.MustCompile(`(?m)^CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';$`)
	initRevoke   = regexp.MustCompile(`(?m)^REVOKE ALL ON DATABASE (\w+) FROM PUBLIC;$`)
	initGetenv   = regexp.MustCompile(`(?m)^\\getenv (\w+) (\w+)$`)
	composeVar   = regexp.MustCompile(`\$\{(\w+)(?::-([^}]*))?\}`)
)

// interpolate does what Compose does to a value when the caller's
// environment sets none of its variables: ${VAR:-default} becomes default.
func interpolate(s string) string {
	return composeVar.ReplaceAllString(s, "$2")
}

func TestComposePostgresPerService(t *testing.T) {
	c := loadCompose(t)
	pg, ok := c.Services["postgres"]
	if !ok {
		t.Fatal("got no postgres service")
	}
	if !strings.HasPrefix(pg.Image, "postgres:") {
		t.Errorf("image %q: want the official postgres image", pg.Image)
	}
	if pg.Healthcheck == nil || !slices.Contains(pg.Healthcheck.Test, "pg_isready") || !slices.Contains(pg.Healthcheck.Test, "127.0.0.1") {
		t.Errorf("healthcheck: got %+v, want pg_isready over TCP (the init phase listens on the socket only)", pg.Healthcheck)
	}
	if len(pg.Ports) != 0 {
		t.Errorf("ports %v: want the database private to the stack", pg.Ports)
	}
	script := ""
	for _, v := range pg.Volumes {
		if parts := strings.Split(v, ":"); len(parts) >= 2 && strings.HasPrefix(parts[1], "/docker-entrypoint-initdb.d/") && strings.HasSuffix(parts[1], ".sql") {
			script = parts[0]
		}
	}
	if script == "" {
		t.Fatalf("volumes %v: got no .sql script in /docker-entrypoint-initdb.d", pg.Volumes)
	}
	sql := string(readFile(t, deployDir+"/"+script))
	owners := map[string]string{}
	for _, m := range initDatabase.FindAllStringSubmatch(sql, -1) {
		owners[m[1]] = m[2]
	}
	roles := map[string]string{} // role -> psql variable holding its password
	for _, m := range initRole.FindAllStringSubmatch(sql, -1) {
		roles[m[1]] = m[2]
	}
	revoked := map[string]bool{}
	for _, m := range initRevoke.FindAllStringSubmatch(sql, -1) {
		revoked[m[1]] = true
	}
	envOf := map[string]string{} // psql variable -> environment variable
	for _, m := range initGetenv.FindAllStringSubmatch(sql, -1) {
		envOf[m[1]] = m[2]
	}

	dbs := 0
	for _, name := range services {
		s := c.Services[name]
		key := strings.ToUpper(name) + "_DB"
		raw, has := s.Environment[key]
		if !has {
			continue // the gateway keeps no data
		}
		dbs++
		t.Run(name, func(t *testing.T) {
			dsn := interpolate(raw)
			u, err := url.Parse(dsn)
			if err != nil || u.Scheme != "postgres" || u.Hostname() != "postgres" {
				t.Fatalf("%s: got %q, want postgres://ROLE:PASSWORD@postgres:PORT/DATABASE", key, dsn)
			}
			db := strings.TrimPrefix(u.Path, "/")
			if owners[db] == "" {
				t.Fatalf("%s names database %q: the init script creates none such (it creates %v)", key, db, sortedKeys(owners))
			}
			if want := "shop_" + name; db != want {
				t.Errorf("%s: got database %q, want its own, %q", key, db, want)
			}
			if u.User.Username() != owners[db] {
				t.Errorf("%s: got role %q, want %q, the owner of %s", key, u.User.Username(), owners[db], db)
			}
			if !revoked[db] {
				t.Errorf("database %s: got PUBLIC's CONNECT left, want only its owner to reach it", db)
			}
			pw, _ := u.User.Password()
			envVar := envOf[roles[owners[db]]]
			want := interpolate(pg.Environment[envVar])
			if envVar == "" || pw != want {
				t.Errorf("%s: got password %q, want the one the init script gives role %s (%s=%q on postgres)", key, pw, owners[db], envVar, want)
			}
			if dependsOn(t, s.DependsOn)["postgres"] != "service_healthy" {
				t.Error("depends_on postgres: got no service_healthy condition, want the service to start after its database exists")
			}
		})
	}
	if dbs != len(owners) || dbs != 3 {
		t.Errorf("databases: got %d DSNs and %d databases created, want one per data-keeping service (3)", dbs, len(owners))
	}
}
