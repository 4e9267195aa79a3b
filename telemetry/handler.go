package telemetry

import (
	"context"
	"log/slog"
	"slices"

	"go.opentelemetry.io/otel/trace"
)

// NewHandler wraps h so that every record
//
//   - carries trace_id and span_id (hex, as in W3C traceparent) when its
//     context holds a valid span context, sampled or not, and request_id
//     when its context holds a request ID (WithRequestID);
//   - has each key once per group: a key already bound with WithAttrs, or
//     met earlier in the record, is dropped (the first value wins, so the
//     service, version and instance a logger was built with cannot be
//     masked by a call site), and at the top level the keys the standard
//     handlers write themselves (time, level, msg, source) are taken too.
//     Groups nested in attribute values are deduplicated the same way; a
//     group whose name is taken gets a "_" appended until it is free.
//
// Records logged inside WithGroup get the IDs inside the group, like any
// other attribute. h must carry no attributes of its own (bind them
// through the returned handler instead), or they escape the check. The
// returned handler is safe for concurrent use if h is.
func NewHandler(h slog.Handler) slog.Handler { return &handler{h: h, taken: builtins} }

var builtins = []string{slog.TimeKey, slog.LevelKey, slog.MessageKey, slog.SourceKey}

type handler struct {
	h slog.Handler
	// taken are the keys already used at the level where the record's
	// attributes go: the built-ins (until a group opens) and the bound
	// attributes. Never modified once set: WithAttrs copies it.
	taken []string
}

func (t *handler) Enabled(ctx context.Context, l slog.Level) bool { return t.h.Enabled(ctx, l) }

func (t *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return t
	}
	taken := slices.Clip(t.taken)
	keep := make([]slog.Attr, 0, len(as))
	for _, a := range as {
		for _, m := range flatten(nil, a) {
			if !slices.Contains(taken, m.Key) {
				taken = append(taken, m.Key)
				keep = append(keep, m)
			}
		}
	}
	return &handler{h: t.h.WithAttrs(keep), taken: taken}
}

func (t *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return t
	}
	for slices.Contains(t.taken, name) {
		name += "_"
	}
	return &handler{h: t.h.WithGroup(name)}
}

func (t *handler) Handle(ctx context.Context, r slog.Record) error {
	var buf [16]string
	seen := append(buf[:0], t.taken...)
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Value.Kind() == slog.KindLogValuer || a.Value.Kind() == slog.KindGroup || a.Key == "" {
			// Rare: resolve, inline and deduplicate out of line.
			for _, m := range flatten(nil, a) {
				seen = addOnce(&out, seen, m)
			}
			return true
		}
		seen = addOnce(&out, seen, a)
		return true
	})
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		seen = addOnce(&out, seen, slog.String(KeyTraceID, sc.TraceID().String()))
		seen = addOnce(&out, seen, slog.String(KeySpanID, sc.SpanID().String()))
	}
	if id := RequestID(ctx); id != "" {
		addOnce(&out, seen, slog.String(KeyRequestID, id))
	}
	return t.h.Handle(ctx, out)
}

// addOnce adds a to out unless its key is in seen, and returns seen with
// the key.
func addOnce(out *slog.Record, seen []string, a slog.Attr) []string {
	if slices.Contains(seen, a.Key) {
		return seen
	}
	out.AddAttrs(a)
	return append(seen, a.Key)
}

// flatten appends a to dst as slog's handlers would write it: resolved,
// dropped if its key and value are empty, its members inlined if it is a
// group without a key. A group's own members are deduplicated.
func flatten(dst []slog.Attr, a slog.Attr) []slog.Attr {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() != slog.KindGroup {
		if a.Key == "" {
			return dst
		}
		return append(dst, a)
	}
	var members []slog.Attr
	var seen []string
	for _, m := range a.Value.Group() {
		for _, f := range flatten(nil, m) {
			if !slices.Contains(seen, f.Key) {
				seen = append(seen, f.Key)
				members = append(members, f)
			}
		}
	}
	if a.Key == "" {
		return append(dst, members...)
	}
	return append(dst, slog.Attr{Key: a.Key, Value: slog.GroupValue(members...)})
}
