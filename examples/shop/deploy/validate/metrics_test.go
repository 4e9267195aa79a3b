package validate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	yamlv3 "go.yaml.in/yaml/v3"
)

// external are the metrics the dashboard and rules use that Gantry does not
// register itself, with where they come from.
var external = []family{
	{name: regexp.MustCompile(`^up$`), kind: "Gauge", source: "Prometheus, per scrape target"},
	{name: regexp.MustCompile(`^process_resident_memory_bytes$`), kind: "Gauge", source: "client_golang ProcessCollector, registered by kit.New"},
	{name: regexp.MustCompile(`^process_cpu_seconds_total$`), kind: "Counter", source: "client_golang ProcessCollector, registered by kit.New"},
	{name: regexp.MustCompile(`^go_goroutines$`), kind: "Gauge", source: "client_golang GoCollector, registered by kit.New"},
	{name: regexp.MustCompile(`^nats_consumer_num_(ack_)?pending$`), kind: "Gauge", source: "prometheus-nats-exporter -prefix=nats -jsz=all (the NATS Helm chart's flags)",
		labels: []string{"server_id", "server_name", "cluster", "domain", "meta_leader", "is_meta_leader", "account", "account_id",
			"stream_name", "stream_leader", "is_stream_leader", "consumer_name", "consumer_leader", "is_consumer_leader", "consumer_desc", "consumer_created"}},
}

// targetLabels are attached by Prometheus to every scraped series.
var targetLabels = []string{"job", "instance"}

// notCharted are Gantry metric families the dashboard leaves out on purpose.
// A family the library adds later fails TestDashboardChartsEveryFamily until
// it is charted or listed here with a reason.
var notCharted = map[string]string{
	// The endpoint chain's rpc_*_call_duration_seconds already charts every
	// gRPC call per operation; these are the transport's own view, for
	// dashboards built on grpc-ecosystem's names.
	`^grpc_[a-z]+_handling_seconds$`: "gRPC calls are charted per operation by rpc_{server,client}_call_duration_seconds",
	// telemetry/promreg's book of who registered which collector: a name
	// it holds on the registry, with no series to chart.
	`^gantry_collector_owners$`: "describes no series (telemetry/promreg keeps the registry's owners under it)",
}

// grafanaVars replaces the dashboard's variables with values the PromQL
// parser accepts.
var grafanaVars = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h", "$service", ".*")

type promExpr struct {
	where string
	expr  string
}

func dashboardExprs(t *testing.T) []promExpr {
	t.Helper()
	var dash struct {
		UID        string `json:"uid"`
		Title      string `json:"title"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Title      string `json:"title"`
			Type       string `json:"type"`
			Datasource *struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				Expr  string `json:"expr"`
				RefID string `json:"refId"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(readFile(t, deployDir+"/grafana/dashboards/gantry-shop.json"), &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if dash.UID == "" || dash.Title == "" {
		t.Fatalf("dashboard: got uid %q title %q, want both", dash.UID, dash.Title)
	}
	var out []promExpr
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "prometheus" {
			t.Errorf("panel %q: got datasource %+v, want uid prometheus (provisioned in datasources.yml)", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q: got no query", p.Title)
		}
		for _, tg := range p.Targets {
			out = append(out, promExpr{"panel " + strconv.Quote(p.Title) + " " + tg.RefID, tg.Expr})
		}
	}
	labelValues := regexp.MustCompile(`^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?),\s*([a-zA-Z_]+)\)$`)
	for _, v := range dash.Templating.List {
		mm := labelValues.FindStringSubmatch(v.Definition)
		if mm == nil {
			t.Errorf("variable %s: got definition %q, want label_values(metric, label)", v.Name, v.Definition)
			continue
		}
		// Check the label exists by selecting on it.
		out = append(out, promExpr{"variable " + v.Name, mm[1] + `{` + mm[2] + `!=""}`})
	}
	return out
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record      string            `yaml:"record"`
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func loadRules(t *testing.T) ruleFile {
	t.Helper()
	var rf ruleFile
	dec := yamlv3.NewDecoder(strings.NewReader(string(readFile(t, deployDir+"/prometheus/alerts.yml"))))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	return rf
}

func ruleExprs(t *testing.T) (exprs []promExpr, records []string) {
	t.Helper()
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			name := r.Alert + r.Record
			exprs = append(exprs, promExpr{"rule " + name, r.Expr})
			if r.Record != "" {
				records = append(records, r.Record)
			}
		}
	}
	return exprs, records
}

// checkExpr parses e and checks every selector: the metric is one Gantry
// registers (or a listed external one, or a recording rule), a _bucket,
// _count or _sum suffix only on a histogram, and every label matcher names a
// label the metric has. It returns the Gantry families used and the problems.
func checkExpr(e promExpr, fams []family, records []string) (used, problems []string) {
	bad := func(format string, args ...any) {
		problems = append(problems, e.where+": "+fmt.Sprintf(format, args...))
	}
	expr, err := parser.ParseExpr(grafanaVars.Replace(e.expr))
	if err != nil {
		bad("%q: %v", e.expr, err)
		return nil, problems
	}
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok || slices.Contains(records, vs.Name) {
			return nil
		}
		base, suffix := vs.Name, ""
		for _, s := range []string{"_bucket", "_count", "_sum"} {
			if b, ok := strings.CutSuffix(vs.Name, s); ok && findFamily(fams, vs.Name) == nil && findFamily(external, vs.Name) == nil {
				base, suffix = b, s
			}
		}
		f := findFamily(fams, base)
		isExternal := false
		if f == nil {
			f, isExternal = findFamily(external, base), true
		}
		if f == nil {
			bad("metric %s: got a name Gantry does not register, want one of the library's metrics", vs.Name)
			return nil
		}
		if !isExternal {
			used = append(used, base)
		}
		if suffix != "" && f.kind != "Histogram" && f.kind != "Summary" {
			bad("metric %s: got suffix %s on a %s (%s)", vs.Name, suffix, f.kind, f.source)
		}
		allowed := append(slices.Clone(f.labels), targetLabels...)
		if suffix == "_bucket" {
			allowed = append(allowed, "le")
		}
		for _, m := range vs.LabelMatchers {
			if m.Name != "__name__" && !slices.Contains(allowed, m.Name) {
				bad("metric %s: label %q: got a label it does not have, want one of %v (%s)", vs.Name, m.Name, allowed, f.source)
			}
		}
		return nil
	})
	return used, problems
}

