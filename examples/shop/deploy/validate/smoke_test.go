package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The smoke tests run the real binaries with the environment the deploy
// assets give them (addresses moved to loopback ports, the data in temporary
// directories): each must pass its health check (Compose's healthcheck, or
// the Deployment's readiness probe), an order must go through the gateway to
// confirmed, every Gantry metric the dashboard and the alerts use must be on
// some service's /metrics, and each process must stop with status 0 on
// SIGTERM before it would be killed.
//
// check.sh builds the binaries (the four services, the probe and the
// nats-server version in the library's go.mod) into SHOP_BIN_DIR.

// smokeService is how the deploy assets run one service.
type smokeService struct {
	env    map[string]string // as the assets set it, before moving addresses
	health func(admin string) []string
	grace  time.Duration // from SIGTERM to SIGKILL
}

func smokeBin(t *testing.T) string {
	bin := os.Getenv("SHOP_BIN_DIR")
	if bin == "" {
		t.Skip("SHOP_BIN_DIR is not set; ../check.sh builds the binaries and sets it")
	}
	return bin
}

func TestSmokeComposeEnvironment(t *testing.T) {
	bin := smokeBin(t)
	c := loadCompose(t)
	plan := map[string]smokeService{}
	for _, name := range services {
		s := c.Services[name]
		grace, err := time.ParseDuration(s.StopGracePeriod)
		if err != nil {
			t.Fatalf("%s stop_grace_period: %v", name, err)
		}
		adminPort := portOf(t, s.Environment["GANTRY_ADMIN_ADDR"])
		env := maps.Clone(s.Environment)
		if _, ok := env[strings.ToUpper(name)+"_DB"]; ok { // the Compose PostgreSQL's database
			env[strings.ToUpper(name)+"_DB"] = smokeDatabase(t, name)
		}
		plan[name] = smokeService{env: env, grace: grace, health: func(admin string) []string {
			// The Compose health check, with the admin address moved.
			test := slices.Clone(s.Healthcheck.Test[1:])
			test[0] = filepath.Join(bin, strings.TrimPrefix(test[0], "/"))
			test[len(test)-1] = strings.Replace(test[len(test)-1], "127.0.0.1:"+adminPort, admin, 1)
			return test
		}}
	}
	runSmoke(t, bin, plan)
}

func TestSmokeKubernetesEnvironment(t *testing.T) {
	bin := smokeBin(t)
	m := loadManifests(t)
	plan := map[string]smokeService{}
	for _, name := range services {
		d := m.deployments[name]
		c := d.Spec.Template.Spec.Containers[0]
		env := map[string]string{}
		for _, ef := range c.EnvFrom {
			for k, v := range m.configMaps[ef.ConfigMapRef.Name].Data {
				env[k] = v
			}
		}
		for _, e := range c.Env {
			switch {
			case e.ValueFrom == nil:
				env[e.Name] = e.Value
			case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
				env[e.Name] = name + "-smoke"
			case e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == dbSecret:
				env[e.Name] = smokeDatabase(t, name)
			}
			// optional Secrets are absent, as in a fresh namespace
		}
		preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
		grace := time.Duration(*d.Spec.Template.Spec.TerminationGracePeriodSeconds)*time.Second - preStop
		path := c.ReadinessProbe.HTTPGet.Path
		plan[name] = smokeService{env: env, grace: grace, health: func(admin string) []string {
			// What the kubelet's readiness probe asks.
			return []string{filepath.Join(bin, "probe"), "http://" + admin + path}
		}}
	}
	runSmoke(t, bin, plan)
}

