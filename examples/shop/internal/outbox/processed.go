package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

const (
	// RepublishWindow bounds how long after its first attempt a Relay
	// publishes a row again: past it, the row may already be stored and
	// a second copy could outlive the consumers' markers of the first, so
	// the relay holds it instead (see Hold and the package documentation).
	RepublishWindow = 24 * time.Hour
	// ProcessedSlack covers what the other bounds do not: an event fetched
	// just before the stream expired it and handled a little later, and
	// small steps of the clocks.
	ProcessedSlack = time.Hour
	// MinProcessedRetention is the shortest positive retention of
	// processed_events rows a ProcessedPruner accepts: no copy of an event
	// is delivered later than this after its first handling.
	MinProcessedRetention = StreamMaxAge + RepublishWindow + ProcessedSlack
	// DefaultProcessedRetention is a ProcessedPruner's retention when its
	// Retention is zero (9 days).
	DefaultProcessedRetention = StreamMaxAge + 2*RepublishWindow
)

// ValidateProcessedRetention reports whether d is a retention a
// ProcessedPruner accepts: zero (the default), negative (pruning off) or at
// least MinProcessedRetention.
func ValidateProcessedRetention(d time.Duration) error {
	if d > 0 && d < MinProcessedRetention {
		return fmt.Errorf("outbox: processed events retention %v is below the minimum %v "+
			"(the streams' max age %v, the relay's republish window %v and %v of slack)",
			d, MinProcessedRetention, StreamMaxAge, RepublishWindow, ProcessedSlack)
	}
	return nil
}

// CheckStreams returns an error unless each named stream deletes its
// messages within StreamMaxAge. A stream declared by an older shop (or
// changed by hand) may keep them for ever; its events could then be
// delivered again after any retention.
func CheckStreams(ctx context.Context, js jetstream.JetStream, names ...string) error {
	for _, name := range names {
		s, err := js.Stream(ctx, name)
		if err != nil {
			return fmt.Errorf("outbox: stream %s: %w", name, err)
		}
		if age := s.CachedInfo().Config.MaxAge; age <= 0 || age > StreamMaxAge {
			return fmt.Errorf("outbox: stream %s keeps messages for %v (MaxAge), want at most %v", name, ageText(age), StreamMaxAge)
		}
	}
	return nil
}

func ageText(d time.Duration) string {
	if d <= 0 {
		return "ever"
	}
	return d.String()
}

// ProcessedPruner deletes a consumer's processed_events rows once no copy
// of their events can be delivered any more. Run it with kit's App.Go; set
// its fields before Run.
type ProcessedPruner struct {
	// DB holds the processed_events table.
	DB *sql.DB
	// JetStream returns the connection's JetStream handle (valid once
	// the App has started its NATS connection).
	JetStream func() jetstream.JetStream
	// Streams are the streams whose events the table records; a pass
	// deletes nothing unless CheckStreams accepts all of them.
	Streams []string
	// Retention is how long a row is kept (0: DefaultProcessedRetention;
	// negative: for ever, Run returns at once). A positive value below
	// MinProcessedRetention makes Run fail at once.
	Retention time.Duration
	// Batch bounds the rows one delete statement removes (default 500).
	Batch int
	// Every is the time between two passes (default PruneEvery).
	Every time.Duration
	// Now is the clock the retention is measured on (default time.Now).
	Now func() time.Time
	// Logger gets failures, streams that do not expire their messages,
	// and a debug line per batch that deleted rows (default: discarded).
	Logger *slog.Logger
}

// Run prunes at once and then every Every until ctx ends (returning nil).
// A pass that fails, or finds a stream CheckStreams refuses, deletes
// nothing, logs a warning and is tried again at the next.
func (p *ProcessedPruner) Run(ctx context.Context) error {
	if p.Retention == 0 {
		p.Retention = DefaultProcessedRetention
	}
	if err := ValidateProcessedRetention(p.Retention); err != nil || p.Retention < 0 {
		return err
	}
	if p.Batch <= 0 {
		p.Batch = 500
	}
	if p.Every <= 0 {
		p.Every = PruneEvery
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(p.Every)
	defer t.Stop()
	for {
		p.pass(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// pass deletes, in batches, the rows recorded more than Retention ago, if
// the streams expire their messages; it returns how many it deleted.
func (p *ProcessedPruner) pass(ctx context.Context) (deleted int) {
	if err := CheckStreams(ctx, p.JetStream(), p.Streams...); err != nil {
		if ctx.Err() == nil {
			p.Logger.Warn("processed events not pruned: a stream may still deliver old events", "err", err)
		}
		return 0
	}
	before := p.Now().Add(-p.Retention)
	for ctx.Err() == nil {
		n, err := sqldb.PruneProcessed(ctx, p.DB, before, p.Batch)
		if err != nil {
			if ctx.Err() == nil {
				p.Logger.Warn("processed events prune failed; will retry", "err", err)
			}
			return deleted
		}
		deleted += n
		if n > 0 {
			p.Logger.Debug("processed events pruned", "rows", n, "processed_before", before.UTC().Format(sqldb.TimeFormat))
		}
		if n < p.Batch {
			break
		}
	}
	return deleted
}
