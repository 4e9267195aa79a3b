package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry"
	httpt "github.com/gantrykit/gantry/transport/http"
)

func newTP(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, rec
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// seen is what a handler found in its context.
type seen struct {
	sc        trace.SpanContext
	requestID string
}

func observedMux(tp trace.TracerProvider, got *seen) *httpt.Mux {
	m := httpt.NewMux(httpt.WithTracing(tp, nil))
	m.HandleFunc("POST /v1/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		got.sc = trace.SpanContextFromContext(r.Context())
		got.requestID = telemetry.RequestID(r.Context())
		w.WriteHeader(http.StatusAccepted)
	})
	m.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	return m
}

const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

func TestMuxServerSpan(t *testing.T) {
	tp, rec := newTP(t)
	var got seen
	m := observedMux(tp, &got)
	r := httptest.NewRequest("POST", "http://orders.internal:8080/v1/orders/42", nil)
	r.Header.Set("Traceparent", parent)
	r.Header.Set("User-Agent", "curl/8")
	r.Header.Set(telemetry.HeaderRequestID, "client-req-7")
	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)

	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1", len(spans))
	}
	s := spans[0]
	if s.Name() != "POST /v1/orders/{id}" || s.SpanKind() != trace.SpanKindServer {
		t.Errorf("span %q kind %v, want \"POST /v1/orders/{id}\" server", s.Name(), s.SpanKind())
	}
	if s.Parent().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || s.Parent().SpanID().String() != "00f067aa0ba902b7" || !s.Parent().IsRemote() {
		t.Errorf("parent %v, want the traceparent's span", s.Parent())
	}
	want := map[attribute.Key]attribute.Value{
		"http.request.method":       attribute.StringValue("POST"),
		"http.route":                attribute.StringValue("/v1/orders/{id}"),
		"url.path":                  attribute.StringValue("/v1/orders/42"),
		"url.scheme":                attribute.StringValue("http"),
		"server.address":            attribute.StringValue("orders.internal"),
		"server.port":               attribute.IntValue(8080),
		"user_agent.original":       attribute.StringValue("curl/8"),
		"network.protocol.version":  attribute.StringValue("1.1"),
		"http.response.status_code": attribute.IntValue(202),
	}
	a := attrs(s)
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %v, want %v", k, a[k].String(), v.String())
		}
	}
	if got.sc.SpanID() != s.SpanContext().SpanID() {
		t.Errorf("handler's span %v, want the server span", got.sc.SpanID())
	}
	if got.requestID != "client-req-7" {
		t.Errorf("request ID: handler %q, want client-req-7", got.requestID)
	}
}

// An unsampled caller gets no recorded span, but its trace ID reaches the
// handler (and so its logs), and a bad request ID is replaced.
func TestMuxUnsampledParent(t *testing.T) {
	tp, rec := newTP(t)
	var got seen
	m := observedMux(tp, &got)
	r := httptest.NewRequest("POST", "/v1/orders/42", nil)
	r.Header.Set("Traceparent", strings.TrimSuffix(parent, "01")+"00")
	r.Header.Set(telemetry.HeaderRequestID, "has space")
	m.ServeHTTP(httptest.NewRecorder(), r)
	if n := len(rec.Ended()); n != 0 {
		t.Errorf("got %d recorded spans, want 0", n)
	}
	if got.sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || got.sc.IsSampled() {
		t.Errorf("handler's span context %v, want the caller's trace, unsampled", got.sc)
	}
	if got.requestID == "has space" || !telemetry.ValidRequestID(got.requestID) {
		t.Errorf("request ID %q, want a new valid one", got.requestID)
	}
}

func TestMuxNoRouteAndPanic(t *testing.T) {
	tp, rec := newTP(t)
	m := observedMux(tp, &seen{})
	m.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/nowhere", nil))
	func() {
		defer func() { _ = recover() }()
		m.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/boom", nil))
	}()
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("got %d spans, want 2", len(spans))
	}
	miss, boom := spans[0], spans[1]
	if a := attrs(miss); miss.Name() != "GET" || a["http.response.status_code"].AsInt64() != 404 || a["http.route"].Type() != attribute.EMPTY {
		t.Errorf("no route: span %q %v, want GET, 404, no http.route", miss.Name(), miss.Attributes())
	}
	if miss.Status().Code == codes.Error {
		t.Error("a 404 marked the server span as an error")
	}
	if a := attrs(boom); boom.Name() != "GET /boom" || a["http.response.status_code"].AsInt64() != 500 ||
		a["error.type"].AsString() != "500" || boom.Status().Code != codes.Error {
		t.Errorf("panic: span %q %v %v, want GET /boom, 500, error", boom.Name(), boom.Attributes(), boom.Status())
	}
}