func failsCheck(fams []family, expr string) bool {
	_, problems := checkExpr(promExpr{"test", expr}, fams, nil)
	return len(problems) > 0
}

func reportExpr(t *testing.T, e promExpr, fams []family, records []string) []string {
	t.Helper()
	used, problems := checkExpr(e, fams, records)
	for _, p := range problems {
		t.Error(p)
	}
	return used
}

func TestDashboardQueriesUseGantryMetrics(t *testing.T) {
	fams := gantryFamilies(t)
	exprs := dashboardExprs(t)
	if len(exprs) < 10 {
		t.Fatalf("dashboard: got %d queries, want the full dashboard", len(exprs))
	}
	for _, e := range exprs {
		reportExpr(t, e, fams, nil)
	}
}

func TestDashboardChartsEveryFamily(t *testing.T) {
	fams := gantryFamilies(t)
	charted := map[string]bool{}
	for _, e := range dashboardExprs(t) {
		for _, u := range reportExpr(t, e, fams, nil) {
			charted[u] = true
		}
	}
	for _, f := range fams {
		hit := false
		for name := range charted {
			if f.name.MatchString(name) {
				hit = true
			}
		}
		if !hit && notCharted[f.name.String()] == "" {
			t.Errorf("family %s (%s): got no dashboard panel, want one or an entry in notCharted saying why", f.name, f.source)
		}
	}
}

func TestAlertRulesUseGantryMetrics(t *testing.T) {
	fams := gantryFamilies(t)
	exprs, records := ruleExprs(t)
	for _, e := range exprs {
		reportExpr(t, e, fams, records)
	}
}

func TestAlertRulesCoverTheIssue(t *testing.T) {
	rf := loadRules(t)
	alerts := map[string]string{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts[r.Alert] = r.Expr
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s: got severity %q and %d annotations, want severity, summary and description", r.Alert, r.Labels["severity"], len(r.Annotations))
			}
		}
	}
	// Each signal the issue names, and the metric that carries it.
	for signal, metric := range map[string]string{
		"error ratio":  "rpc_server_call_duration_seconds_count",
		"p99 latency":  "rpc_server_call_duration_seconds_bucket",
		"breaker open": "breaker_state",
		"consumer lag": "nats_consumer_num_pending",
		"dead letters": `events_handled_total{outcome="dead_lettered"}`,
	} {
		found := false
		for _, expr := range alerts {
			if strings.Contains(expr, metric) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: got no alert on %s", signal, metric)
		}
	}
	// Every alert has a promtool unit test that expects it to fire.
	tests := string(readFile(t, deployDir+"/prometheus/alerts_test.yml"))
	for name := range alerts {
		if !regexp.MustCompile(`alertname: ` + name + `\n\s+exp_alerts:\n\s+- exp_labels:`).MatchString(tests) {
			t.Errorf("alert %s: got no case in alerts_test.yml that expects it to fire", name)
		}
	}
}

// TestCheckExprRejects proves the checker fails on what it must catch.
func TestCheckExprRejects(t *testing.T) {
	fams := gantryFamilies(t)
	for _, expr := range []string{
		`rate(rpc_server_requests_total[5m])`,                                        // not a Gantry name
		`rpc_server_call_duration_seconds_count{route="x"}`,                          // wrong label
		`breaker_state_count`,                                                        // suffix on a gauge
		`sum(rate(events_handled_total{outcom="dead_lettered"}[5m]))`,                // typo in a label
		`histogram_quantile(0.99, rate(gateway_request_duration_seconds_bucket[5m])`, // syntax
		`shop_outbox_held_rows{gauge="held"}`,                                        // a label of the shop's error counter, not of the gauge
		`shop_outbox_pending_rows_count`,                                             // suffix on a shop gauge
	} {
		if !failsCheck(fams, expr) {
			t.Errorf("checkExpr(%q): got no error, want one", expr)
		}
	}
	if failsCheck(fams, `sum by (service) (rate(rpc_server_call_duration_seconds_bucket{service="order",code="ok",le="1"}[5m]))`) {
		t.Error("checkExpr on a correct histogram query: got an error, want none")
	}
	if failsCheck(fams, `sum by (service) (increase(shop_outbox_query_errors_total{service="order",gauge="held"}[5m]))`) {
		t.Error("checkExpr on a correct query of the shop's Collector (NewDesc, constant label service): got an error, want none")
	}
}
