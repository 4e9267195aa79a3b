package kit

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"go.opentelemetry.io/otel/trace"
)

// NewTraceHandler wraps h so that every record whose context carries a
// valid span gets trace_id and span_id attributes (hex, as in W3C
// traceparent). Records without a span pass through unchanged. Inside a
// WithGroup the IDs land in the group, like any other attribute.
func NewTraceHandler(h slog.Handler) slog.Handler { return traceHandler{h} }

type traceHandler struct{ h slog.Handler }

func (t traceHandler) Enabled(ctx context.Context, l slog.Level) bool { return t.h.Enabled(ctx, l) }

func (t traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return t.h.Handle(ctx, r)
}

func (t traceHandler) WithAttrs(as []slog.Attr) slog.Handler { return traceHandler{t.h.WithAttrs(as)} }

func (t traceHandler) WithGroup(name string) slog.Handler { return traceHandler{t.h.WithGroup(name)} }

func newLogger(cfg Config, o options, name, version, instance string, level *slog.LevelVar) *slog.Logger {
	var h slog.Handler
	if o.logger != nil {
		h = o.logger.Handler()
	} else {
		w := o.logOut
		if w == nil {
			w = os.Stderr
		}
		level.Set(cfg.LogLevel)
		ho := &slog.HandlerOptions{Level: level}
		if cfg.LogFormat == "text" {
			h = slog.NewTextHandler(w, ho)
		} else {
			h = slog.NewJSONHandler(w, ho)
		}
	}
	return slog.New(NewTraceHandler(h)).With("service", name, "version", version, "instance", instance)
}

// slogPrinter adapts the logger to promhttp's ErrorLog (a Println method).
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.l.Error(fmt.Sprint(v...)) }