// A typed client's call is a client span whose context the server
// continues, with the request ID of the caller's context.
func TestClientSpanPropagates(t *testing.T) {
	tp, rec := newTP(t)
	var got seen
	srv := httptest.NewServer(observedMux(tp, &got))
	defer srv.Close()
	c, err := httpt.NewClient[getOrder, struct{}]("POST", srv.URL, "/v1/orders/{id}", httpt.WithClientTracing(tp, nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx, root := tp.Tracer("test").Start(context.Background(), "root")
	ctx = telemetry.WithRequestID(ctx, "rid-1")
	if _, err := c.Func()(ctx, getOrder{ID: "42"}); err != nil {
		t.Fatal(err)
	}
	root.End()
	var client sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			client = s
		}
	}
	if client == nil {
		t.Fatal("no client span")
	}
	a := attrs(client)
	if client.Name() != "POST /v1/orders/{id}" || a["url.full"].AsString() != srv.URL+"/v1/orders/42" ||
		a["http.response.status_code"].AsInt64() != 202 || a["url.template"].AsString() != "/v1/orders/{id}" ||
		a["http.request.method"].AsString() != "POST" || a["server.port"].AsInt64() == 0 {
		t.Errorf("client span %q %v", client.Name(), client.Attributes())
	}
	if client.Parent().SpanID() != root.SpanContext().SpanID() {
		t.Error("client span is not the caller's child")
	}
	if got.sc.TraceID() != root.SpanContext().TraceID() || got.requestID != "rid-1" {
		t.Errorf("server saw trace %v request %q, want %v rid-1", got.sc.TraceID(), got.requestID, root.SpanContext().TraceID())
	}
}

type getOrder struct {
	ID string `path:"id"`
}

// Without WithClientTracing a client still injects what its context holds.
func TestClientInjectsWithoutTracing(t *testing.T) {
	var hdr http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr = r.Header.Clone()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := httpt.NewClient[getOrder, struct{}]("GET", srv.URL, "/v1/orders/{id}")
	if err != nil {
		t.Fatal(err)
	}
	ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier{"Traceparent": {parent}})
	ctx = telemetry.WithRequestID(ctx, "rid-2")
	if _, err := c.Func()(ctx, getOrder{ID: "1"}); err != nil {
		t.Fatal(err)
	}
	if hdr.Get("Traceparent") != parent || hdr.Get(telemetry.HeaderRequestID) != "rid-2" {
		t.Errorf("sent traceparent %q request ID %q, want %q rid-2", hdr.Get("Traceparent"), hdr.Get(telemetry.HeaderRequestID), parent)
	}
}

// WithMiddleware runs the chain for requests refused before the endpoint,
// so that its metrics and logs see the 400.
func TestWithMiddlewareSeesRefusals(t *testing.T) {
	var calls, chainErrs []string
	record := func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			resp, err := next(ctx, req)
			if err != nil {
				chainErrs = append(chainErrs, errs.KindOf(err).String())
			}
			return resp, err
		}
	}
	create := func(_ context.Context, req createOrder) (order, error) {
		calls = append(calls, req.SKU)
		return order{SKU: req.SKU}, nil
	}
	m := newMux(httpt.NewServer(create, httpt.WithMiddleware(record)))
	w, p := serve(t, m, jsonReq("/users/u/orders", `{"sku":"A-1","quantity":0}`))
	if w.Code != http.StatusBadRequest || len(p.Errors) == 0 {
		t.Fatalf("got %d %+v, want 400 naming the field", w.Code, p)
	}
	if w, _ := serve(t, m, jsonReq("/users/u/orders", `{"sku":"A-1","quantity":1}`)); w.Code != http.StatusOK {
		t.Fatalf("good request: got %d", w.Code)
	}
	if strings.Join(chainErrs, ",") != "invalid_argument" || strings.Join(calls, ",") != "A-1" {
		t.Errorf("chain saw errors %v, endpoint calls %v; want [invalid_argument] and [A-1]", chainErrs, calls)
	}

	// A layer of the chain may answer a refused request its own way.
	limited := func(kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(context.Context, any) (any, error) { return nil, errs.TooManyRequests(0, "slow down") }
	}
	m = newMux(httpt.NewServer(create, httpt.WithMiddleware(limited)))
	if w, _ := serve(t, m, jsonReq("/users/u/orders", `{"sku":`)); w.Code != http.StatusTooManyRequests {
		t.Errorf("got %d, want the chain's 429", w.Code)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://a:8080/x?id=1":                            "http://a:8080/x?id=1",
		"https://u:p@a/x":                                 "https://REDACTED:REDACTED@a/x",
		"https://a/x?sig=s3cret&id=1":                     "https://a/x?id=1&sig=REDACTED",
		"https://a/x?X-Goog-Signature=1&AWSAccessKeyId=2": "https://a/x?AWSAccessKeyId=REDACTED&X-Goog-Signature=REDACTED",
	} {
		u, _ := url.Parse(in)
		if got := httpt.RedactURL(u); got != want {
			t.Errorf("RedactURL(%s) = %s, want %s", in, got, want)
		}
	}
}
