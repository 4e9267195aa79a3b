package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/exampletest"
	"github.com/gantrykit/gantry/internal/oascheck"
)

// The tests drive the program as a separate process, as a new user would:
// its main started on free loopback ports, addresses read from its
// "serving" log line (exampletest.Main).

var binary string

func TestMain(m *testing.M) { exampletest.Main(m, &binary, main) }

func start(t *testing.T, env ...string) *exampletest.Proc {
	return exampletest.Start(t, binary, env...)
}

func do(t *testing.T, method, url, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	return exampletest.Do(t, method, url, contentType, body)
}

func TestAnswers(t *testing.T) {
	t.Parallel()
	p := start(t)
	big := bytes.Repeat([]byte("a"), 2<<20)
	tests := []struct {
		name, method, path, ctype, body string
		raw                             []byte
		status                          int
		problem                         bool
		contains                        string
	}{
		{"greet", "GET", "/v1/hello/Ada", "", "", nil, 200, false, `"Hello, Ada!"`},
		{"send", "POST", "/v1/messages", "application/json", `{"to":"Bob","text":"hi"}`, nil, 201, false, `received`},
		{"malformed JSON", "POST", "/v1/messages", "application/json", `{"to":`, nil, 400, true, `malformed JSON`},
		{"wrong type names field", "POST", "/v1/messages", "application/json", `{"to":"Bob","text":5}`, nil, 400, true, `"field":"text"`},
		{"missing required field", "POST", "/v1/messages", "application/json", `{"text":"hi"}`, nil, 400, true, `"field":"to"`},
		{"Validate names field", "POST", "/v1/messages", "application/json", `{"to":"nobody","text":"hi"}`, nil, 400, true, `"field":"to"`},
		{"2 MiB body", "POST", "/v1/messages", "application/json", "", big, 413, true, `larger than`},
		{"wrong content type", "POST", "/v1/messages", "text/plain", `hi`, nil, 415, true, `Content-Type`},
		{"unknown route", "GET", "/v2/nothing", "", "", nil, 404, true, `no route`},
		{"wrong method", "DELETE", "/v1/messages", "", "", nil, 405, true, `not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.raw
			if body == nil {
				body = []byte(tt.body)
			}
			resp, b := do(t, tt.method, p.HTTPURL+tt.path, tt.ctype, bytes.NewReader(body))
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.status, b)
			}
			if ct := resp.Header.Get("Content-Type"); tt.problem && ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
			if !strings.Contains(string(b), tt.contains) {
				t.Errorf("body %s does not contain %s", b, tt.contains)
			}
		})
	}
}

func TestMetricsPassPromtool(t *testing.T) {
	t.Parallel()
	p := start(t)
	do(t, "GET", p.HTTPURL+"/v1/hello/x", "", nil)
	resp, b := do(t, "GET", p.AdminURL+"/metrics", "", nil)
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte("go_goroutines")) {
		t.Fatalf("GET /metrics = %d, want 200 with Go collectors:\n%.300s", resp.StatusCode, b)
	}
	exampletest.Promtool(t, b)
}

// hello does not mount kit/pprofkit, so its admin port serves no
// profiles (the template and the shop mount it).
func TestServesNoProfiles(t *testing.T) {
	t.Parallel()
	p := start(t)
	if resp, _ := do(t, "GET", p.AdminURL+"/debug/pprof/", "", nil); resp.StatusCode != 404 {
		t.Errorf("GET /debug/pprof/ on the admin port = %d, want 404", resp.StatusCode)
	}
}

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	p := start(t)
	resp, b := do(t, "GET", p.HTTPURL+"/openapi.json", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /openapi.json = %d", resp.StatusCode)
	}
	if err := oascheck.Validate(b); err != nil {
		t.Errorf("/openapi.json is not valid OpenAPI 3.1: %v", err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comps   struct {
			Schemas map[string]struct {
				Required   []string                  `json:"required"`
				Properties map[string]map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	for path, method := range map[string]string{"/v1/hello/{name}": "get", "/v1/messages": "post"} {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("paths[%s][%s] missing; have %v", path, method, doc.Paths)
		}
	}
	msg, ok := doc.Comps.Schemas["MessageRequest"]
	if !ok {
		t.Fatalf("no MessageRequest schema")
	}
	if strings.Join(msg.Required, ",") != "to,text" || msg.Properties["text"]["maxLength"] != 280.0 {
		t.Errorf("MessageRequest schema = %+v, want to,text required and text maxLength 280", msg)
	}
}

// TestGracefulShutdown sends SIGTERM while a request is in flight (its body
// half sent): /readyz turns 503 during the drain, the request completes with
// 201, and the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	// The drain delay is the window in which /readyz must be seen 503; 2s
	// leaves a loaded, race-built run room to deliver the signal.
	p := start(t, "GANTRY_DRAIN_DELAY=2s")
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.HTTPURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"to":"Bob","text":"in flight"}`
	fmt.Fprintf(conn, "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	time.Sleep(100 * time.Millisecond) // let the server start reading the body

	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(1900 * time.Millisecond)
	for {
		resp, _ := do(t, "GET", p.AdminURL+"/readyz", "", nil)
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d during the drain, want 503", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}

	fmt.Fprint(conn, body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("in-flight request = %d, want 201", resp.StatusCode)
	}
	if err := p.Wait(t, 20*time.Second); err != nil {
		t.Errorf("exit: %v, want status 0", err)
	}
}
