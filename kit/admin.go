package kit

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (a *App) newAdminMux() *http.ServeMux {
	m := http.NewServeMux()
	// One collector that fails (a count its database could not answer)
	// leaves its own samples out and the rest of the page is served, as
	// node_exporter does: a 500 would lose every other metric and make
	// the instance look down. The failure is logged and counted in
	// promhttp_metric_handler_errors_total.
	m.Handle("GET /metrics", promhttp.InstrumentMetricHandler(a.reg,
		promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{
			Registry: a.reg, ErrorLog: slogPrinter{a.logger}, ErrorHandling: promhttp.ContinueOnError,
			// A scraper that asks for OpenMetrics gets the exemplars
			// (trace IDs of sampled calls) on the latency histograms.
			EnableOpenMetrics: true,
		})))
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /readyz", a.serveReady)
	return m
}

// checkResult is one check's line in /readyz.
type checkResult struct {
	Status     string  `json:"status"` // "ok" or "fail"
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// readyReport is the /readyz body.
type readyReport struct {
	Status string                 `json:"status"` // "ok", "fail", "starting" or "draining"
	Checks map[string]checkResult `json:"checks,omitempty"`
}

func (a *App) serveReady(w http.ResponseWriter, r *http.Request) {
	switch a.state.Load() {
	case stateStarting:
		writeJSON(w, http.StatusServiceUnavailable, readyReport{Status: "starting"})
		return
	case stateDraining:
		writeJSON(w, http.StatusServiceUnavailable, readyReport{Status: "draining"})
		return
	}
	ok, checks := a.runChecks(r.Context())
	rep, code := readyReport{Status: "ok", Checks: checks}, http.StatusOK
	if !ok {
		rep.Status, code = "fail", http.StatusServiceUnavailable
	}
	writeJSON(w, code, rep)
}

// runChecks runs every check concurrently, each under the check timeout.
// A check must return when its context ends; /readyz waits for all.
func (a *App) runChecks(ctx context.Context) (bool, map[string]checkResult) {
	a.mu.Lock()
	checks := append([]namedFunc(nil), a.checks...)
	a.mu.Unlock()
	if len(checks) == 0 {
		return true, nil
	}
	results := make([]checkResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, a.cfg.CheckTimeout)
			defer cancel()
			start := time.Now()
			err := c.fn(cctx)
			res := checkResult{Status: "ok", DurationMS: float64(time.Since(start).Microseconds()) / 1000}
			if err != nil {
				res.Status, res.Error = "fail", err.Error()
			}
			results[i] = res
		})
	}
	wg.Wait()
	ok, out := true, make(map[string]checkResult, len(checks))
	for i, c := range checks {
		out[c.name] = results[i]
		ok = ok && results[i].Status == "ok"
	}
	return ok, out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
