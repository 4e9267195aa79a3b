package kit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/internal/logcheck"
)

func TestMetricsPassPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool not found and CI=true: %v", err)
		}
		t.Skip("promtool not installed (Debian package prometheus); set CI=true to make this a failure")
	}
	a := newTestApp(t, nil, nil)
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "orders_created_total", Help: "Orders created."})
	a.Registry().MustRegister(c)
	c.Inc()
	start(t, a)
	code, body := get(t, "http://"+a.AdminAddr()+"/metrics")
	if code != 200 {
		t.Fatalf("got %d, want 200", code)
	}
	for _, want := range []string{"orders_created_total 1", "go_goroutines ", "process_cpu_seconds_total ", "promhttp_metric_handler_requests_total"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	// The App's registry is its own: nothing leaks into the global one.
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "orders_created_total" {
			t.Errorf("got orders_created_total in the global registry, want it only in the App's")
		}
	}
}

// failingCollector reports one good sample and one that cannot be gathered.
type failingCollector struct{ good, bad *prometheus.Desc }

func (c failingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.good; ch <- c.bad }
func (c failingCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.good, prometheus.GaugeValue, 7)
	ch <- prometheus.NewInvalidMetric(c.bad, errors.New("database is locked"))
}

// TestMetricsSurviveAFailingCollector: a collector that fails loses its own
// samples, not the page; the failure is logged and counted.
func TestMetricsSurviveAFailingCollector(t *testing.T) {
	var logs logcheck.Buffer
	a := newTestApp(t, &logs, nil)
	a.Registry().MustRegister(failingCollector{
		good: prometheus.NewDesc("rows_pending", "Rows pending.", nil, nil),
		bad:  prometheus.NewDesc("rows_held", "Rows held.", nil, nil),
	})
	start(t, a)
	code, body := get(t, "http://"+a.AdminAddr()+"/metrics")
	if code != 200 {
		t.Fatalf("got %d, want 200: %s", code, body)
	}
	for _, want := range []string{"rows_pending 7", "go_goroutines "} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "rows_held ") {
		t.Errorf("/metrics has rows_held, want it left out")
	}
	_, body = get(t, "http://"+a.AdminAddr()+"/metrics")
	if !strings.Contains(body, `promhttp_metric_handler_errors_total{cause="gathering"} 1`) {
		t.Errorf("/metrics lacks the first scrape's gathering error in promhttp_metric_handler_errors_total")
	}
	if !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("logs lack the collector's error: %s", logs.String())
	}
}

func TestReadyzChecks(t *testing.T) {
	a := newTestApp(t, nil, []string{"-check-timeout=20ms"})
	rec := httptest.NewRecorder()
	a.Admin().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"starting"`) {
		t.Errorf("readyz before Run: got %d %s, want 503 starting", rec.Code, rec.Body)
	}

	a.AddCheck("db", func(context.Context) error { return nil })
	stop := start(t, a)
	url := "http://" + a.AdminAddr() + "/readyz"
	if code, body := get(t, url); code != 200 || !strings.Contains(body, `"db":{"status":"ok"`) {
		t.Errorf("got %d %s, want 200 with db ok", code, body)
	}
	a.AddCheck("cache", func(context.Context) error { return errors.New("cache: connection refused") })
	a.AddCheck("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	code, body := get(t, url)
	if code != 503 {
		t.Errorf("got %d, want 503", code)
	}
	var rep readyReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	want := map[string]string{"db": "", "cache": "cache: connection refused", "slow": "context deadline exceeded"}
	if rep.Status != "fail" || len(rep.Checks) != len(want) {
		t.Errorf("got %+v, want status fail with %d checks", rep, len(want))
	}
	for name, msg := range want {
		c := rep.Checks[name]
		if status := map[bool]string{true: "ok", false: "fail"}[msg == ""]; c.Status != status || c.Error != msg {
			t.Errorf("check %s: got %+v, want status %s error %q", name, c, status, msg)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("Run: got %v, want nil", err)
	}
}

// Profiles are kit/pprofkit's: an App that does not mount it answers 404
// at /debug/pprof/ on both listeners, whatever gantry.pprof says, and
// registers nothing on http.DefaultServeMux.
func TestNoPprofWithoutPprofkit(t *testing.T) {
	a := newTestApp(t, nil, []string{"-pprof=true"})
	start(t, a)
	for _, url := range []string{"http://" + a.AdminAddr() + "/debug/pprof/", "http://" + a.HTTPAddr() + "/debug/pprof/"} {
		if code, _ := get(t, url); code != 404 {
			t.Errorf("GET %s: got %d, want 404", url, code)
		}
	}
	if _, p := http.DefaultServeMux.Handler(httptest.NewRequest("GET", "/debug/pprof/", nil)); p != "" {
		t.Errorf("got pprof on http.DefaultServeMux (%q), want nothing registered globally", p)
	}
}
