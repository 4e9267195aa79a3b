package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/gantrykit/gantry/internal/contract"
	"github.com/gantrykit/gantry/internal/fulltest"
	"github.com/gantrykit/gantry/internal/oascheck"
	"github.com/gantrykit/gantry/internal/pgtest"
)

// TestAcceptance generates services as a user would, with -replace pointing
// at this checkout, and in each runs go vet, go test and go build, then
// starts the built binary on free ports and checks /healthz, /readyz,
// /metrics (promtool), /openapi.json and the items endpoints. It needs the
// go command and the module cache (or the proxy), and for the -store
// postgres service a PostgreSQL server (internal/pgtest). It takes
// minutes, so it runs only with GANTRY_TEST_FULL=1 (internal/fulltest).
func TestAcceptance(t *testing.T) {
	fulltest.Require(t, "generates three services, then vets, tests, builds and runs each")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	tests := []struct {
		name  string
		flags []string
		tidy  bool // also check that go mod tidy works in it
		race  bool
		start bool
	}{
		{name: "plain", start: true},
		{name: "full", flags: []string{"-grpc", "-events", "-store", "sqlite"}, tidy: true, race: true, start: true},
		// Its tests make their databases on the server in
		// GANTRY_TEST_POSTGRES_DSN (inherited); it serves from one more.
		{name: "postgres", flags: []string{"-events", "-store", "postgres"}, start: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var env []string
			if slices.Contains(tt.flags, "postgres") {
				env = append(env, envName(tt.name+"-svc")+"_STORE_DSN="+pgtest.DSN(t))
			}
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "svc")
			var out bytes.Buffer
			args := append([]string{"new", "-replace", repoRoot(t), "-module", "example.com/acme/" + tt.name, "-dir", dir}, tt.flags...)
			if err := run(context.Background(), append(args, tt.name+"-svc"), &out, &out); err != nil {
				t.Fatalf("templates %s: %v\n%s", strings.Join(args, " "), err, out.String())
			}
			goCmd := func(args ...string) []byte {
				t.Helper()
				cmd := exec.Command(gobin, args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
				start := time.Now()
				b, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
				}
				t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
				return b
			}
			if tt.tidy {
				goCmd("mod", "tidy")
			}
			if out, err := exec.Command("gofmt", "-l", dir).CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("gofmt -l: %v\n%s", err, out)
			}
			goCmd("vet", "./...")
			if sc, err := exec.LookPath("staticcheck"); err == nil && tt.race {
				cmd := exec.Command(sc, "./...")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOWORK=off")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("staticcheck ./...: %v\n%s", err, out)
				}
			}
			switch {
			case tt.race:
				goCmd("test", "-race", "-count=1", "./...")
			case env != nil:
				// The log shows the tests that ran against PostgreSQL.
				for line := range strings.Lines(string(goCmd("test", "-v", "-count=1", "./..."))) {
					if strings.Contains(line, "--- ") && !strings.Contains(line, "    --- ") {
						t.Log("generated: " + strings.TrimSpace(line))
					}
					if strings.Contains(line, "--- SKIP") {
						t.Errorf("generated service skipped a test: %s", line)
					}
				}
			default:
				goCmd("test", "-count=1", "./...")
			}
			bin := filepath.Join(dir, "bin", tt.name+"-svc")
			goCmd("build", "-o", bin, "./cmd/"+tt.name+"-svc")
			goCmd("build", "./...")
			if tt.start {
				checkServes(t, dir, bin, env, slices.Contains(tt.flags, "-grpc"), slices.Contains(tt.flags, "-events"))
			}
		})
	}
}

