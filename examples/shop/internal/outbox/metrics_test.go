package outbox

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// scrape serves reg as kit's /metrics does (promhttp's default error
// handling) and returns the status, the body and its samples by series
// ("name{labels}").
func scrape(t *testing.T, reg *prometheus.Registry) (int, []byte, map[string]float64) {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("exposition line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return resp.StatusCode, body, samples
}

const (
	pendingSeries = `shop_outbox_pending_rows{service="order"}`
	heldSeries    = `shop_outbox_held_rows{service="order"}`
)

// TestCollectorCounts follows rows through their life (added, published,
// held, released, deleted) and checks both gauges after each step, on the
// schema of each service that has an outbox.
func TestCollectorCounts(t *testing.T) {
	for _, dir := range services {
		t.Run(service(dir), func(t *testing.T) {
			db := migrated(t, dir)
			ctx := context.Background()
			reg := prometheus.NewRegistry()
			if err := reg.Register(NewCollector(db, "order", nil)); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
			for _, step := range []struct {
				name          string
				do            func()
				pending, held float64
			}{
				{"empty", func() {}, 0, 0},
				{"three added", func() {
					for _, id := range []string{"a", "b", "c"} {
						add(t, db, id, "orders.created")
					}
				}, 3, 0},
				{"a published", func() { must(t, MarkPublished(ctx, db, "a", at)) }, 2, 0},
				{"b held", func() { must(t, Hold(ctx, db, "b", at)) }, 1, 1},
				{"published a cannot be held", func() { must(t, Hold(ctx, db, "a", at)) }, 1, 1},
				{"c held", func() { must(t, Hold(ctx, db, "c", at)) }, 0, 2},
				{"b released as the README says", func() {
					exec1(t, db, `UPDATE outbox SET held_at = NULL, attempted_at = NULL WHERE id = 'b'`)
				}, 1, 1},
				{"c deleted", func() { exec1(t, db, `DELETE FROM outbox WHERE id = 'c'`) }, 1, 0},
				{"b published", func() { must(t, MarkPublished(ctx, db, "b", at)) }, 0, 0},
			} {
				step.do()
				code, body, got := scrape(t, reg)
				if code != http.StatusOK {
					t.Fatalf("%s: /metrics answered %d, want 200:\n%s", step.name, code, body)
				}
				for series, want := range map[string]float64{pendingSeries: step.pending, heldSeries: step.held} {
					if v, ok := got[series]; !ok || v != want {
						t.Errorf("%s: %s = %v (present %v), want %v", step.name, series, v, ok, want)
					}
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func exec1(t *testing.T, db *sql.DB, stmt string) {
	t.Helper()
	res, err := db.Exec(stmt)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s changed %d rows, want 1", stmt, n)
	}
}

// TestCollectorFailureKeepsTheScrape closes the database under the
// Collector: /metrics still answers 200 with the other collectors' metrics,
// the two gauges are left out, each failure is counted, and the warning is
// logged once per LogEvery of the collector's clock, not once per scrape.
func TestCollectorFailureKeepsTheScrape(t *testing.T) {
	db := migrated(t, services[0])
	add(t, db, "a", "orders.created")
	log := &messages{}
	c := NewCollector(db, "order", slog.New(log))
	clk := &clock{t: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)}
	c.now = clk.Now
	reg := prometheus.NewRegistry()
	other := prometheus.NewGauge(prometheus.GaugeOpts{Name: "other_gauge", Help: "Another collector's gauge."})
	other.Set(7)
	reg.MustRegister(c, other)
	if _, _, got := scrape(t, reg); got[pendingSeries] != 1 {
		t.Fatalf("before the failure: %s = %v, want 1", pendingSeries, got[pendingSeries])
	}
	db.Close()

	for i, step := range []struct {
		advance  time.Duration
		warnings int
	}{{0, 1}, {LogEvery / 2, 1}, {LogEvery / 2, 2}, {time.Second, 2}} {
		clk.Add(step.advance)
		code, body, got := scrape(t, reg)
		if code != http.StatusOK {
			t.Fatalf("scrape %d: /metrics answered %d, want 200 with the rest:\n%s", i+1, code, body)
		}
		if got["other_gauge"] != 7 {
			t.Errorf("scrape %d: other_gauge = %v, want 7: a failed count must not hide other metrics", i+1, got["other_gauge"])
		}
		for _, s := range []string{pendingSeries, heldSeries} {
			if v, ok := got[s]; ok {
				t.Errorf("scrape %d: %s = %v, want it left out while the count fails", i+1, s, v)
			}
		}
		for _, g := range []string{"pending", "held"} {
			s := `shop_outbox_query_errors_total{gauge="` + g + `",service="order"}`
			if got[s] != float64(i+1) {
				t.Errorf("scrape %d: %s = %v, want %d", i+1, s, got[s], i+1)
			}
		}
		if n := log.count("WARN outbox metrics: count failed"); n != step.warnings {
			t.Errorf("scrape %d: %d warnings, want %d (at most one per %v)", i+1, n, step.warnings, LogEvery)
		}
	}
}

// TestCollectorCountsUseIndexes checks that both counts read their partial
// index (outbox_pending, outbox_held) on each service's migrated schema:
// a scrape never scans the published rows kept for the retention.
func TestCollectorCountsUseIndexes(t *testing.T) {
	for _, dir := range services {
		t.Run(service(dir), func(t *testing.T) {
			db := migrated(t, dir)
			for _, tt := range []struct{ name, query, index string }{
				{"pending", pendingCountQuery, "outbox_pending"},
				{"held", heldCountQuery, "outbox_held"},
			} {
				lines := plan(t, db, tt.query)
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "INDEX "+tt.index) }) {
					t.Errorf("%s count plan %q, want it to use index %s", tt.name, lines, tt.index)
				}
				for _, l := range lines {
					if l == "SCAN outbox" || strings.Contains(l, "TEMP B-TREE") {
						t.Errorf("%s count plan %q scans the table, want an index read", tt.name, lines)
					}
				}
			}
		})
	}
}

// TestCollectorExpositionPromtool checks the page with promtool (help,
// types, names, the _total suffix of the counter), with held, pending and
// failure samples all present.
func TestCollectorExpositionPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool not found: %v", err)
		}
		t.Skip("promtool not installed")
	}
	db := migrated(t, services[0])
	add(t, db, "a", "orders.created")
	add(t, db, "b", "orders.created")
	must(t, Hold(context.Background(), db, "b", time.Now()))
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(db, "order", nil))
	_, body, got := scrape(t, reg)
	if got[pendingSeries] != 1 || got[heldSeries] != 1 {
		t.Errorf("%s = %v and %s = %v, want 1 and 1", pendingSeries, got[pendingSeries], heldSeries, got[heldSeries])
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s\n%s", err, out, body)
	}
}
