package cmd_test

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

// receiver is an OTLP/HTTP trace receiver on loopback, as a collector
// would run it: it accepts POST /v1/traces in protobuf (gzip or not) and
// decodes each export request with the OTLP protocol's generated types.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []span
	bad   []string // requests it refused, and why
}

// span is one exported span with the service.name of its resource.
type span struct {
	service string
	*tracepb.Span
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	refuse := func(why string) {
		rc.mu.Lock()
		rc.bad = append(rc.bad, why)
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
		service := attr(rs.GetResource().GetAttributes(), "service.name")
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				rc.spans = append(rc.spans, span{service, s})
			}
		}
	}
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Write(b)
}

// trace returns the spans received so far whose trace ID is id (hex), and
// the requests the receiver refused.
func (rc *receiver) trace(id string) (spans []span, refused []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, s := range rc.spans {
		if hex.EncodeToString(s.TraceId) == id {
			spans = append(spans, s)
		}
	}
	return spans, append([]string(nil), rc.bad...)
}

// find returns the spans received so far for which match is true.
func (rc *receiver) find(match func(span) bool) []span {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []span
	for _, s := range rc.spans {
		if match(s) {
			out = append(out, s)
		}
	}
	return out
}

// attr returns the value of key among kvs as text ("" if absent).
func attr(kvs []*commonpb.KeyValue, key string) string {
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

// tree renders spans as an indented tree, each span under its parent,
// children in start order: "service kind name [key attributes]".
func tree(spans []span) string {
	ids := map[string]bool{}
	kids := map[string][]span{}
	for _, s := range spans {
		ids[hex.EncodeToString(s.SpanId)] = true
	}
	for _, s := range spans {
		p := hex.EncodeToString(s.ParentSpanId)
		if !ids[p] {
			p = "" // a root, or a parent that was not exported
		}
		kids[p] = append(kids[p], s)
	}
	var b strings.Builder
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		k := kids[parent]
		sort.Slice(k, func(i, j int) bool { return k[i].StartTimeUnixNano < k[j].StartTimeUnixNano })
		for _, s := range k {
			fmt.Fprintf(&b, "%s%s %s %q", strings.Repeat("  ", depth), s.service, kind(s), s.Name)
			for _, key := range []string{"http.route", "url.full", "rpc.system.name", "rpc.method", "messaging.system", "messaging.destination.name", "messaging.operation.type", "http.response.status_code"} {
				if v := attr(s.Attributes, key); v != "" {
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

func kind(s span) string {
	return strings.ToLower(strings.TrimPrefix(s.Kind.String(), "SPAN_KIND_"))
}
