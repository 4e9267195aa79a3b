package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"testing/slogtest"

	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/telemetry"
)

// The wrapped handler is still a conforming slog.Handler.
func TestHandlerConforms(t *testing.T) {
	var buf bytes.Buffer
	h := telemetry.NewHandler(slog.NewJSONHandler(&buf, nil))
	results := func() []map[string]any {
		var ms []map[string]any
		for _, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	if err := slogtest.TestHandler(h, results); err != nil {
		t.Fatal(err)
	}
}

var (
	traceID = trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	spanID  = trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8}
)

// unsampled is a remote span context whose sampled flag is off: its IDs
// still join the log lines.
func unsampled(ctx context.Context) context.Context {
	return trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, Remote: true}))
}

func TestHandlerOneKeyPerRecord(t *testing.T) {
	ctx := telemetry.WithRequestID(unsampled(context.Background()), "req-1")
	for _, tc := range []struct {
		name string
		log  func(l *slog.Logger)
		want map[string]any // checked keys (nested maps for groups)
	}{
		{"bound key wins", func(l *slog.Logger) {
			l.With("service", "order").InfoContext(ctx, "m", "service", "product")
		}, map[string]any{"service": "order", "trace_id": traceID.String(), "span_id": spanID.String(), "request_id": "req-1"}},
		{"first record value wins", func(l *slog.Logger) {
			l.InfoContext(ctx, "m", "instance", "a", "instance", "b")
		}, map[string]any{"instance": "a"}},
		{"call site trace_id kept once", func(l *slog.Logger) {
			l.InfoContext(ctx, "m", "trace_id", traceID.String())
		}, map[string]any{"trace_id": traceID.String()}},
		{"built-in keys", func(l *slog.Logger) {
			l.InfoContext(ctx, "real", "msg", "fake", "level", "x", "time", "y")
		}, map[string]any{"msg": "real", "level": "INFO"}},
		{"bound twice", func(l *slog.Logger) {
			l.With("a", 1).With("a", 2).Info("m")
		}, map[string]any{"a": json.Number("1")}},
		{"group members", func(l *slog.Logger) {
			l.Info("m", slog.Group("g", "k", 1, "k", 2))
		}, map[string]any{"g": map[string]any{"k": json.Number("1")}}},
		{"inlined group", func(l *slog.Logger) {
			l.Info("m", "k", 1, slog.Group("", "k", 2, "j", 3))
		}, map[string]any{"k": json.Number("1"), "j": json.Number("3")}},
		{"group name taken", func(l *slog.Logger) {
			l.With("g", 1).WithGroup("g").InfoContext(ctx, "m", "k", 2)
		}, map[string]any{"g": json.Number("1"), "g_": map[string]any{"k": json.Number("2"), "request_id": "req-1"}}},
		{"group has its own namespace", func(l *slog.Logger) {
			l.With("k", 1).WithGroup("g").With("k", 2).Info("m", "k", 3)
		}, map[string]any{"k": json.Number("1"), "g": map[string]any{"k": json.Number("2")}}},
		{"no context, no IDs", func(l *slog.Logger) {
			l.Info("m")
		}, map[string]any{"trace_id": nil, "request_id": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.log(slog.New(telemetry.NewHandler(slog.NewJSONHandler(&buf, nil))))
			m, err := logcheck.Parse(buf.Bytes())
			if err != nil {
				t.Fatalf("%v: %s", err, buf.Bytes())
			}
			check(t, m, tc.want)
		})
	}
}

func check(t *testing.T, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if wm, isMap := w.(map[string]any); isMap {
			gm, _ := g.(map[string]any)
			check(t, gm, wm)
			continue
		}
		if w == nil {
			if ok {
				t.Errorf("%s: got %v, want absent", k, g)
			}
			continue
		}
		if g != w {
			t.Errorf("%s: got %v (%T), want %v", k, g, g, w)
		}
	}
}
