//go:build !noexport

package main

import (
	"context"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// exportOptions batches spans to OpenTelemetry's own OTLP/HTTP exporter,
// configured by the OTEL_EXPORTER_OTLP_* variables.
func exportOptions(ctx context.Context) ([]sdktrace.TracerProviderOption, error) {
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	return []sdktrace.TracerProviderOption{sdktrace.WithBatcher(exp)}, nil
}
