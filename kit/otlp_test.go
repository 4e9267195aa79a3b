package kit

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// collector is an OTLP/HTTP trace receiver: it decodes each request with
// the OTLP protocol's own generated message.
type collector struct {
	*httptest.Server
	mu       sync.Mutex
	spans    []string
	services []string
	headers  []http.Header
	answer   func(n int, w http.ResponseWriter) bool // false: accept
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.Close)
	return c
}

func (c *collector) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.headers = append(c.headers, r.Header.Clone())
	if c.answer != nil && c.answer(len(c.headers), w) {
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want POST /v1/traces application/x-protobuf", http.StatusBadRequest)
		return
	}
	body := r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(data, &req)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				c.services = append(c.services, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.spans = append(c.spans, s.GetName())
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func (c *collector) got() (spans, services []string, headers []http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spans, c.services, c.headers
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
	c := newCollector(t)
	err := exportOne(t, map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":    c.URL,
		"OTEL_EXPORTER_OTLP_HEADERS":     "authorization=Bearer%20s3cret, x-tenant = blue",
		"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
	})
	if err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	spans, services, headers := c.got()
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
	c := newCollector(t)
	if err := exportOne(t, map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": c.URL + "/v1/traces"}); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if spans, _, _ := c.got(); len(spans) != 1 {
		t.Errorf("collector got spans %v, want one", spans)
	}
}

// A busy collector (503 with Retry-After) gets the same request again.
func TestOTLPRetriesWhenBusy(t *testing.T) {
	c := newCollector(t)
	c.answer = func(n int, w http.ResponseWriter) bool {
		if n > 1 {
			return false
		}
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	if err := exportOne(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.URL}); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if spans, _, headers := c.got(); len(headers) != 2 || len(spans) != 1 {
		t.Errorf("collector got %d requests and spans %v, want 2 and the span once", len(headers), spans)
	}
}

func TestOTLPRefusedAndPartial(t *testing.T) {
	cl, err := newOTLPHTTPClient("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	c := newCollector(t)
	cl.url = c.URL + "/v1/traces"
	c.answer = func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			http.Error(w, "bad tenant", http.StatusBadRequest)
			return true
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: 3, ErrorMessage: "too old"}})
		w.Write(b)
		return true
	}
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
