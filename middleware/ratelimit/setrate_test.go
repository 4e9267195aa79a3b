package ratelimit_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/ratelimit"
)

// TestSetRate changes the rate of existing buckets, single and keyed, and
// of those made after, and checks each step by what calls see: allowed,
// or refused with the Retry-After of the rate in force.
func TestSetRate(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		name := "single"
		var opts []ratelimit.Option
		if keyed {
			name, opts = "keyed", []ratelimit.Option{ratelimit.WithKey(keyOf)}
		}
		t.Run(name, func(t *testing.T) {
			l := ratelimit.New(0.01, 1, opts...)
			a := l.For("a")(ok)
			// want calls e with req and checks the outcome: wantRetry 0
			// means allowed.
			want := func(step string, e func(context.Context, any) (any, error), req string, wantRetry time.Duration) {
				t.Helper()
				_, err := e(context.Background(), req)
				if got := errs.RetryAfterOf(err); (err == nil) != (wantRetry == 0) || got != wantRetry {
					t.Errorf("%s: got err %v (RetryAfter %v), want RetryAfter %v (0: allowed)", step, err, got, wantRetry)
				}
			}
			want("first call", a, "alice", 0)
			want("bucket empty at 0.01/s", a, "alice", 100*time.Second)

			l.SetRate(math.Inf(1), 1)
			want("infinite rate", a, "alice", 0)
			want("infinite rate again", a, "alice", 0)
			b := l.For("b")(ok)
			want("new operation, infinite rate", b, "bob", 0)

			l.SetRate(0, 5)
			want("zero rate, existing op", a, "alice", time.Minute)
			want("zero rate, other op", b, "bob", time.Minute)
			want("zero rate, new key or op", l.For("c")(ok), "carol", time.Minute)

			l.SetRate(0.1, 1) // empty buckets refill at the new rate
			want("0.1/s", a, "alice", 10*time.Second)
			if r, burst := l.Rate(); r != 0.1 || burst != 1 {
				t.Errorf("Rate: got %v, %d, want 0.1, 1", r, burst)
			}
		})
	}
}

// TestSetRateConcurrent changes the rate while calls go through (for -race).
func TestSetRateConcurrent(t *testing.T) {
	l := ratelimit.New(1000, 10, ratelimit.WithKey(keyOf))
	e := l.For("a")(ok)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				_, _ = e(context.Background(), string(rune('a'+(i+j)%8)))
			}
		})
	}
	for i := range 51 {
		l.SetRate([]float64{math.Inf(1), 0, 500}[i%3], i)
	}
	wg.Wait()
	if r, burst := l.Rate(); r != 500 || burst != 50 {
		t.Errorf("got %v, %d, want the last SetRate: 500, 50", r, burst)
	}
}

// TestSetRateFromUnlimited: a bucket that had no limit starts full at the
// new burst, as a new one would.
func TestSetRateFromUnlimited(t *testing.T) {
	for _, opts := range [][]ratelimit.Option{nil, {ratelimit.WithKey(keyOf)}} {
		l := ratelimit.New(0.01, 1, opts...)
		e := l.For("a")(ok)
		_, _ = e(context.Background(), "alice") // empties alice's bucket
		l.SetRate(math.Inf(1), 1)
		_, _ = e(context.Background(), "alice")
		l.SetRate(0.01, 3)
		var got []byte
		for range 4 {
			_, err := e(context.Background(), "alice")
			got = append(got, map[bool]byte{true: '+', false: '-'}[err == nil])
		}
		if string(got) != "+++-" {
			t.Errorf("keyed %v: got %s, want +++-", opts != nil, got)
		}
	}
}
