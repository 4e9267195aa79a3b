package cmd_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// checkRefusedCounted sends orders the order service refuses before its
// endpoint runs (a body that is not JSON, a field of the wrong type) and
// checks, on the service's own /metrics, that rpc_server_* counted them
// as create_order calls with code invalid_argument: the dashboards' rate
// and error panels see what clients were told.
func checkRefusedCounted(t *testing.T, gateway, token, admin string) {
	before := refusedCount(t, admin)
	for _, body := range []string{`{"items":`, `{"items":"p01"}`} {
		if code, _ := post(t, gateway+"/api/v1/orders", token, body, 0, nil); code != 400 {
			t.Errorf("POST /api/v1/orders %s = %d, want 400", body, code)
		}
	}
	if got := refusedCount(t, admin) - before; got != 2 {
		t.Errorf(`rpc_server_call_duration_seconds_count{service="order",method="create_order",code="invalid_argument"} rose by %v, want 2`, got)
	}
}

// refusedCount scrapes admin's /metrics (text format, parsed with
// Prometheus's own parser) for create_order's invalid_argument count.
func refusedCount(t *testing.T, admin string) float64 {
	t.Helper()
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("/metrics: %v", err)
	}
	f := fams["rpc_server_call_duration_seconds"]
	if f == nil {
		t.Fatal("/metrics has no rpc_server_call_duration_seconds")
	}
	for _, m := range f.GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		if l["service"] == "order" && l["method"] == "create_order" && l["code"] == "invalid_argument" {
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}
