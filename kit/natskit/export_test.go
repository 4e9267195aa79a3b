package natskit

import "time"

// SetDrainBound shortens how long n's stop waits for the connection's
// drain (5s in production), for tests that make a drain hang on purpose.
func SetDrainBound(n *NATS, d time.Duration) { n.drainBound = d }