// checkServes starts the binary with the generated config.yaml on free
// ports and checks what a platform and a client see: over gRPC too, and
// the event of the created item handled, when the service has those parts.
func checkServes(t *testing.T, dir, bin string, env []string, grpcPart, eventsPart bool) {
	cmd := exec.Command(bin, "-config", "config.yaml")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GANTRY_HTTP_ADDR=127.0.0.1:0", "GANTRY_ADMIN_ADDR=127.0.0.1:0",
		"GANTRY_GRPC_ADDR=127.0.0.1:0", "GANTRY_NATS_PORT=0", "GANTRY_DATA_DIR="+filepath.Join(dir, "data"),
		"GANTRY_DRAIN_DELAY=10ms")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrs := make(chan [2]string, 1)
	grpcAddr := make(chan string, 1)
	exited := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			var line struct {
				Msg       string `json:"msg"`
				HTTPAddr  string `json:"http_addr"`
				AdminAddr string `json:"admin_addr"`
				GRPCAddr  string `json:"grpc_addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			switch line.Msg {
			case "serving":
				addrs <- [2]string{"http://" + line.HTTPAddr, "http://" + line.AdminAddr}
			case "serving gRPC":
				grpcAddr <- line.GRPCAddr
			}
		}
		exited <- cmd.Wait()
	}()
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	var svc, admin string
	select {
	case a := <-addrs:
		svc, admin = a[0], a[1]
	case err := <-exited:
		killed = true
		t.Fatalf("exited before serving: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("no serving log line within 30s")
	}

	get(t, admin+"/healthz", 200)
	// Readiness turns 200 once every check (the store) has passed.
	deadline := time.Now().Add(10 * time.Second)
	for status, _ := fetch(t, "GET", admin+"/readyz", ""); status != 200; status, _ = fetch(t, "GET", admin+"/readyz", "") {
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d, want 200", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	status, body := fetch(t, "POST", svc+"/v1/items", `{"name":"lamp"}`)
	var item struct{ ID, Name string }
	if status != 201 || json.Unmarshal([]byte(body), &item) != nil || item.Name != "lamp" {
		t.Fatalf("POST /v1/items = %d %s, want 201 with the item", status, body)
	}
	if body := get(t, svc+"/v1/items/"+item.ID, 200); !strings.Contains(body, `"lamp"`) {
		t.Errorf("GET /v1/items/%s = %s, want the item", item.ID, body)
	}
	get(t, svc+"/v1/items/nope", 404)
	if err := oascheck.Validate([]byte(get(t, svc+"/openapi.json", 200))); err != nil {
		t.Errorf("/openapi.json is not valid OpenAPI 3.1: %v", err)
	}
	contractFuzz(t, svc)
	if grpcPart {
		select {
		case addr := <-grpcAddr: // logged before "serving"
			checkGRPCHealth(t, addr)
		default:
			t.Error(`no "serving gRPC" log line before "serving"`)
		}
	}
	if eventsPart {
		// The created item's event is handled by the service's consumer.
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(get(t, admin+"/metrics", 200), `outcome="acked"`) {
			if time.Now().After(deadline) {
				t.Fatal(`/metrics has no events_handled_total{outcome="acked"}: the event was not handled`)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	metrics := get(t, admin+"/metrics", 200)
	if !strings.Contains(metrics, "go_goroutines") {
		t.Errorf("/metrics has no Go collectors:\n%.300s", metrics)
	}
	promtool(t, metrics)

	killed = true
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatal("did not exit within 30s of SIGTERM")
	}
}

// contractFuzz runs the contract fuzzer (internal/contract) against the
// service for GANTRY_CONTRACT_DURATION (default 30s): no 5xx, every status
// documented, every body as its schema says.
func contractFuzz(t *testing.T, svc string) {
	d := 30 * time.Second
	if s := os.Getenv("GANTRY_CONTRACT_DURATION"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("GANTRY_CONTRACT_DURATION: %v", err)
		}
	}
	var out strings.Builder
	res, err := contract.Run(context.Background(), contract.Config{BaseURL: svc, Requests: 400, Duration: d, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if res.Failed > 0 {
		t.Errorf("contract fuzz: %d of %d requests failed (seed %d); counterexamples above", res.Failed, res.Requests, res.Seed)
	}
}

func checkGRPCHealth(t *testing.T, addr string) {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: "items.v1.Items"})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("gRPC health of items.v1.Items = %v, %v; want SERVING", resp.GetStatus(), err)
	}
}

func promtool(t *testing.T, metrics string) {
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not found; .ci/run installs Debian's prometheus package")
		}
		t.Log("promtool not found (apt-get install prometheus): /metrics not linted")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(metrics)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	status, body := fetch(t, "GET", url, "")
	if status != want {
		t.Errorf("GET %s = %d %.200s, want %d", url, status, body, want)
	}
	return body
}

func fetch(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(fmt.Errorf("%s %s: %w", method, url, err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
