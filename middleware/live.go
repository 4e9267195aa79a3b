package middleware

import (
	"time"

	"github.com/gantrykit/gantry/liveconfig"
)

// LiveKeys are the keys of Config that a running server chain applies
// (Server.Update), for every operation, existing and future: the one list,
// which the runtime makes live (kit's App.WatchConfig) and the
// documentation is checked against. A new entry here is live everywhere:
// Update copies it, the overlay accepts it, the runtime stops reporting it
// as needing a restart. Every other key of Config needs a new chain.
func LiveKeys() []liveconfig.Key[Config] {
	return []liveconfig.Key[Config]{
		liveconfig.Field("rate_limit.per_second", "0 turns limiting off, a positive rate on",
			func(c *Config) *float64 { return &c.RateLimit.PerSecond }),
		liveconfig.Field("rate_limit.burst", "the bucket size (0: per_second rounded up)",
			func(c *Config) *int { return &c.RateLimit.Burst }),
	}
}

// ClientLiveKeys are the keys of ClientConfig that a running client chain
// applies (Client.Update), as LiveKeys are for the server chain. A changed
// open_timeout replaces each classic breaker by a closed one
// (breaker.Breaker.SetOpenTimeout); the other thresholds apply from the
// next failure, counts kept.
func ClientLiveKeys() []liveconfig.Key[ClientConfig] {
	return []liveconfig.Key[ClientConfig]{
		liveconfig.Field("breaker.min_requests", "requests in a window before the ratio counts",
			func(c *ClientConfig) *int { return &c.Breaker.MinRequests }),
		liveconfig.Field("breaker.failure_ratio", "failed share of a window that opens the breaker",
			func(c *ClientConfig) *float64 { return &c.Breaker.FailureRatio }),
		liveconfig.Field("breaker.consecutive_failures", "failures in a row that open it (negative: rule off)",
			func(c *ClientConfig) *int { return &c.Breaker.ConsecutiveFailures }),
		liveconfig.Field("breaker.open_timeout", "time open before a trial call (replaces each breaker)",
			func(c *ClientConfig) *time.Duration { return &c.Breaker.OpenTimeout }),
	}
}

// copyLive copies the keys of table from src to dst.
func copyLive[C any](dst *C, src C, table []liveconfig.Key[C]) {
	for _, k := range table {
		k.Copy(dst, src)
	}
}
