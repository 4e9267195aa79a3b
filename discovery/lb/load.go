package lb

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Load is what power of two choices compares for one instance: its
// peak-EWMA latency and its calls in flight. A Balancer keeps one per
// instance; a balancer built elsewhere (client/grpcclient's, inside
// grpc-go) keeps its own with NewLoad and the same arithmetic. Times are
// nanoseconds on the caller's monotonic clock. It is safe for concurrent
// use.
type Load struct {
	decay, penalty int64

	pending atomic.Int64
	// cost (float64 bits: peak EWMA of latency in nanoseconds) and stamp
	// (when cost was last updated) are written under mu and read without
	// it: a pick may see one updated before the other, which only blurs a
	// heuristic.
	cost  atomic.Uint64
	stamp atomic.Int64
	mu    sync.Mutex
}

// NewLoad returns the Load of one instance, forgetting latency over
// o.Decay and counting a failure as o.FailurePenalty (defaults 10s, 1s).
func NewLoad(o Options) *Load {
	o = o.withDefaults()
	return &Load{decay: int64(o.Decay), penalty: int64(o.FailurePenalty)}
}

// Start counts a call in flight; Finish ends it.
func (l *Load) Start() { l.pending.Add(1) }

// Finish ends a call that Start counted: it took rtt and ended at now. A
// failed call counts as at least the failure penalty, so an instance
// answering fast errors is avoided.
func (l *Load) Finish(now, rtt int64, failed bool) {
	l.pending.Add(-1)
	if failed {
		rtt = max(rtt, l.penalty)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cost, stamp := l.decayed(now), l.stamp.Load()
	if r := float64(rtt); r > cost {
		cost = r // peak: jump up at once
	} else {
		w := decay(float64(now-stamp) / float64(l.decay))
		cost = cost*w + r*(1-w)
	}
	l.cost.Store(math.Float64bits(cost))
	l.stamp.Store(now)
}

// Cost is the P2C cost of sending one more call at now: peak-EWMA latency
// × (calls in flight + 1). Lower is better.
func (l *Load) Cost(now int64) float64 {
	cost := l.decayed(now)
	pending := l.pending.Load()
	if cost == 0 && pending > 0 {
		// No latency known yet and calls in flight: do not pile onto it,
		// but rank it below an instance that has just failed, whose cost
		// is the whole failure penalty. Equal to it, a fresh instance whose
		// first calls are still on their way lost every pick to an
		// instance failing fast until those calls came back.
		return float64(l.penalty)/2 + float64(pending)
	}
	return cost * float64(pending+1)
}

// decayed is cost decayed toward zero since the last observation.
func (l *Load) decayed(now int64) float64 {
	cost, stamp := math.Float64frombits(l.cost.Load()), l.stamp.Load()
	if cost == 0 || now <= stamp {
		return cost
	}
	return cost * decay(float64(now-stamp)/float64(l.decay))
}

// decay is exp(-x) for x ≥ 0. Picks mostly see x ≪ 1 (milliseconds since
// the last call against a decay of seconds), where a Taylor polynomial is
// exact to 1e-6 and four times cheaper than math.Exp.
func decay(x float64) float64 {
	if x < 1.0/16 {
		return 1 - x*(1-x*(0.5-x/6))
	}
	return math.Exp(-x)
}

// withDefaults fills o's zero fields.
func (o Options) withDefaults() Options {
	if o.Decay <= 0 {
		o.Decay = 10 * time.Second
	}
	if o.FailurePenalty <= 0 {
		o.FailurePenalty = time.Second
	}
	if o.EjectAfter <= 0 {
		o.EjectAfter = 5
	}
	if o.EjectBackoff <= 0 {
		o.EjectBackoff = time.Second
	}
	if o.IsConnError == nil {
		o.IsConnError = IsConnError
	}
	return o
}
