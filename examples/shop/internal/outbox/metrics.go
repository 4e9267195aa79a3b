package outbox

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Queries of the Collector. Each reads one partial index and never the
// table's published rows: pendingCountQuery reads outbox_pending (seq WHERE
// published_at IS NULL) and checks held_at on those rows only;
// heldCountQuery reads outbox_held (held_at WHERE held_at IS NOT NULL).
const (
	pendingCountQuery = `SELECT count(*) FROM outbox WHERE published_at IS NULL AND held_at IS NULL`
	heldCountQuery    = `SELECT count(*) FROM outbox WHERE held_at IS NOT NULL`
)

// Collector is a prometheus.Collector that counts a service's outbox rows
// when it is scraped, one COUNT query per gauge:
//
//   - shop_outbox_pending_rows: unpublished rows that are not held, the
//     relay's backlog. A healthy relay keeps it near 0.
//   - shop_outbox_held_rows: rows the relay holds (see Hold); they wait for
//     an operator, so any value above 0 needs one.
//   - shop_outbox_query_errors_total: counts that failed, by gauge.
//
// Every sample carries the constant label service, the name the library's
// own metrics use, so one dashboard variable selects a service everywhere,
// whatever job names the scrape configuration gives.
//
// A count that fails (locked or closed database, the Timeout passed) is left
// out of that scrape, not reported with prometheus.NewInvalidMetric: a
// promhttp handler with its default error handling (kit's /metrics no longer
// has it, but other registries may) would answer 500 for the whole page and
// the process would look down, and the error would carry no gauge label. The
// failure is counted in shop_outbox_query_errors_total and logged as a
// warning at most once per LogEvery. Create it with NewCollector and
// register it on the App's registry; it is safe for concurrent scrapes.
type Collector struct {
	db      *sql.DB
	logger  *slog.Logger
	timeout time.Duration
	now     func() time.Time

	pending, held, errs *prometheus.Desc

	mu      sync.Mutex
	failed  map[string]float64 // by gauge
	lastLog time.Time
}

// LogEvery is the least time between two warnings of a Collector whose
// counts fail; the failures in between are counted, not logged.
const LogEvery = time.Minute

// DefaultQueryTimeout bounds each count of a Collector, well inside
// Prometheus's default scrape timeout of 10s.
const DefaultQueryTimeout = time.Second

// NewCollector returns a Collector of db's outbox for the service (the
// value of the service label). The logger gets the failures (nil: discard).
func NewCollector(db *sql.DB, service string, logger *slog.Logger) *Collector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Names and labels are literals: deploy/validate reads them from here
	// to check the dashboard and the alert rules.
	return &Collector{
		db: db, logger: logger, timeout: DefaultQueryTimeout, now: time.Now,
		pending: prometheus.NewDesc("shop_outbox_pending_rows",
			"Outbox rows not yet published and not held: the relay's backlog.", nil, prometheus.Labels{"service": service}),
		held: prometheus.NewDesc("shop_outbox_held_rows",
			"Outbox rows held by the relay (first tried more than the republish window ago); each waits for an operator to release or delete it.", nil, prometheus.Labels{"service": service}),
		errs: prometheus.NewDesc("shop_outbox_query_errors_total",
			"Outbox counts that failed at scrape time, by gauge; the gauge's sample is left out of that scrape.", []string{"gauge"}, prometheus.Labels{"service": service}),
		failed: map[string]float64{"pending": 0, "held": 0},
	}
}

// Describe sends the three descriptors.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.held
	ch <- c.errs
}

// Collect runs both counts, each under the query timeout, and sends the
// gauges that succeeded and the error counter.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, g := range []struct {
		name  string
		query string
		desc  *prometheus.Desc
	}{{"pending", pendingCountQuery, c.pending}, {"held", heldCountQuery, c.held}} {
		n, err := c.count(g.query)
		if err != nil {
			c.fail(g.name, err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, float64(n))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range []string{"pending", "held"} {
		ch <- prometheus.MustNewConstMetric(c.errs, prometheus.CounterValue, c.failed[g], g)
	}
}

func (c *Collector) count(query string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var n int64
	err := c.db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// fail counts a failed count and logs it unless it logged less than
// LogEvery ago.
func (c *Collector) fail(gauge string, err error) {
	c.mu.Lock()
	c.failed[gauge]++
	now := c.now()
	log := c.lastLog.IsZero() || now.Sub(c.lastLog) >= LogEvery
	if log {
		c.lastLog = now
	}
	c.mu.Unlock()
	if log {
		c.logger.Warn("outbox metrics: count failed; the gauge is left out of this scrape (logged at most once a minute)",
			"gauge", "shop_outbox_"+gauge+"_rows", "err", err)
	}
}
