package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/exampletest"
)

var binary string

func TestMain(m *testing.M) { exampletest.Main(m, &binary, main) }

// TestCallingAnotherService: with one of three instances broken and one
// slow, every call through the frontend is answered; the broken instance
// answers none, and the fast one most.
func TestCallingAnotherService(t *testing.T) {
	p := exampletest.StartService(t, binary, "frontend", "GANTRY_DRAIN_DELAY=50ms")
	// The frontend is ready once the quotes instances have registered.
	byInstance := map[string]int{}
	var failures []string
	for deadline := time.Now().Add(10 * time.Second); len(byInstance) == 0 && time.Now().Before(deadline); {
		resp, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/quote", "", nil)
		if resp.StatusCode == 200 {
			var q Quote
			_ = json.Unmarshal(b, &q)
			byInstance[q.Instance]++
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	for range 100 {
		resp, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/quote", "", nil)
		var q Quote
		if resp.StatusCode != 200 || json.Unmarshal(b, &q) != nil {
			failures = append(failures, fmt.Sprintf("%d %s", resp.StatusCode, b))
			continue
		}
		byInstance[q.Instance]++
	}
	if len(failures) > 0 {
		t.Errorf("%d of 100 calls failed, want 0: %q", len(failures), failures)
	}
	if byInstance["quotes-2"] != 0 {
		t.Errorf("the broken instance answered %d calls", byInstance["quotes-2"])
	}
	if byInstance["quotes-0"] <= byInstance["quotes-1"] {
		t.Errorf("answers by instance = %v, want the fast quotes-0 ahead of the slow quotes-1", byInstance)
	}
	t.Logf("answers by instance: %v", byInstance)

	_, metrics := exampletest.Do(t, "GET", p.AdminURL+"/metrics", "", nil)
	if want := `rpc_client_call_duration_seconds_count{code="ok",method="quotes.get",service="frontend"}`; !strings.Contains(string(metrics), want) {
		t.Errorf("/metrics lacks %s", want)
	}

	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(t, 30*time.Second); err != nil {
		t.Errorf("exit: %v, want 0", err)
	}
}
