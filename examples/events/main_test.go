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

func place(t *testing.T, p *exampletest.Proc, email, item string) {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"item":%q}`, email, item)
	resp, b := exampletest.Do(t, "POST", p.HTTPURL+"/v1/orders", "application/json", strings.NewReader(body))
	if resp.StatusCode != 202 {
		t.Fatalf("POST /v1/orders = %d %s, want 202", resp.StatusCode, b)
	}
}

// waitMailbox polls GET /v1/mailbox until ok accepts it.
func waitMailbox(t *testing.T, p *exampletest.Proc, ok func(View) bool) View {
	t.Helper()
	var v View
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/mailbox", "", nil)
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("mailbox %s: %v", b, err)
		}
		if ok(v) {
			return v
		}
	}
	t.Fatalf("mailbox never got there: %+v", v)
	return v
}

// TestEvents: an order's event is consumed once; a poison event goes to the
// dead letters; after a restart on the same data, acknowledged events are
// not delivered again, and new ones are.
func TestEvents(t *testing.T) {
	data := t.TempDir()
	env := []string{"GANTRY_NATS_PORT=0", "GANTRY_DATA_DIR=" + data}
	p := exampletest.Start(t, binary, env...)

	place(t, p, "ada@example.com", "teapot")
	place(t, p, "bob@nowhere.invalid", "kettle")
	v := waitMailbox(t, p, func(v View) bool { return len(v.Receipts) >= 1 && len(v.DeadLetters) >= 1 })
	if len(v.Receipts) != 1 || !strings.Contains(v.Receipts[0], "teapot") {
		t.Errorf("receipts = %q, want one for the teapot", v.Receipts)
	}
	if len(v.DeadLetters) != 1 || !strings.Contains(v.DeadLetters[0], "cannot mail bob@nowhere.invalid") {
		t.Errorf("dead letters = %q, want bob's order with its reason", v.DeadLetters)
	}
	if resp, _ := exampletest.Do(t, "POST", p.HTTPURL+"/v1/orders", "application/json", strings.NewReader(`{"email":"x","item":"y"}`)); resp.StatusCode != 400 {
		t.Errorf("invalid email = %d, want 400 (never published)", resp.StatusCode)
	}

	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(t, 20*time.Second); err != nil {
		t.Fatalf("exit: %v", err)
	}

	p = exampletest.Start(t, binary, env...)
	place(t, p, "cy@example.com", "cup")
	v = waitMailbox(t, p, func(v View) bool { return len(v.Receipts) >= 1 })
	time.Sleep(300 * time.Millisecond) // room for a wrong redelivery to show up
	_, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/mailbox", "", nil)
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Receipts) != 1 || !strings.Contains(v.Receipts[0], "cup") {
		t.Errorf("after restart receipts = %q, want only the new cup order", v.Receipts)
	}
}
