package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/propagation"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/telemetry"
)

// Stage names a point in the relay's handling of one row, for Fault.
type Stage int

const (
	// BeforePublish is after the row was read and before it is published.
	BeforePublish Stage = iota + 1
	// AfterPublish is after the stream stored it and before it is marked.
	AfterPublish
)

// ErrCrash is what a Fault returns to make the relay stop on the spot, as
// if the process had died there: Run returns it without marking the row.
var ErrCrash = errors.New("outbox: simulated crash")

// Relay publishes a service's outbox and prunes it. Run it with kit's
// App.Go; Notify wakes it after a commit, and it also polls every Interval.
// Set its fields before Run; Notify is safe for concurrent use.
type Relay struct {
	// DB holds the outbox table.
	DB *sql.DB
	// JetStream returns the connection's JetStream handle (valid once
	// the App has started its NATS connection).
	JetStream func() jetstream.JetStream
	// Options are given to the events.Publisher of each subject
	// (tracing, metrics).
	Options []events.Option
	// Interval between polls (default 200ms).
	Interval time.Duration
	// Logger gets publish and prune failures, and a debug line per
	// prune batch that deleted rows (default: discarded).
	Logger *slog.Logger
	// Retention is how long a published row is kept before Run deletes
	// it (0: DefaultRetention; negative: never). A positive value below
	// MinRetention makes Run fail at once (see ValidateRetention).
	Retention time.Duration
	// PruneBatch bounds the rows one prune statement deletes (default
	// 500). A full batch is followed by another at the next turn of the
	// loop, after a flush, so publishing never waits behind a backlog.
	PruneBatch int
	// Now is the relay's clock for published_at and the retention
	// (default time.Now). Tests move it.
	Now func() time.Time
	// Fault, when set, is called at each Stage with the row's ID; a
	// non-nil error stops Run with that error. It is a test hook for
	// crashing the relay between the commit and the publish.
	Fault func(Stage, string) error
	// Owner names this relay in the rows it claims (default: random).
	// Replicas of a service run one relay each over one database; each row
	// is claimed by one of them at a time (see Claim).
	Owner string
	// Lease is how long a claim keeps other relays off a row (0:
	// DefaultLease; else between MinLease and MaxLease, see ValidateLease):
	// a relay that dies mid-batch leaves its rows to the others after it.
	Lease time.Duration

	wake chan struct{}
	once sync.Once
	pubs map[string]*events.Publisher[json.RawMessage]
}

func (r *Relay) init() {
	r.once.Do(func() {
		r.wake = make(chan struct{}, 1)
		r.pubs = map[string]*events.Publisher[json.RawMessage]{}
		if r.Interval <= 0 {
			r.Interval = 200 * time.Millisecond
		}
		if r.Logger == nil {
			r.Logger = slog.New(slog.DiscardHandler)
		}
		if r.Retention == 0 {
			r.Retention = DefaultRetention
		}
		if r.PruneBatch <= 0 {
			r.PruneBatch = 500
		}
		if r.Now == nil {
			r.Now = time.Now
		}
		if r.Owner == "" {
			b := make([]byte, 8)
			rand.Read(b)
			r.Owner = hex.EncodeToString(b)
		}
		if r.Lease == 0 {
			r.Lease = DefaultLease
		}
	})
}

// Lease bounds. The trade-off: a shorter lease hands the rows of a relay
// that died (a killed replica) to the others sooner, so their events are
// late by less; a longer one keeps a relay that is only slow (a batch of
// 100 publishes waiting on a stream that lost its leader) from having its
// rows taken and published a second time. A second publish is harmless
// while the stream's de-duplication still remembers the first: MaxLease is
// half the DuplicateWindow, so a row taken over when a lease ends is
// published again well within it. MinLease keeps a healthy batch's publishes
// (each waits up to its ack) inside the lease.
const (
	DefaultLease = 30 * time.Second
	MinLease     = time.Second
	MaxLease     = DuplicateWindow / 2
)

// ValidateLease reports whether d is a Lease a Relay accepts: zero (the
// default) or between MinLease and MaxLease.
func ValidateLease(d time.Duration) error {
	if d != 0 && (d < MinLease || d > MaxLease) {
		return fmt.Errorf("outbox: lease %v is outside %v to %v (at most half the streams' %v duplicate window)",
			d, MinLease, MaxLease, DuplicateWindow)
	}
	return nil
}

