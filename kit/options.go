package kit

import (
	"io"
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Option configures an App in New.
type Option func(*options)

type options struct {
	version    string
	args       []string
	getenv     func(string) string
	noSignals  bool
	logOut     io.Writer
	logger     *slog.Logger
	registry   *prometheus.Registry
	global     bool
	exporters  []sdktrace.SpanExporter
	otlpGRPC   OTLPExporter
	sampler    sdktrace.Sampler
	propagator propagation.TextMapPropagator
	envPrefix  string
	service    any
	sections   []section
	wrapHTTP   func(net.Listener) net.Listener
}

type section struct {
	key, envPrefix string
	target         any
}

// WithVersion sets the version reported in logs, traces and discovery.
// The default is the main module's version from the build info, or "dev".
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// WithConfig adds the service's own typed configuration. cfg must be a
// non-nil pointer to a struct holding the defaults; New fills it from the
// service: section of the YAML file, environment variables prefixed with
// the upper-snake service name (see WithEnvPrefix) and flags named after
// the keys. See package config for the field conventions.
func WithConfig(cfg any) Option { return func(o *options) { o.service = cfg } }

// WithEnvPrefix replaces the environment prefix of the service's own keys
// (default: the service name in upper snake case, "order-api" → "ORDER_API").
func WithEnvPrefix(p string) Option { return func(o *options) { o.envPrefix = p } }

// WithConfigSection adds another typed section: YAML key key, environment
// prefix envPrefix, flags prefixed with key and a dash. It is for parts
// such as a middleware policy that keep their configuration apart.
func WithConfigSection(key, envPrefix string, cfg any) Option {
	return func(o *options) { o.sections = append(o.sections, section{key, envPrefix, cfg}) }
}

// WithArgs sets the command-line arguments, without the program name. The
// default is os.Args[1:].
func WithArgs(args []string) Option { return func(o *options) { o.args = args } }

// WithGetenv sets how environment variables are read; the default is
// os.Getenv. It is used for GANTRY_*, the service's keys and the
// OTEL_EXPORTER_OTLP_* variables that decide whether traces are exported.
func WithGetenv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// WithHTTPListener puts wrap between the service listener and its
// http.Server when the listener is cleartext (with TLS it is not called):
// the server serves the listener wrap returns, which sees every connection
// first. If that listener has a Shutdown(context.Context) error method,
// Run calls it after the server's own Shutdown, under the same
// shutdown_timeout, so connections it kept are drained too. The gateway
// command puts its fast lane (gateway.NewFastPath) here.
func WithHTTPListener(wrap func(net.Listener) net.Listener) Option {
	return func(o *options) { o.wrapHTTP = wrap }
}

// WithoutSignals stops Run from handling SIGINT and SIGTERM; only its
// context ends it. Tests use it; so do programs that handle signals
// themselves.
func WithoutSignals() Option { return func(o *options) { o.noSignals = true } }

// WithLogOutput sends the App's log lines to w instead of os.Stderr, in
// the configured format and level.
func WithLogOutput(w io.Writer) Option { return func(o *options) { o.logOut = w } }

// WithLogger makes the App log through l's handler (wrapped to add trace
// IDs, and with service, version and instance attributes) instead of
// building one from the configuration.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithRegistry makes the App use reg for its metrics and /metrics instead
// of a new registry. The Go and process collectors are added unless reg
// already has them.
func WithRegistry(reg *prometheus.Registry) Option { return func(o *options) { o.registry = reg } }

// WithSpanExporter adds an exporter for the App's spans, batched and
// flushed at shutdown, next to OTLP when that is configured.
func WithSpanExporter(e sdktrace.SpanExporter) Option {
	return func(o *options) { o.exporters = append(o.exporters, e) }
}

// WithOTLPGRPC lets the App export spans over OTLP/gRPC when
// OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL is grpc, through newExporter:
// kit/grpckit's OTLPExporter. OTLP over HTTP (http/protobuf, the
// specification's default) is built in; the gRPC exporter is an option so
// that a program that never asks for it does not link grpc-go. Without it,
// the grpc protocol is an error Run returns before anything starts.
func WithOTLPGRPC(newExporter OTLPExporter) Option {
	return func(o *options) { o.otlpGRPC = newExporter }
}

// WithGlobalTelemetry also installs the App's tracer provider and
// propagator as the OpenTelemetry globals (otel.SetTracerProvider,
// otel.SetTextMapPropagator), for libraries that only use the globals.
// Without it the App touches no global state.
func WithGlobalTelemetry() Option { return func(o *options) { o.global = true } }

// WithSampler makes s the App's sampler, above every other setting
// (middleware.tracing.root_sample_ratio, then OTEL_TRACES_SAMPLER). Give
// a parent-based one (sdktrace.ParentBased) unless you mean a service to
// ignore its callers' decisions.
func WithSampler(s sdktrace.Sampler) Option { return func(o *options) { o.sampler = s } }

// WithPropagator makes p the App's propagator instead of the one
// OTEL_PROPAGATORS names (default W3C tracecontext + baggage): for B3,
// Jaeger or X-Ray headers, whose propagators Gantry does not link.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(o *options) { o.propagator = p }
}
