package kit

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/telemetry"
)

// A sampled W3C parent from a caller, and the same unsampled.
const (
	sampledParent   = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	unsampledParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
)

// traced runs an App with the variables vars, flags and options, sends it
// one request with traceparent (none when ""), and returns the spans it
// exported, the trace ID and request ID its handler saw and its log lines.
func traced(t *testing.T, vars map[string]string, traceparent string, flags []string, opts ...Option) (spans []sdktrace.ReadOnlySpan, seen trace.TraceID, rid string, logs []map[string]any) {
	t.Helper()
	exp := &keepExporter{}
	buf := &logcheck.Buffer{}
	a := New("svc", append([]Option{WithArgs(append(append([]string(nil), testArgs...), flags...)), WithoutSignals(),
		WithLogOutput(buf), WithGetenv(env(vars)), WithSpanExporter(exp)}, opts...)...)
	if err := a.Err(); err != nil {
		t.Fatalf("New: %v", err)
	}
	a.HTTP().HandleFunc("GET /v1/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		seen = trace.SpanContextFromContext(r.Context()).TraceID()
		rid = telemetry.RequestID(r.Context())
		a.Logger().InfoContext(r.Context(), "handled", "id", r.PathValue("id"))
	})
	stop := start(t, a)
	req, _ := http.NewRequest("GET", "http://"+a.HTTPAddr()+"/v1/things/7", nil)
	if traceparent != "" {
		req.Header.Set("Traceparent", traceparent)
	}
	req.Header.Set(telemetry.HeaderRequestID, "req-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	logs, err = logcheck.Lines(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	return exp.get(), seen, rid, logs
}

// The sampler's precedence: the WithSampler option, then the Gantry key,
// then OTEL_TRACES_SAMPLER, then Gantry's default (parent-based, no new
// traces), which still follows a sampled caller.
func TestSamplerPrecedence(t *testing.T) {
	always := map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_always_on"}
	for _, tt := range []struct {
		name      string
		vars      map[string]string
		parent    string
		flags     []string
		opts      []Option
		wantSpans bool
	}{
		{"default starts no trace", nil, "", nil, nil, false},
		{"default follows a sampled caller", nil, sampledParent, nil, nil, true},
		{"default follows an unsampled caller", always, unsampledParent, nil, nil, false},
		{"OTEL_TRACES_SAMPLER starts traces", always, "", nil, nil, true},
		{"traceidratio arg 0", map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0"}, "", nil, nil, false},
		{"traceidratio arg 1", map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1"}, "", nil, nil, true},
		{"always_off ignores the caller", map[string]string{"OTEL_TRACES_SAMPLER": "always_off"}, sampledParent, nil, nil, false},
		{"the Gantry key beats OTEL_TRACES_SAMPLER", always, "", []string{"-middleware-tracing-root-sample-ratio=0"}, nil, false},
		{"the Gantry key alone", nil, "", []string{"-middleware-tracing-root-sample-ratio=1"}, nil, true},
		{"WithSampler beats the key", nil, "", []string{"-middleware-tracing-root-sample-ratio=0"}, []Option{WithSampler(sdktrace.AlwaysSample())}, true},
		{"OTEL_SDK_DISABLED records nothing", map[string]string{"OTEL_TRACES_SAMPLER": "always_on", "OTEL_SDK_DISABLED": "true"}, sampledParent, nil, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spans, seen, _, _ := traced(t, tt.vars, tt.parent, tt.flags, tt.opts...)
			if got := len(spans) > 0; got != tt.wantSpans {
				t.Errorf("exported %d spans, want spans: %v", len(spans), tt.wantSpans)
			}
			if tt.parent != "" && seen.String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
				t.Errorf("handler saw trace %s, want the caller's", seen)
			}
		})
	}
}

// Every line logged with the request's context carries its trace ID and
// request ID, sampled or not.
func TestRequestLogsCarryIDs(t *testing.T) {
	_, _, rid, logs := traced(t, nil, unsampledParent, nil)
	if rid != "req-42" {
		t.Fatalf("handler saw request ID %q, want req-42", rid)
	}
	var found bool
	for _, l := range logs {
		if l["msg"] == "handled" {
			found = true
			if l["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || l["request_id"] != "req-42" || l["service"] != "svc" {
				t.Errorf("log line %v, want the caller's trace_id and req-42", l)
			}
		}
	}
	if !found {
		t.Fatal("no log line of the handler")
	}
}

