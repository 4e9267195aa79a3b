package kit

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
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
	otlp, err := otlpExporter(ctx, a.opts.getenv)
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

// otlpExporter returns an OTLP exporter when OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and OTEL_TRACES_EXPORTER
// is not "none"), else nil. The protocol comes from
// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL:
// http/protobuf (default) or grpc. Headers, TLS and timeouts are read by
// the exporter itself from the process environment.
func otlpExporter(ctx context.Context, getenv func(string) string) (sdktrace.SpanExporter, error) {
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
	proto := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch proto {
	case "", "http/protobuf":
		if !perSignal {
			url = strings.TrimSuffix(url, "/") + "/v1/traces"
		}
		return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
	case "grpc":
		return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(url))
	}
	return nil, fmt.Errorf("kit: OTEL_EXPORTER_OTLP_PROTOCOL: got %q, want http/protobuf or grpc", proto)
}
