package events

import "time"

// WithDrainBound shortens how long a stopping Subscriber waits for a drain
// that does not finish (5s in production), so that tests which make a
// drain hang on purpose do not wait the full bound.
func WithDrainBound(d time.Duration) Option { return func(o *options) { o.drainBound = d } }