func TestResourceFromEnvironment(t *testing.T) {
	spans, _, _, _ := traced(t, map[string]string{
		"OTEL_TRACES_SAMPLER":      "always_on",
		"OTEL_SERVICE_NAME":        "renamed",
		"OTEL_RESOURCE_ATTRIBUTES": "service.name=ignored, deployment.environment.name=prod,service.namespace=shop%20a",
	}, "", nil)
	if len(spans) == 0 {
		t.Fatal("no span")
	}
	res := spans[0].Resource().Set()
	for k, want := range map[string]string{
		"service.name": "renamed", "deployment.environment.name": "prod", "service.namespace": "shop a",
		"service.version": "dev", "telemetry.sdk.language": "go",
	} {
		if v, _ := res.Value(attribute.Key(k)); v.AsString() != want {
			t.Errorf("resource %s = %q, want %q", k, v.AsString(), want)
		}
	}
}

func TestPropagatorsFromEnvironment(t *testing.T) {
	_, seen, _, _ := traced(t, map[string]string{"OTEL_PROPAGATORS": "none"}, sampledParent, nil)
	if seen.String() == "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Error("OTEL_PROPAGATORS=none: the caller's trace was still extracted")
	}
	_, seen, _, _ = traced(t, map[string]string{"OTEL_PROPAGATORS": "baggage,tracecontext"}, sampledParent, nil)
	if seen.String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Error("OTEL_PROPAGATORS=baggage,tracecontext: the caller's trace was not extracted")
	}
}

func TestSpanLimitsFromEnvironment(t *testing.T) {
	spans, _, _, _ := traced(t, map[string]string{"OTEL_TRACES_SAMPLER": "always_on", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT": "2"}, "", nil)
	if len(spans) == 0 {
		t.Fatal("no span")
	}
	if n := len(spans[0].Attributes()); n != 2 || spans[0].DroppedAttributes() == 0 {
		t.Errorf("got %d attributes, %d dropped, want 2 and some dropped", n, spans[0].DroppedAttributes())
	}
}

// A variable the App cannot honour stops it at start, naming the variable.
func TestBadTraceVariables(t *testing.T) {
	for _, tt := range []struct{ key, value, want string }{
		{"OTEL_TRACES_SAMPLER", "sometimes", "OTEL_TRACES_SAMPLER"},
		{"OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote", "kit.WithSampler"},
		{"OTEL_TRACES_SAMPLER_ARG", "1.5", "OTEL_TRACES_SAMPLER_ARG"},
		{"OTEL_SDK_DISABLED", "maybe", "OTEL_SDK_DISABLED"},
		{"OTEL_PROPAGATORS", "b3", "kit.WithPropagator"},
		{"OTEL_PROPAGATORS", "w3c", "OTEL_PROPAGATORS"},
		{"OTEL_RESOURCE_ATTRIBUTES", "novalue", "OTEL_RESOURCE_ATTRIBUTES"},
		{"OTEL_SPAN_EVENT_COUNT_LIMIT", "many", "OTEL_SPAN_EVENT_COUNT_LIMIT"},
		{"OTEL_BSP_MAX_QUEUE_SIZE", "0", "OTEL_BSP_MAX_QUEUE_SIZE"},
		{"OTEL_TRACES_EXPORTER", "console", "kit.WithSpanExporter"},
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "http/protobuf"},
	} {
		vars := map[string]string{tt.key: tt.value}
		if tt.key == "OTEL_TRACES_SAMPLER_ARG" {
			vars["OTEL_TRACES_SAMPLER"] = "traceidratio"
		}
		a := New("svc", WithArgs(testArgs), WithoutSignals(), WithLogOutput(io.Discard), WithGetenv(env(vars)))
		err := a.Err()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "kit: ") {
			t.Errorf("%s=%s: got %v, want an error naming %s", tt.key, tt.value, err, tt.want)
		}
		if err := a.Run(context.Background()); err == nil {
			t.Errorf("%s=%s: Run started", tt.key, tt.value)
		}
	}
}

// OTEL_TRACES_EXPORTER=otlp alone exports to the specification's default
// endpoint; OTEL_BSP_* reach the batcher.
func TestExporterTargets(t *testing.T) {
	for _, tt := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{}, ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, "http://localhost:4318/v1/traces"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, "http://c:4318/v1/traces"},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c/t"}, "http://c/t"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, ""},
	} {
		got, err := otlpTarget(env(tt.vars), false)
		if err != nil || got.url != tt.want {
			t.Errorf("%v: got %q, %v; want %q", tt.vars, got.url, err, tt.want)
		}
	}
	if opts, err := batchOptions(env(map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "64"})); err != nil || len(opts) != 2 {
		t.Errorf("OTEL_BSP_*: got %d options, %v", len(opts), err)
	}
}
