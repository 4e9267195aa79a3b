package grpc

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
)

// otherMethod names a method the table does not know (semantic conventions'
// _OTHER), so that a peer sending made-up method names cannot grow the
// metric series or the table without bound.
const otherMethod = "_OTHER"

// maxMethods bounds a table that learns methods as they are called (a
// client's): generated clients call a fixed set, far below it.
const maxMethods = 1024

// method is what the interceptors precompute for one full method name
// ("/pkg.Service/Method"): the span name and start options, the metric
// labels, and the histogram observer per status code, made on first use.
type method struct {
	name            string                  // "pkg.Service/Method": the span name and rpc.method
	service, method string                  // the grpc_service and grpc_method labels
	spanOpts        []trace.SpanStartOption // the kind: all a span needs to start
	attrs           []attribute.KeyValue    // set once the span records
	byCode          [codes.Unauthenticated + 1]atomic.Pointer[prometheus.Observer]
}

func newMethod(full string, kind trace.SpanKind) *method {
	m := &method{name: strings.TrimPrefix(full, "/")}
	m.service, m.method = splitMethod(full)
	m.spanOpts, m.attrs = spanOpts(kind, m.name)
	return m
}

func newOtherMethod(kind trace.SpanKind) *method {
	m := &method{name: otherMethod, service: otherMethod, method: otherMethod}
	m.spanOpts, m.attrs = spanOpts(kind, otherMethod)
	return m
}

// spanOpts are the start options and the attributes of an RPC span, after
// the semantic conventions v1.43 (those otelgrpc follows): kind,
// rpc.system.name and the fully qualified rpc.method. The attributes are
// set after the start, on spans the sampler records, so that a span that
// is not recorded (an unsampled call) allocates none: samplers see the
// span's name and kind, not its attributes.
func spanOpts(kind trace.SpanKind, name string) ([]trace.SpanStartOption, []attribute.KeyValue) {
	return []trace.SpanStartOption{trace.WithSpanKind(kind)},
		[]attribute.KeyValue{semconv.RPCSystemNameGRPC, semconv.RPCMethod(name)}
}

// observer returns the duration observer of code, creating its series on
// first use.
func (m *method) observer(h *prometheus.HistogramVec, c codes.Code) prometheus.Observer {
	if c > codes.Unauthenticated {
		c = codes.Unknown
	}
	if o := m.byCode[c].Load(); o != nil {
		return *o
	}
	o := h.WithLabelValues(m.service, m.method, c.String())
	m.byCode[c].Store(&o)
	return o
}

// methodTable maps full method names to their precomputed state. Reads take
// no lock: the map is replaced, never changed, when a method is added.
type methodTable struct {
	kind  trace.SpanKind
	learn bool // add unknown methods on first call (up to maxMethods)
	other *method

	mu sync.Mutex // serialises add
	m  atomic.Pointer[map[string]*method]
}

func newMethodTable(kind trace.SpanKind, learn bool) *methodTable {
	t := &methodTable{kind: kind, learn: learn, other: newOtherMethod(kind)}
	t.m.Store(&map[string]*method{})
	return t
}

// get returns the state of full: a known method's, or, for an unknown one,
// a new entry if the table learns and has room, else the shared _OTHER.
func (t *methodTable) get(full string) *method {
	if m, ok := (*t.m.Load())[full]; ok {
		return m
	}
	if !t.learn {
		return t.other
	}
	return t.add(full)
}

// add registers full (idempotently) and returns its state.
func (t *methodTable) add(full string) *method {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.m.Load()
	if m, ok := old[full]; ok {
		return m
	}
	if len(old) >= maxMethods {
		return t.other
	}
	next := make(map[string]*method, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	m := newMethod(full, t.kind)
	next[full] = m
	t.m.Store(&next)
	return m
}

// splitMethod splits "/pkg.Service/Method" into its service and method.
func splitMethod(full string) (service, method string) {
	full = strings.TrimPrefix(full, "/")
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "unknown", full
}
