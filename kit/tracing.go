package kit

import (
	"context"
	"fmt"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// newTracerProvider returns a provider with the setup's resource, sampler
// and span limits, and no span processor yet: spans are created and
// sampled but go nowhere until Run adds the exporters.
func newTracerProvider(s traceSetup) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(sdktrace.WithResource(s.res), sdktrace.WithSampler(s.sampler), sdktrace.WithRawSpanLimits(s.limits))
}

// startExport adds a batching processor for each configured exporter. The
// processors' goroutines end when the provider shuts down at the end of
// Run. With OTEL_SDK_DISABLED=true nothing is exported.
func (a *App) startExport(ctx context.Context) error {
	if a.trace.disabled {
		return nil
	}
	exps := append([]sdktrace.SpanExporter(nil), a.opts.exporters...)
	otlp, err := otlpExporter(ctx, a.opts.getenv, a.opts.otlpGRPC)
	if err != nil {
		return err
	}
	if otlp != nil {
		exps = append(exps, otlp)
	}
	for _, e := range exps {
		a.tp.RegisterSpanProcessor(sdktrace.NewBatchSpanProcessor(e, a.trace.batch...))
	}
	return nil
}

// OTLPExporter builds a span exporter sending to endpointURL, the
// traces endpoint as OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT gives it; getenv
// is the App's (WithGetenv). See WithOTLPGRPC.
type OTLPExporter func(ctx context.Context, endpointURL string, getenv func(string) string) (sdktrace.SpanExporter, error)

// otlpExporter returns the OTLP exporter otlpTarget describes, or nil.
func otlpExporter(ctx context.Context, getenv func(string) string, grpcExp OTLPExporter) (sdktrace.SpanExporter, error) {
	t, err := otlpTarget(getenv, grpcExp != nil)
	if err != nil || t.url == "" {
		return nil, err
	}
	if t.grpc {
		return grpcExp(ctx, t.url, getenv)
	}
	return newOTLPHTTP(ctx, t.url, getenv)
}

// target is where and how spans are exported over OTLP.
type target struct {
	url  string // "" when nothing is exported
	grpc bool
}

// otlpTarget reads the exporter variables. OTEL_TRACES_EXPORTER is otlp
// (the default) or none; an OTLP exporter is made when
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set,
// or when OTEL_TRACES_EXPORTER=otlp is set explicitly (then to the
// specification's default endpoint, localhost:4318 or :4317). The protocol
// comes from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or
// OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf (default, built in) or grpc
// (through WithOTLPGRPC); http/json is refused.
func otlpTarget(getenv func(string) string, hasGRPC bool) (target, error) {
	if getenv == nil {
		return target{}, nil
	}
	switch e := getenv("OTEL_TRACES_EXPORTER"); e {
	case "", "otlp":
	case "none":
		return target{}, nil
	default:
		return target{}, fmt.Errorf("kit: OTEL_TRACES_EXPORTER: got %q, want otlp or none "+
			"(console and zipkin exporters are not linked into Gantry; add one with kit.WithSpanExporter)", e)
	}
	key := "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	proto := getenv(key)
	if proto == "" {
		key = "OTEL_EXPORTER_OTLP_PROTOCOL"
		proto = getenv(key)
	}
	var t target
	switch proto {
	case "", "http/protobuf":
	case "grpc":
		if !hasGRPC {
			return t, fmt.Errorf("kit: %s=grpc, but this program has no OTLP gRPC exporter: "+
				"import github.com/gantrykit/gantry/kit/grpckit and pass kit.WithOTLPGRPC(grpckit.OTLPExporter) to kit.New, "+
				"or use http/protobuf", key)
		}
		t.grpc = true
	case "http/json":
		return t, fmt.Errorf("kit: %s=http/json is not supported: OpenTelemetry's Go exporters send http/protobuf and grpc "+
			"only (the protocol's JSON form writes trace and span IDs as hex, which the protobuf JSON mapping does not); "+
			"use http/protobuf, which every collector accepts", key)
	default:
		return t, fmt.Errorf("kit: %s: got %q, want http/protobuf or grpc", key, proto)
	}
	url, perSignal := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), true
	if url == "" {
		url, perSignal = getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), false
	}
	if url == "" && getenv("OTEL_TRACES_EXPORTER") == "otlp" {
		url = "http://localhost:4318"
		if t.grpc {
			url = "http://localhost:4317"
		}
	}
	if url != "" && !perSignal && !t.grpc {
		url = strings.TrimSuffix(url, "/") + "/v1/traces"
	}
	t.url = url
	return t, nil
}
