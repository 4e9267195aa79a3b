package timeout_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/timeout"
)

// waitDone blocks until ctx is done and returns its error; it fails fast
// when ctx has no deadline, which would block forever.
func waitDone(ctx context.Context, _ any) (any, error) {
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("no deadline")
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name      string
		d         time.Duration
		opts      []timeout.Option
		incoming  time.Duration // 0: no incoming deadline
		cancel    bool          // cancel the incoming context instead
		next      func(context.Context, any) (any, error)
		wantKind  errs.Kind
		wantErr   bool
		wantMaxDl time.Duration // the deadline the endpoint saw is at most this far away (0: none)
		wantNoDl  bool
	}{
		{name: "times out", d: time.Millisecond, next: waitDone, wantErr: true, wantKind: errs.KindDeadlineExceeded},
		{name: "incoming earlier wins", d: time.Hour, incoming: time.Millisecond, next: waitDone, wantErr: true, wantKind: errs.KindDeadlineExceeded},
		{name: "own earlier wins", d: time.Millisecond, incoming: time.Hour, next: waitDone, wantErr: true, wantKind: errs.KindDeadlineExceeded},
		{name: "no timeout adds no deadline", next: func(ctx context.Context, _ any) (any, error) {
			if _, ok := ctx.Deadline(); ok {
				return nil, errors.New("unexpected deadline")
			}
			return "ok", nil
		}},
		{name: "per-op zero disables", d: time.Millisecond, opts: []timeout.Option{timeout.WithOp("op", 0)}, next: func(ctx context.Context, _ any) (any, error) {
			if _, ok := ctx.Deadline(); ok {
				return nil, errors.New("unexpected deadline")
			}
			return "ok", nil
		}},
		{name: "per-op override", d: time.Hour, opts: []timeout.Option{timeout.WithOp("op", time.Millisecond)}, next: waitDone, wantErr: true, wantKind: errs.KindDeadlineExceeded},
		{name: "fast success passes", d: time.Hour, next: func(context.Context, any) (any, error) { return "ok", nil }},
		{name: "other errors pass", d: time.Hour, next: func(context.Context, any) (any, error) { return nil, errs.NotFound("x") }, wantErr: true, wantKind: errs.KindNotFound},
		{name: "caller cancel is not a timeout", d: time.Hour, cancel: true, next: waitDone, wantErr: true, wantKind: errs.KindCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.incoming > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.incoming)
				defer cancel()
			}
			if tt.cancel {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				cancel()
			}
			e := timeout.New(tt.d, tt.opts...).For("op")(tt.next)
			_, err := e(ctx, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got err %v, want error=%v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			if got := errs.KindOf(err); got != tt.wantKind {
				t.Errorf("got kind %v, want %v (err %v)", got, tt.wantKind, err)
			}
			if tt.wantKind == errs.KindDeadlineExceeded {
				var e *errs.Error
				if !errors.As(err, &e) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("got %#v, want an *errs.Error wrapping context.DeadlineExceeded", err)
				}
			}
		})
	}
}

func TestDuration(t *testing.T) {
	to := timeout.New(time.Second, timeout.WithOp("slow", time.Minute), timeout.WithOp("off", -1))
	for op, want := range map[string]time.Duration{"x": time.Second, "slow": time.Minute, "off": 0} {
		if got := to.Duration(op); got != want {
			t.Errorf("%s: got %v, want %v", op, got, want)
		}
	}
}

func BenchmarkTimeout(b *testing.B) {
	next := func(context.Context, any) (any, error) { return nil, nil }
	early, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cases := []struct {
		name string
		ctx  context.Context
		e    func(context.Context, any) (any, error)
	}{
		{"bare", context.Background(), next},
		{"none", context.Background(), timeout.New(0).For("op")(next)},
		{"incoming_earlier", early, timeout.New(time.Hour).For("op")(next)},
		{"with_timeout", context.Background(), timeout.New(time.Second).For("op")(next)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.e(c.ctx, nil)
			}
		})
	}
}
