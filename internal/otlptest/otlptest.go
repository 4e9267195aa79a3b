package otlptest

import (
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Receiver is a running OTLP/HTTP trace receiver; URL is the base to give
// an exporter as OTEL_EXPORTER_OTLP_ENDPOINT.
type Receiver struct {
	*httptest.Server
	mu      sync.Mutex
	answer  func(n int, w http.ResponseWriter) bool
	headers []http.Header
	spans   []Span
	refused []string
}

// Span is one exported span with the service.name of its resource.
type Span struct {
	Service string
	*tracepb.Span
}

// New starts a receiver on loopback; it stops when the test ends.
func New(t testing.TB) *Receiver {
	r := &Receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

// Answer makes the receiver call f with the number of each request (from
// 1) before anything else; when f returns true it has answered the request
// itself (a busy or refusing collector), and the request is not decoded.
func (rc *Receiver) Answer(f func(n int, w http.ResponseWriter) bool) {
	rc.mu.Lock()
	rc.answer = f
	rc.mu.Unlock()
}

func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	rc.headers = append(rc.headers, r.Header.Clone())
	n, answer := len(rc.headers), rc.answer
	rc.mu.Unlock()
	if answer != nil && answer(n, w) {
		return
	}
	refuse := func(why string) {
		rc.mu.Lock()
		rc.refused = append(rc.refused, why)
		rc.mu.Unlock()
		http.Error(w, why, http.StatusBadRequest)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		refuse(fmt.Sprintf("%s %s %s: want POST /v1/traces application/x-protobuf", r.Method, r.URL.Path, r.Header.Get("Content-Type")))
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			refuse(err.Error())
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
		refuse(err.Error())
		return
	}
	rc.mu.Lock()
	for _, rs := range req.GetResourceSpans() {
		service := Attr(rs.GetResource().GetAttributes(), "service.name")
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				rc.spans = append(rc.spans, Span{service, s})
			}
		}
	}
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Write(b)
}

// Spans returns every span received so far, in arrival order.
func (rc *Receiver) Spans() []Span { return rc.Find(func(Span) bool { return true }) }

// Find returns the spans received so far for which match is true.
func (rc *Receiver) Find(match func(Span) bool) []Span {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []Span
	for _, s := range rc.spans {
		if match(s) {
			out = append(out, s)
		}
	}
	return out
}

// Trace returns the spans received so far whose trace ID is id (hex).
func (rc *Receiver) Trace(id string) []Span {
	return rc.Find(func(s Span) bool { return hex.EncodeToString(s.TraceId) == id })
}

// Refused returns why each refused request was refused.
func (rc *Receiver) Refused() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.refused...)
}

// Headers returns the headers of every request received, in order.
func (rc *Receiver) Headers() []http.Header {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]http.Header(nil), rc.headers...)
}

// Attr returns the value of key among kvs as text ("" if absent).
func Attr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.GetKey() != key {
			continue
		}
		switch v := kv.GetValue().GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			return v.StringValue
		case *commonpb.AnyValue_IntValue:
			return fmt.Sprint(v.IntValue)
		case *commonpb.AnyValue_BoolValue:
			return fmt.Sprint(v.BoolValue)
		default:
			return kv.GetValue().String()
		}
	}
	return ""
}

// Kind is the span's kind in lower case: server, client, internal, ….
func Kind(s Span) string {
	return strings.ToLower(strings.TrimPrefix(s.Span.Kind.String(), "SPAN_KIND_"))
}

// Orphans counts the spans whose parent is not among spans, less one (the
// root): 0 when spans is one connected trace.
func Orphans(spans []Span) int {
	ids := map[string]bool{}
	for _, s := range spans {
		ids[hex.EncodeToString(s.SpanId)] = true
	}
	n := 0
	for _, s := range spans {
		if !ids[hex.EncodeToString(s.ParentSpanId)] {
			n++
		}
	}
	return n - 1
}

// treeKeys are the attributes Tree shows beside each span's name.
var treeKeys = []string{"http.route", "url.full", "rpc.system.name", "rpc.method",
	"messaging.system", "messaging.destination.name", "messaging.operation.type", "http.response.status_code"}

// Tree renders spans as an indented tree, each span under its parent,
// children in start order: `service kind "name" key=value…` with the
// attributes named in treeKeys. A span whose parent is not among spans is
// drawn as a root.
func Tree(spans []Span) string {
	ids := map[string]bool{}
	kids := map[string][]Span{}
	for _, s := range spans {
		ids[hex.EncodeToString(s.SpanId)] = true
	}
	for _, s := range spans {
		p := hex.EncodeToString(s.ParentSpanId)
		if !ids[p] {
			p = ""
		}
		kids[p] = append(kids[p], s)
	}
	var b strings.Builder
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		k := kids[parent]
		sort.Slice(k, func(i, j int) bool { return k[i].StartTimeUnixNano < k[j].StartTimeUnixNano })
		for _, s := range k {
			fmt.Fprintf(&b, "%s%s %s %q", strings.Repeat("  ", depth), s.Service, Kind(s), s.Name)
			for _, key := range treeKeys {
				if v := Attr(s.Attributes, key); v != "" {
					fmt.Fprintf(&b, " %s=%s", key, v)
				}
			}
			if len(s.Links) > 0 {
				fmt.Fprintf(&b, " links=%d", len(s.Links))
			}
			b.WriteByte('\n')
			walk(hex.EncodeToString(s.SpanId), depth+1)
		}
	}
	walk("", 0)
	return b.String()
}
