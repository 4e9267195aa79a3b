package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

const (
	// DefaultRetention is how long a Relay keeps a published row when
	// its Retention is zero.
	DefaultRetention = 24 * time.Hour
	// MinRetention is the shortest positive Retention a Relay accepts:
	// five times the streams' DuplicateWindow, so that a row is still in
	// the table, its ID guarded by the UNIQUE constraint, for as long as
	// the stream would silently drop a second publish of that ID.
	MinRetention = 5 * DuplicateWindow
	// PruneEvery is how often, by the relay's clock, a Relay looks for
	// published rows past their retention.
	PruneEvery = time.Minute
)

// ValidateRetention reports whether d is a Retention a Relay accepts: zero
// (the default), negative (pruning off) or at least MinRetention.
func ValidateRetention(d time.Duration) error {
	if d > 0 && d < MinRetention {
		return fmt.Errorf("outbox: retention %v is below the minimum %v (five times the streams' %v duplicate window)",
			d, MinRetention, DuplicateWindow)
	}
	return nil
}

// pruner is the prune schedule of one Run; only Run's goroutine uses it.
type pruner struct {
	next time.Time // zero: due at the first step
}

// step deletes one batch of rows published before now - Retention when a
// prune is due, and reports whether the batch was full (more may be left,
// so the next step is due at once).
func (p *pruner) step(ctx context.Context, r *Relay) (more bool) {
	if r.Retention < 0 {
		return false
	}
	now := r.Now()
	if now.Before(p.next) {
		return false
	}
	before := now.Add(-r.Retention)
	n, err := Prune(ctx, r.DB, before, r.PruneBatch)
	if err != nil {
		if ctx.Err() == nil {
			r.Logger.Warn("outbox prune failed; will retry", "err", err)
		}
		p.next = now.Add(PruneEvery)
		return false
	}
	if n > 0 {
		r.Logger.Debug("outbox pruned", "rows", n, "published_before", before.UTC().Format(sqldb.TimeFormat))
	}
	if n == r.PruneBatch {
		return true
	}
	p.next = now.Add(PruneEvery)
	return false
}
