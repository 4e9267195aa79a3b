package kit

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// newTracerProvider returns a provider with the service's resource and no
// span processor yet: spans are created and sampled (the SDK reads
// OTEL_TRACES_SAMPLER from the process environment; default parent-based
// always-on) but go nowhere until Run adds the exporters.
func newTracerProvider(name, version, instance string) *sdktrace.TracerProvider {
	own := resource.NewSchemaless(
		attribute.String("service.name", name),
		attribute.String("service.version", version),
		attribute.String("service.instance.id", instance),
	)
	res, err := resource.Merge(resource.Default(), own)
	if err != nil {
		res = own
	}
	return sdktrace.NewTracerProvider(sdktrace.WithResource(res))
}

// startExport adds a batching processor for each configured exporter. The
// processors' goroutines end when the provider shuts down at the end of
// Run.
func (a *App) startExport(ctx context.Context) error {
	exps := append([]sdktrace.SpanExporter(nil), a.opts.exporters...)
	otlp, err := otlpExporter(ctx, a.opts.getenv, a.opts.otlpGRPC)
	if err != nil {
		return err
	}
	if otlp != nil {
		exps = append(exps, otlp)
	}
	for _, e := range exps {
		a.tp.RegisterSpanProcessor(sdktrace.NewBatchSpanProcessor(e))
	}
	return nil
}

// OTLPExporter builds a span exporter sending to endpointURL, the
// traces endpoint as OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT gives it; getenv
// is the App's (WithGetenv). See WithOTLPGRPC.
type OTLPExporter func(ctx context.Context, endpointURL string, getenv func(string) string) (sdktrace.SpanExporter, error)

// otlpExporter returns an OTLP exporter when OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and OTEL_TRACES_EXPORTER
// is not "none"), else nil. The protocol comes from
// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL:
// http/protobuf (default, built in) or grpc (through grpcExp, given by
// WithOTLPGRPC).
func otlpExporter(ctx context.Context, getenv func(string) string, grpcExp OTLPExporter) (sdktrace.SpanExporter, error) {
	if getenv == nil || getenv("OTEL_TRACES_EXPORTER") == "none" {
		return nil, nil
	}
	url, perSignal := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), true
	if url == "" {
		url, perSignal = getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), false
	}
	if url == "" {
		return nil, nil
	}
	key := "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	proto := getenv(key)
	if proto == "" {
		key = "OTEL_EXPORTER_OTLP_PROTOCOL"
		proto = getenv(key)
	}
	switch proto {
	case "", "http/protobuf":
		if !perSignal {
			url = strings.TrimSuffix(url, "/") + "/v1/traces"
		}
		return newOTLPHTTP(ctx, url, getenv)
	case "grpc":
		if grpcExp == nil {
			return nil, fmt.Errorf("kit: %s=grpc, but this program has no OTLP gRPC exporter: "+
				"import github.com/gantrykit/gantry/kit/grpckit and pass kit.WithOTLPGRPC(grpckit.OTLPExporter) to kit.New, "+
				"or use http/protobuf", key)
		}
		return grpcExp(ctx, url, getenv)
	}
	return nil, fmt.Errorf("kit: %s: got %q, want http/protobuf or grpc", key, proto)
}
