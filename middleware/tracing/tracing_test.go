package tracing_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/tracing"
)

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

func TestTracing(t *testing.T) {
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, Remote: true,
	})
	remoteSampled := remote.WithTraceFlags(trace.FlagsSampled)
	local := remoteSampled.WithRemote(false)
	parentBased := []tracing.Option{tracing.WithParentBased(0)}
	tests := []struct {
		name      string
		sampler   sdktrace.Sampler
		opts      []tracing.Option
		parent    trace.SpanContext
		err       error
		wantSpans int
		wantErr   string // error.type attribute, "" for none
		wantCtx   bool   // whether the endpoint sees a valid span context
		wantKind  trace.SpanKind
	}{
		{name: "success sampled", sampler: sdktrace.AlwaysSample(), wantSpans: 1, wantCtx: true},
		{name: "error sampled", sampler: sdktrace.AlwaysSample(), err: errs.NotFound("no"), wantSpans: 1, wantErr: "not_found", wantCtx: true},
		{name: "plain error is internal", sampler: sdktrace.AlwaysSample(), err: errors.New("x"), wantSpans: 1, wantErr: "internal", wantCtx: true},
		{name: "never sample still propagates", sampler: sdktrace.NeverSample(), wantSpans: 0, wantCtx: true},
		{name: "parent-based root 0 skips root", sampler: sdktrace.ParentBased(sdktrace.NeverSample()), opts: parentBased, wantSpans: 0, wantCtx: false},
		{name: "parent-based root 1 traces root", sampler: sdktrace.ParentBased(sdktrace.AlwaysSample()),
			opts: []tracing.Option{tracing.WithParentBased(1)}, wantSpans: 1, wantCtx: true},
		{name: "parent-based keeps an unsampled parent's context", sampler: sdktrace.ParentBased(sdktrace.NeverSample()),
			opts: parentBased, parent: remote, wantSpans: 0, wantCtx: true},
		{name: "sampled remote parent: server span", sampler: sdktrace.ParentBased(sdktrace.NeverSample()),
			opts: parentBased, parent: remoteSampled, wantSpans: 1, wantCtx: true},
		{name: "sampled local parent: internal span", sampler: sdktrace.ParentBased(sdktrace.NeverSample()),
			opts: parentBased, parent: local, wantSpans: 1, wantCtx: true, wantKind: trace.SpanKindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(tt.sampler), sdktrace.WithSpanProcessor(rec))
			tr := tracing.New(tp, append([]tracing.Option{tracing.WithService("orders")}, tt.opts...)...)
			var sawCtx bool
			e := tr.For("create_order")(func(ctx context.Context, _ any) (any, error) {
				sawCtx = trace.SpanContextFromContext(ctx).IsValid()
				return nil, tt.err
			})
			ctx := context.Background()
			if tt.parent.IsValid() {
				ctx = trace.ContextWithSpanContext(ctx, tt.parent)
			}
			if _, err := e(ctx, nil); err != tt.err {
				t.Fatalf("got err %v, want %v", err, tt.err)
			}
			if sawCtx != tt.wantCtx {
				t.Errorf("got span context valid %v, want %v", sawCtx, tt.wantCtx)
			}
			spans := rec.Ended()
			if len(spans) != tt.wantSpans {
				t.Fatalf("got %d spans, want %d", len(spans), tt.wantSpans)
			}
			if len(spans) == 0 {
				return
			}
			s := spans[0]
			wantKind := tt.wantKind
			if wantKind == trace.SpanKindUnspecified {
				wantKind = trace.SpanKindServer
			}
			if s.Name() != "orders/create_order" || s.SpanKind() != wantKind {
				t.Errorf("got span %q kind %v, want orders/create_order %v", s.Name(), s.SpanKind(), wantKind)
			}
			if got := attr(s, "rpc.method"); got != "orders/create_order" {
				t.Errorf("got rpc.method %q, want orders/create_order", got)
			}
			if got := attr(s, "rpc.system.name"); got != "gantry" {
				t.Errorf("got rpc.system.name %q, want gantry", got)
			}
			if got := attr(s, "error.type"); got != tt.wantErr {
				t.Errorf("got error.type %q, want %q", got, tt.wantErr)
			}
			wantCode := codes.Unset
			if tt.wantErr != "" {
				wantCode = codes.Error
				if len(s.Events()) != 1 || s.Events()[0].Name != "exception" {
					t.Errorf("got events %v, want one exception", s.Events())
				}
			}
			if s.Status().Code != wantCode {
				t.Errorf("got status %v, want %v", s.Status().Code, wantCode)
			}
			if tt.parent.IsValid() && s.Parent().TraceID() != tt.parent.TraceID() {
				t.Errorf("got parent trace %v, want %v", s.Parent().TraceID(), tt.parent.TraceID())
			}
		})
	}
}

func TestNilProvider(t *testing.T) {
	e := tracing.New(nil).For("op")(func(context.Context, any) (any, error) { return 1, nil })
	if resp, err := e(context.Background(), nil); resp != 1 || err != nil {
		t.Errorf("got %v, %v, want 1, nil", resp, err)
	}
}
