package grpckit

import (
	"context"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/kit"
)

// OTLPExporter is a kit.OTLPExporter over OTLP/gRPC (OTel's otlptracegrpc):
// give it to kit.WithOTLPGRPC so that OTEL_EXPORTER_OTLP_PROTOCOL=grpc
// exports spans. Headers, TLS, compression and timeouts are read by the
// exporter from the process environment (OTEL_EXPORTER_OTLP_*).
func OTLPExporter(ctx context.Context, endpointURL string, _ func(string) string) (sdktrace.SpanExporter, error) {
	return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(endpointURL))
}

var _ kit.OTLPExporter = OTLPExporter