func runSmoke(t *testing.T, bin string, plan map[string]smokeService) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	natsPort := freePort(t)
	nats := startProc(t, ctx, filepath.Join(bin, "nats-server"), nil,
		"-js", "-sd", t.TempDir(), "-a", "127.0.0.1", "-p", natsPort, "-m", "0")
	defer nats.stop(t)
	waitDial(t, ctx, "127.0.0.1:"+natsPort)

	// Loopback ports for each service's listeners; the names the assets
	// use for NATS and the user service resolve to them.
	type ports struct{ http, admin, grpc string }
	addrs := map[string]ports{}
	for _, s := range services {
		addrs[s] = ports{freePort(t), freePort(t), freePort(t)}
	}
	hosts := strings.NewReplacer(
		"nats://nats-1:4222", "nats://127.0.0.1:"+natsPort, // Compose's cluster
		"nats://nats-2:4222", "nats://127.0.0.1:"+natsPort,
		"nats://nats-3:4222", "nats://127.0.0.1:"+natsPort,
		"nats://nats.nats:4222", "nats://127.0.0.1:"+natsPort,
		"http://user:8080", "http://127.0.0.1:"+addrs["user"].http)

	procs := map[string]*proc{}
	defer func() {
		for _, p := range procs {
			p.stop(t)
		}
	}()
	// Start in dependency order: user, product, order, gateway.
	for _, name := range []string{"user", "product", "order", "gateway"} {
		env := []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range plan[name].env {
			switch {
			case strings.HasPrefix(k, "OTEL_"): // no collector here
				continue
			case k == "GANTRY_DATA_DIR":
				v = t.TempDir()
			case k == "GANTRY_HTTP_ADDR":
				v = "127.0.0.1:" + addrs[name].http
			case k == "GANTRY_ADMIN_ADDR":
				v = "127.0.0.1:" + addrs[name].admin
			case k == "GANTRY_GRPC_ADDR":
				v = "127.0.0.1:" + addrs[name].grpc
			case k == "GANTRY_NATS_REPLICAS":
				v = "1" // the smoke's one nats-server; R3 needs the cluster (TestNATSValuesHoldR3)
			case strings.Contains(v, "${"):
				continue // interpolated by Compose from the caller's environment
			}
			env = append(env, k+"="+hosts.Replace(v))
		}
		procs[name] = startProc(t, ctx, filepath.Join(bin, name), env)
		waitHealthy(t, ctx, name, procs[name], plan[name].health("127.0.0.1:"+addrs[name].admin))
	}

	gw := "http://127.0.0.1:" + addrs["gateway"].http
	walkOrder(t, ctx, gw)

	// Every Gantry family the dashboard and the rules use is exported.
	var scraped strings.Builder
	for _, name := range services {
		scraped.WriteString(get(t, ctx, "http://127.0.0.1:"+addrs[name].admin+"/metrics", nil))
	}
	fams := gantryFamilies(t)
	exprs, records := ruleExprs(t)
	exprs = append(exprs, dashboardExprs(t)...)
	used := map[string]bool{}
	for _, e := range exprs {
		u, _ := checkExpr(e, fams, records)
		for _, n := range u {
			used[n] = true
		}
	}
	// Families that have no series until something goes wrong.
	quiet := map[string]string{"breaker_transitions_total": "no breaker changed state"}
	for _, name := range sortedKeys(used) {
		if quiet[name] != "" {
			continue
		}
		if !strings.Contains(scraped.String(), "\n# TYPE "+name+" ") {
			t.Errorf("metric %s: used by the dashboard or the alerts, got no such family on any service's /metrics", name)
		}
	}

	// SIGTERM: each process drains and exits 0 before it would be killed.
	for _, name := range services {
		if err := procs[name].cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range services {
		p := procs[name]
		select {
		case <-p.done:
			if p.err != nil {
				t.Errorf("%s after SIGTERM: got %v, want exit status 0\n%s", name, p.err, p.log.String())
			}
		case <-time.After(plan[name].grace):
			t.Errorf("%s: still running %v after SIGTERM, want it gone before the SIGKILL", name, plan[name].grace)
		}
	}
}

type proc struct {
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{}
	err  error
}