// Notify wakes the relay now; it never blocks.
func (r *Relay) Notify() {
	r.init()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes pending rows and prunes published ones until ctx ends
// (returning nil) or a Fault returns an error (returning it). A Retention
// that ValidateRetention refuses, or a Lease that ValidateLease refuses,
// is returned at once. Publish and prune
// failures are logged and retried at the next poll; pruning runs every
// PruneEvery of the relay's clock, in batches of PruneBatch.
func (r *Relay) Run(ctx context.Context) error {
	r.init()
	if err := ValidateRetention(r.Retention); err != nil {
		return err
	}
	if err := ValidateLease(r.Lease); err != nil {
		return err
	}
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	var p pruner
	for {
		if err := r.flush(ctx); err != nil {
			return err
		}
		if p.step(ctx, r) && ctx.Err() == nil {
			continue // a full batch: flush, then prune again
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-t.C:
		}
	}
}

// flush publishes every pending row it can claim; it returns only a
// Fault's error. Rows it claimed but leaves (a failure, the connection
// down) are released for the other relays at once.
func (r *Relay) flush(ctx context.Context) error {
	for ctx.Err() == nil {
		now := r.Now()
		rows, err := Claim(ctx, r.DB, r.Owner, now, now.Add(r.Lease), 100)
		if err != nil {
			if ctx.Err() == nil {
				r.Logger.Warn("outbox read failed", "err", err)
			}
			return nil
		}
		if len(rows) == 0 {
			return nil
		}
		done, err := r.publishRows(ctx, rows)
		if err != nil {
			return err
		}
		if done < len(rows) {
			r.release(rows[done:])
			return nil
		}
	}
	return nil
}

// publishRows publishes rows in order and returns how many it dealt with
// (published, or held) before stopping; the error is a Fault's.
func (r *Relay) publishRows(ctx context.Context, rows []Row) (int, error) {
	for i, row := range rows {
		if !row.Attempted.IsZero() && r.Now().Sub(row.Attempted) > RepublishWindow {
			r.hold(ctx, row)
			continue
		}
		if err := r.fault(BeforePublish, row.ID); err != nil {
			return i, err
		}
		if !r.JetStream().Conn().IsConnected() {
			return i, nil // a publish now would wait in the client's buffer, to be stored at any later time
		}
		if row.Attempted.IsZero() {
			if err := MarkAttempted(ctx, r.DB, row.ID, r.Now()); err != nil {
				if ctx.Err() == nil {
					r.Logger.WarnContext(row.context(ctx), "outbox write failed; will retry", telemetry.KeyEventID, row.ID, telemetry.KeyError, err)
				}
				return i, nil // not published before its attempt is on record
			}
		}
		pctx, cancel := context.WithTimeout(row.context(ctx), 5*time.Second)
		_, err := r.publisher(row.Subject).Publish(pctx, row.ID, row.Payload)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				r.Logger.WarnContext(row.context(ctx), "outbox publish failed; will retry",
					telemetry.KeyEventID, row.ID, telemetry.KeySubject, row.Subject, telemetry.KeyError, err)
			}
			return i, nil
		}
		if err := r.fault(AfterPublish, row.ID); err != nil {
			return i, err
		}
		if err := MarkPublished(ctx, r.DB, row.ID, r.Now()); err != nil {
			return i + 1, nil // published; marked on a later pass (its lease runs out), deduplicated by the stream
		}
	}
	return len(rows), nil
}

// release gives the rows back, in a context of its own: the relay's may
// have ended, and a release that fails only leaves them to the lease.
func (r *Relay) release(rows []Row) {
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := Release(ctx, r.DB, r.Owner, ids); err != nil {
		r.Logger.Warn("outbox release failed; the rows wait for the lease", "rows", len(ids), "err", err)
	}
}

// hold keeps row from being published again, and says so: it was first
// tried more than RepublishWindow ago, so it may be stored in the stream
// already, and a copy stored now could reach a consumer after that
// consumer's processed-event marker for the first one was pruned.
func (r *Relay) hold(ctx context.Context, row Row) {
	if err := Hold(ctx, r.DB, row.ID, r.Now()); err != nil {
		if ctx.Err() == nil {
			r.Logger.WarnContext(row.context(ctx), "outbox write failed; will retry", telemetry.KeyEventID, row.ID, telemetry.KeyError, err)
		}
		return
	}
	r.Logger.ErrorContext(row.context(ctx), "outbox row held: first tried more than the republish window ago, it may be published already; "+
		"publishing it again could apply it twice. Check the consumers, then release it (held_at = NULL, attempted_at = NULL) or delete it",
		telemetry.KeyEventID, row.ID, telemetry.KeySubject, row.Subject, "attempted_at", row.Attempted.UTC().Format(sqldb.TimeFormat), "republish_window", RepublishWindow)
}

// context is ctx in the trace of the request that wrote row, with its
// request ID: the publish's parent, and the context of the row's log
// lines, which so carry that request's trace_id and request_id.
func (row Row) context(ctx context.Context) context.Context {
	if len(row.Trace) == 0 {
		return ctx
	}
	ctx = propagation.TraceContext{}.Extract(ctx, row.Trace)
	return telemetry.WithRequestID(ctx, row.Trace.Get(telemetry.MetadataRequestID))
}

func (r *Relay) fault(s Stage, id string) error {
	if r.Fault == nil {
		return nil
	}
	return r.Fault(s, id)
}

func (r *Relay) publisher(subject string) *events.Publisher[json.RawMessage] {
	p := r.pubs[subject] // only Run's goroutine touches pubs
	if p == nil {
		p = events.NewPublisher[json.RawMessage](r.JetStream(), subject, r.Options...)
		r.pubs[subject] = p
	}
	return p
}
