package events

import "time"

// WithDrainBound shortens how long a stopping Subscriber waits for a drain
// that does not finish (5s in production), so that tests which make a
// drain hang on purpose do not wait the full bound.
func WithDrainBound(d time.Duration) Option { return func(o *options) { o.drainBound = d } }

// WithAPIAttempt shortens how long a starting Subscriber waits for the
// answer to one JetStream API request before it sends it again (5s in
// production), so that a test which drops a request does not wait 5s.
func WithAPIAttempt(d time.Duration) Option { return func(o *options) { o.apiAttempt = d } }
