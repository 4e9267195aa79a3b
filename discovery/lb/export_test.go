package lb

// SetClock replaces b's clock (nanoseconds); call it before the first pick.
func SetClock(b *Balancer, now func() int64) { b.clock = now }
