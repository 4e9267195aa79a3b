package shoptest

import (
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/logcheck"
)

// OrderLogs parses every line of every service's JSON logs (logs maps a
// service to its output) with a parser that rejects a key twice, and
// checks that:
//   - each line naming the order's trace_id or request_id names both;
//   - every line logged while handling a call (key op) or an event (key
//     event_id) names a trace and a request;
//   - each service in want logged, joined to the order, a line with each of
//     the given messages ("msg").
func OrderLogs(t *testing.T, logs map[string]string, traceID, reqID string, want map[string][]string) {
	t.Helper()
	if reqID == "" {
		t.Fatal("the gateway's answer carried no X-Request-Id")
	}
	for name, text := range logs {
		lines, err := logcheck.Lines(strings.NewReader(text))
		if err != nil {
			t.Errorf("%s's logs: %v", name, err)
		}
		failed := t.Failed()
		seen := map[string]int{}
		var joined int
		for _, l := range lines {
			tid, _ := l["trace_id"].(string)
			rid, _ := l["request_id"].(string)
			_, call := l["op"]
			_, event := l["event_id"]
			if (call || event) && (tid == "" || rid == "") {
				// Every call and event in these tests serves a request.
				t.Errorf("%s logged a line of a call or event without trace_id or request_id: %v", name, l)
			}
			if tid != traceID && rid != reqID {
				continue
			}
			joined++
			msg, _ := l["msg"].(string)
			seen[msg]++
			if tid != traceID || rid != reqID {
				t.Errorf("%s logged a line of the order with trace_id %q and request_id %q, want %s and %s: %v", name, tid, rid, traceID, reqID, l)
			}
		}
		t.Logf("%s: %d log lines, %d of them of the order: %v", name, len(lines), joined, seen)
		for _, msg := range want[name] {
			if seen[msg] == 0 {
				t.Errorf("%s logged no %q line with the order's trace_id and request_id", name, msg)
			}
		}
		if !failed && t.Failed() {
			t.Logf("%s's logs:\n%s", name, text)
		}
	}
}
