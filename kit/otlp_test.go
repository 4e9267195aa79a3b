package kit

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/gantrykit/gantry/internal/otlptest"
)

// got returns the names of the spans c received, their services and the
// headers of each request.
func got(c *otlptest.Receiver) (spans, services []string, headers []http.Header) {
	for _, s := range c.Spans() {
		spans, services = append(spans, s.Name), append(services, s.Service)
	}
	return spans, services, c.Headers()
}

// exportOne runs an App with vars, ends one span and returns Run's error.
func exportOne(t *testing.T, vars map[string]string) error {
	t.Helper()
	vars["OTEL_TRACES_SAMPLER"] = "parentbased_always_on" // Gantry's default starts no trace
	a := New("otlp", WithArgs(testArgs), WithoutSignals(), WithLogOutput(io.Discard), WithGetenv(env(vars)))
	stop := start(t, a)
	_, span := a.TracerProvider().Tracer("test").Start(context.Background(), "work")
	span.End()
	return stop()
}

// badExport runs an App with vars and returns Run's error, which comes
// before anything starts.
func badExport(vars map[string]string) error {
	a := New("otlp", WithArgs(testArgs), WithoutSignals(), WithLogOutput(io.Discard), WithGetenv(env(vars)))
	return a.Run(context.Background())
}

func TestOTLPExportWhenConfigured(t *testing.T) {
	c := otlptest.New(t)
	err := exportOne(t, map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":    c.URL,
		"OTEL_EXPORTER_OTLP_HEADERS":     "authorization=Bearer%20s3cret, x-tenant = blue",
		"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
	})
	if err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	spans, services, headers := got(c)
	if len(spans) != 1 || spans[0] != "work" || len(services) != 1 || services[0] != "otlp" {
		t.Fatalf("collector got spans %v of services %v, want [work] of [otlp]", spans, services)
	}
	h := headers[0]
	if h.Get("Authorization") != "Bearer s3cret" || h.Get("X-Tenant") != "blue" || h.Get("Content-Encoding") != "gzip" {
		t.Errorf("request headers: got %v, want the configured ones (percent-decoded) and gzip", h)
	}
}

// The per-signal endpoint is used as is, without /v1/traces appended.
func TestOTLPTracesEndpoint(t *testing.T) {
	c := otlptest.New(t)
	if err := exportOne(t, map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": c.URL + "/v1/traces"}); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if spans, _, _ := got(c); len(spans) != 1 {
		t.Errorf("collector got spans %v, want one", spans)
	}
}

// A busy collector (503 with Retry-After) gets the same request again.
func TestOTLPRetriesWhenBusy(t *testing.T) {
	c := otlptest.New(t)
	c.Answer(func(n int, w http.ResponseWriter) bool {
		if n > 1 {
			return false
		}
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	if err := exportOne(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL}); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if spans, _, headers := got(c); len(headers) != 2 || len(spans) != 1 {
		t.Errorf("collector got %d requests and spans %v, want 2 and the span once", len(headers), spans)
	}
}

func TestOTLPRefusedAndPartial(t *testing.T) {
	cl, err := newOTLPHTTPClient("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	c := otlptest.New(t)
	cl.url = c.URL + "/v1/traces"
	c.Answer(func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			http.Error(w, "bad tenant", http.StatusBadRequest)
			return true
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: 3, ErrorMessage: "too old"}})
		w.Write(b)
		return true
	})
	if err := cl.UploadTraces(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "bad tenant") {
		t.Errorf("400: got %v, want an error with the status and the collector's text", err)
	}
	if err := cl.UploadTraces(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "rejected 3 spans: too old") {
		t.Errorf("partial success: got %v, want the rejected count and message", err)
	}
}

func TestOTLPBadSettings(t *testing.T) {
	for _, tt := range []struct{ key, value string }{
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
		{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"}, // no WithOTLPGRPC
		{"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"},
		{"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd"},
		{"OTEL_EXPORTER_OTLP_HEADERS", "novalue"},
		{"OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem"},
		{"OTEL_EXPORTER_OTLP_CLIENT_KEY", "/nonexistent/key.pem"},
	} {
		err := badExport(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", tt.key: tt.value})
		if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_") {
			t.Errorf("%s=%s: Run got %v, want an error naming the variable", tt.key, tt.value, err)
		}
	}
	err := badExport(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})
	if err == nil || !strings.Contains(err.Error(), "kit/grpckit") {
		t.Errorf("grpc without the option: got %v, want the package to import", err)
	}
}
