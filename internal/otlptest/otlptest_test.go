package otlptest

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

func str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

// An export request in protobuf, gzipped, decodes into spans with their
// resource's service.name; a request in another encoding is refused; the
// tree draws each span under its parent.
func TestReceiver(t *testing.T) {
	r := New(t)
	tid := bytes.Repeat([]byte{1}, 16)
	req := &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "shop")}},
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{
			{TraceId: tid, SpanId: []byte{2, 0, 0, 0, 0, 0, 0, 0}, ParentSpanId: []byte{1, 0, 0, 0, 0, 0, 0, 0}, Name: "child",
				Kind: tracepb.Span_SPAN_KIND_CLIENT, StartTimeUnixNano: 2, Attributes: []*commonpb.KeyValue{str("url.full", "http://x/")}},
			{TraceId: tid, SpanId: []byte{1, 0, 0, 0, 0, 0, 0, 0}, Name: "root", Kind: tracepb.Span_SPAN_KIND_SERVER, StartTimeUnixNano: 1},
		}}},
	}}}
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	post := func(contentType, encoding string, body []byte) int {
		hr, _ := http.NewRequest("POST", r.URL+"/v1/traces", bytes.NewReader(body))
		hr.Header.Set("Content-Type", contentType)
		hr.Header.Set("Content-Encoding", encoding)
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("application/x-protobuf", "gzip", z.Bytes()); code != 200 {
		t.Fatalf("protobuf export: %d, want 200", code)
	}
	if code := post("application/json", "", []byte("{}")); code != 400 || len(r.Refused()) != 1 {
		t.Fatalf("JSON export: %d and refused %v, want 400 and one refusal", code, r.Refused())
	}
	spans := r.Trace(strings.Repeat("01", 16))
	if len(spans) != 2 || spans[0].Service != "shop" || Orphans(spans) != 0 {
		t.Fatalf("got %d spans of %q with %d orphans, want 2 of shop in one trace", len(spans), spans[0].Service, Orphans(spans))
	}
	want := "shop server \"root\"\n  shop client \"child\" url.full=http://x/\n"
	if got := Tree(spans); got != want {
		t.Errorf("Tree:\n%s\nwant:\n%s", got, want)
	}
	if n := len(r.Headers()); n != 2 {
		t.Errorf("Headers: %d requests, want 2", n)
	}
}
