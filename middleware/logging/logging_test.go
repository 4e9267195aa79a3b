package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/logging"
)

func TestLogging(t *testing.T) {
	tests := []struct {
		name      string
		level     slog.Level // logger level
		opts      []logging.Option
		sleep     time.Duration
		err       error
		wantLevel string // "" for no record
		wantMsg   string
		wantCode  string
	}{
		{name: "success at info is silent", level: slog.LevelInfo},
		{name: "success at debug", level: slog.LevelDebug, wantLevel: "DEBUG", wantMsg: "call", wantCode: "ok"},
		{name: "success sampled", level: slog.LevelInfo, opts: []logging.Option{logging.WithSuccessSampling(1)}, wantLevel: "INFO", wantMsg: "call", wantCode: "ok"},
		{name: "success level info", level: slog.LevelInfo, opts: []logging.Option{logging.WithSuccessLevel(slog.LevelInfo)}, wantLevel: "INFO", wantMsg: "call", wantCode: "ok"},
		{name: "slow success", level: slog.LevelInfo, opts: []logging.Option{logging.WithSlowThreshold(time.Nanosecond)}, sleep: time.Millisecond, wantLevel: "WARN", wantMsg: "slow call", wantCode: "ok"},
		{name: "server fault", level: slog.LevelInfo, err: errors.New("db down"), wantLevel: "ERROR", wantMsg: "call failed", wantCode: "internal"},
		{name: "caller fault", level: slog.LevelInfo, err: errs.NotFound("no order"), wantLevel: "WARN", wantMsg: "call failed", wantCode: "not_found"},
		{name: "caller fault below level", level: slog.LevelError, err: errs.NotFound("no order")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := logging.New(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tt.level})), tt.opts...)
			e := l.For("get_order")(func(context.Context, any) (any, error) {
				time.Sleep(tt.sleep)
				return "resp", tt.err
			})
			ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{0xab}, SpanID: trace.SpanID{1}}))
			resp, err := e(ctx, nil)
			if resp != "resp" || err != tt.err {
				t.Errorf("got %v, %v, want resp, %v", resp, err, tt.err)
			}
			if tt.wantLevel == "" {
				if buf.Len() != 0 {
					t.Errorf("got log %s, want none", buf.String())
				}
				return
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("got log %q: %v, want one JSON record", buf.String(), err)
			}
			for k, want := range map[string]string{"level": tt.wantLevel, "msg": tt.wantMsg, "code": tt.wantCode,
				"op": "get_order", "trace_id": "ab000000000000000000000000000000"} {
				if rec[k] != want {
					t.Errorf("got %s %v, want %v", k, rec[k], want)
				}
			}
			if _, ok := rec["duration"]; !ok {
				t.Errorf("got no duration in %v", rec)
			}
			if tt.err != nil && rec["error"] != tt.err.Error() {
				t.Errorf("got error %v, want %v", rec["error"], tt.err.Error())
			}
		})
	}
}

func TestNilLogger(t *testing.T) {
	e := logging.New(nil).For("op")(func(context.Context, any) (any, error) { return nil, errors.New("x") })
	if _, err := e(context.Background(), nil); err == nil {
		t.Errorf("got nil error, want the endpoint's")
	}
}

func BenchmarkLogging(b *testing.B) {
	next := func(context.Context, any) (any, error) { return nil, nil }
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	cases := []struct {
		name string
		e    func(context.Context, any) (any, error)
	}{
		{"bare", next},
		{"success_info", logging.New(logger).For("op")(next)},
		{"error", logging.New(logger).For("op")(func(context.Context, any) (any, error) { return nil, errs.NotFound("x") })},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.e(context.Background(), nil)
			}
		})
	}
}

func TestRejectionsRateLimited(t *testing.T) {
	tests := []struct {
		name      string
		interval  time.Duration
		err       error
		calls     int
		wantLines int
	}{
		{name: "rejections once per interval", interval: time.Hour, err: errs.Unavailable(time.Second, "shed"), calls: 5, wantLines: 1},
		{name: "rate limits too", interval: time.Hour, err: errs.TooManyRequests(time.Second, "slow down"), calls: 5, wantLines: 1},
		{name: "unavailable without hint always", interval: time.Hour, err: errs.Unavailable(0, "db down"), calls: 5, wantLines: 5},
		{name: "interval off logs all", interval: 0, err: errs.Unavailable(time.Second, "shed"), calls: 5, wantLines: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := logging.New(slog.New(slog.NewJSONHandler(&buf, nil)), logging.WithRejectionInterval(tt.interval))
			e := l.For("op")(func(context.Context, any) (any, error) { return nil, tt.err })
			for range tt.calls {
				_, _ = e(context.Background(), nil)
			}
			if got := bytes.Count(buf.Bytes(), []byte("\n")); got != tt.wantLines {
				t.Errorf("got %d lines, want %d:\n%s", got, tt.wantLines, buf.String())
			}
		})
	}
}

func TestSuppressedCount(t *testing.T) {
	var buf bytes.Buffer
	l := logging.New(slog.New(slog.NewJSONHandler(&buf, nil)), logging.WithRejectionInterval(200*time.Millisecond))
	e := l.For("op")(func(context.Context, any) (any, error) { return nil, errs.Unavailable(time.Second, "shed") })
	_, _ = e(context.Background(), nil)
	_, _ = e(context.Background(), nil) // suppressed: within 200ms of the first
	time.Sleep(300 * time.Millisecond)
	buf.Reset()
	_, _ = e(context.Background(), nil)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("got %q, want one record: %v", buf.String(), err)
	}
	if rec["suppressed"] != 1.0 {
		t.Errorf("got suppressed %v, want 1", rec["suppressed"])
	}
}
