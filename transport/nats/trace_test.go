package nats_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/telemetry"
	natst "github.com/gantrykit/gantry/transport/nats"
)

func TestTraceContextInHeaders(t *testing.T) {
	nc := connect(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	var rid string
	serve(t, nc, "traced", func(ctx context.Context, r greetReq) (greetResp, error) {
		rid = telemetry.RequestID(ctx)
		return hello(ctx, r)
	}, natst.WithTracerProvider(tp))
	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	ctx = telemetry.WithRequestID(ctx, "rid-nats")
	if _, err := client(nc, "traced", natst.WithTracerProvider(tp))(ctx, greetReq{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	parent.End()
	if rid != "rid-nats" {
		t.Errorf("subscriber's request ID %q, want the caller's rid-nats", rid)
	}
	spans := map[trace.SpanKind]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		spans[s.SpanKind()] = s
	}
	c, s := spans[trace.SpanKindClient], spans[trace.SpanKindServer]
	if c == nil || s == nil {
		t.Fatalf("got spans %v, want a client and a server span", rec.Ended())
	}
	if c.Parent().SpanID() != parent.SpanContext().SpanID() || s.Parent().SpanID() != c.SpanContext().SpanID() {
		t.Errorf("parent links: client's parent %v want %v; server's parent %v want %v",
			c.Parent().SpanID(), parent.SpanContext().SpanID(), s.Parent().SpanID(), c.SpanContext().SpanID())
	}
	if s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("server trace %v, want %v", s.SpanContext().TraceID(), parent.SpanContext().TraceID())
	}
}

func FuzzReplyError(f *testing.F) {
	f.Add("not_found", []byte(`{"title":"Not found","status":404,"code":"not_found","detail":"x"}`), "1s")
	f.Add("bogus", []byte(`{`), "soon")
	f.Add("", []byte(nil), "")
	f.Fuzz(func(t *testing.T, code string, body []byte, retry string) {
		msg := nats.NewMsg("r")
		msg.Data = body
		if code != "" {
			msg.Header.Set(natst.HeaderError, code)
		}
		msg.Header.Set(natst.HeaderRetryAfter, retry)
		err := natst.ReplyError(msg)
		if (err == nil) != (msg.Header.Get(natst.HeaderError) == "") {
			t.Fatalf("code %q: got %v", code, err)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"name":"ada"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := natst.DecodeJSON[greetReq](context.Background(), &nats.Msg{Data: body})
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