func startProc(t *testing.T, ctx context.Context, path string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{log: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, path, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	return p
}

// stop kills the process if it still runs and waits for it.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func waitDial(t *testing.T, ctx context.Context, addr string) {
	t.Helper()
	for ctx.Err() == nil {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: got no listener before the test's deadline", addr)
}

// waitHealthy runs the health check command until it passes, as Docker
// does, failing early if the process exits.
func waitHealthy(t *testing.T, ctx context.Context, name string, p *proc, test []string) {
	t.Helper()
	var out []byte
	for ctx.Err() == nil {
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was healthy: %v\n%s", name, p.err, p.log.String())
		default:
		}
		var err error
		if out, err = exec.CommandContext(ctx, test[0], test[1:]...).CombinedOutput(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: health check %v never passed: %s\n%s", name, test, out, p.log.String())
}

func get(t *testing.T, ctx context.Context, url string, hdr http.Header) string {
	t.Helper()
	_, body := do(t, ctx, http.MethodGet, url, hdr, nil)
	return body
}

func do(t *testing.T, ctx context.Context, method, url string, hdr http.Header, body any) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// walkOrder registers, logs in, orders one product and polls the order
// until it leaves pending, all through the gateway.
func walkOrder(t *testing.T, ctx context.Context, gw string) {
	t.Helper()
	cred := map[string]string{"email": "smoke@shop.example", "password": "smoke-password", "name": "Smoke"}
	if code, body := do(t, ctx, http.MethodPost, gw+"/api/v1/users", nil, cred); code != http.StatusCreated {
		t.Fatalf("register: got %d %s, want 201", code, body)
	}
	code, body := do(t, ctx, http.MethodPost, gw+"/api/v1/auth/login", nil, map[string]string{"email": cred["email"], "password": cred["password"]})
	var login struct{ Token string }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &login) != nil || login.Token == "" {
		t.Fatalf("login: got %d %s, want 200 with a token", code, body)
	}
	var catalog struct{ Items []struct{ ID string } }
	if err := json.Unmarshal([]byte(get(t, ctx, gw+"/api/v1/products", nil)), &catalog); err != nil || len(catalog.Items) == 0 {
		t.Fatalf("products: got %+v (%v), want the seeded catalog", catalog, err)
	}
	auth := http.Header{"Authorization": {"Bearer " + login.Token}}
	code, body = do(t, ctx, http.MethodPost, gw+"/api/v1/orders", auth,
		map[string]any{"items": []map[string]any{{"product_id": catalog.Items[0].ID, "quantity": 1}}})
	var order struct{ ID, Status string }
	if code != http.StatusAccepted || json.Unmarshal([]byte(body), &order) != nil {
		t.Fatalf("order: got %d %s, want 202", code, body)
	}
	for ctx.Err() == nil && order.Status == "pending" {
		time.Sleep(100 * time.Millisecond)
		if err := json.Unmarshal([]byte(get(t, ctx, gw+"/api/v1/orders/"+order.ID, auth)), &order); err != nil {
			t.Fatal(err)
		}
	}
	if order.Status != "confirmed" {
		t.Fatalf("order %s: got status %q, want confirmed", order.ID, order.Status)
	}
}

// smokeDatabase makes a new database for service on the PostgreSQL server
// of GANTRY_TEST_POSTGRES_DSN (.ci/pg, which CI runs) with psql, drops it
// after the test, and returns its DSN. Without a server it returns "" (the
// service falls back to SQLite in its data directory), and fails under
// CI=true.
func smokeDatabase(t *testing.T, service string) string {
	t.Helper()
	server := os.Getenv("GANTRY_TEST_POSTGRES_DSN")
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s_DB: GANTRY_TEST_POSTGRES_DSN is not set (eval \"$(.ci/pg start)\")", strings.ToUpper(service))
		}
		t.Logf("%s: no GANTRY_TEST_POSTGRES_DSN, so SQLite instead of the Secret's PostgreSQL", service)
		return ""
	}
	name := fmt.Sprintf("smoke_%s_%d", service, time.Now().UnixNano())
	psql := func(sql string) error {
		out, err := exec.Command("psql", server, "-v", "ON_ERROR_STOP=1", "-qc", sql).CombinedOutput()
		if err != nil {
			return fmt.Errorf("psql %q: %v: %s", sql, err, out)
		}
		return nil
	}
	if err := psql("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := psql("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
