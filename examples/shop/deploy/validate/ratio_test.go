package validate

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
)

// TestFaultRatioPanels evaluates the dashboard's two fault-ratio queries
// with promtool (test rules, promql_expr_test) on series shaped like what
// Gantry exports: a service or route with traffic and no faults shows 0,
// not "no data"; one with faults shows their share; one without traffic
// shows nothing.
func TestFaultRatioPanels(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not found; .ci/run installs Debian's prometheus package")
		}
		t.Skip("promtool not found: apt-get install prometheus")
	}
	exprs := map[string]string{}
	for _, e := range dashboardExprs(t) {
		exprs[e.where] = grafanaVars.Replace(e.expr)
	}
	type sample struct {
		Labels string  `yaml:"labels"`
		Value  float64 `yaml:"value"`
	}
	type exprTest struct {
		Expr       string   `yaml:"expr"`
		EvalTime   string   `yaml:"eval_time"`
		ExpSamples []sample `yaml:"exp_samples"`
	}
	type series struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	// Per minute: order 60 calls, all ok; product 54 ok, 30 not_found (the
	// caller's fault) and 6 internal (6 of 90 calls a server fault); user
	// none. Routes: orders 60 answers, none 5xx; products 540 x 200 and
	// 60 x 503; idle none.
	rpc := `rpc_server_call_duration_seconds_count{job="%s",service="%s",method="m",code="%s"}`
	gw := `gateway_requests_total{job="gateway",route="%s",code="%s"}`
	in := []series{
		{fmt.Sprintf(rpc, "order", "order", "ok"), "0+60x15"},
		{fmt.Sprintf(rpc, "product", "product", "ok"), "0+54x15"},
		{fmt.Sprintf(rpc, "product", "product", "internal"), "0+6x15"},
		{fmt.Sprintf(rpc, "product", "product", "not_found"), "0+30x15"},
		{fmt.Sprintf(rpc, "user", "user", "ok"), "0x15"}, // no traffic
		{fmt.Sprintf(gw, "orders", "202"), "0+50x15"},
		{fmt.Sprintf(gw, "orders", "400"), "0+10x15"},
		{fmt.Sprintf(gw, "products", "200"), "0+540x15"},
		{fmt.Sprintf(gw, "products", "503"), "0+60x15"},
		{fmt.Sprintf(gw, "idle", "200"), "0x15"},
	}
	serverFault := exprs[`panel "Server-fault ratio" A`]
	gateway5xx := exprs[`panel "5xx ratio by route" A`]
	if serverFault == "" || gateway5xx == "" {
		t.Fatalf("the dashboard has no panel \"Server-fault ratio\" or \"5xx ratio by route\" (query A)")
	}
	doc := map[string]any{
		"evaluation_interval": "1m",
		"tests": []map[string]any{{
			"interval":     "1m",
			"input_series": in,
			"promql_expr_test": []exprTest{
				{serverFault, "10m", []sample{{`{service="order"}`, 0}, {`{service="product"}`, 6.0 / 90}}},
				{gateway5xx, "10m", []sample{{`{route="orders"}`, 0}, {`{route="products"}`, 0.1}}},
			},
		}},
	}
	b, err := yamlv3.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "panels_test.yml")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "test", "rules", file).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s\n%s", err, out, b)
	}
}
