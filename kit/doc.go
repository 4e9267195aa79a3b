// Package kit is Gantry's service runtime: one *App per process that owns
// the configuration, the logger, the Prometheus registry, the OpenTelemetry
// tracer provider, the service and admin HTTP listeners, readiness checks
// and the lifecycle from start to graceful shutdown. Nothing in it is
// global; many Apps can run in one test process.
//
// # A service in five steps
//
//	type Config struct {
//		Greeting string `yaml:"greeting" help:"what to say"`
//	}
//
//	func run(ctx context.Context, args []string, getenv func(string) string) error {
//		cfg := Config{Greeting: "hello"}                    // 1. defaults
//		app := kit.New("hello", kit.WithConfig(&cfg),       // 2. load config
//			kit.WithArgs(args), kit.WithGetenv(getenv))
//		app.HTTP().HandleFunc("GET /hi/{name}", func(w http.ResponseWriter, r *http.Request) {
//			fmt.Fprintf(w, "%s, %s\n", cfg.Greeting, r.PathValue("name")) // 3. routes
//		})
//		app.AddCheck("db", db.PingContext)                   // 4. readiness
//		app.AddHook(kit.Hook{Name: "db", Stop: func(context.Context) error { return db.Close() }})
//		return app.Run(ctx)                                  // 5. serve until SIGTERM
//	}
//
// New never fails: a configuration error is kept and returned by Run
// (and Err) before anything starts. -h returns the usage as that error,
// matching flag.ErrHelp, so main can print it and exit 0.
//
// # Listeners
//
// The service listener (gantry.http_addr) serves App.HTTP, a
// transport/http Mux that answers unknown routes with problem+json, and
// GET /openapi.json: the OpenAPI 3.1 document of the typed routes, titled
// with the service name and version (register that path yourself to serve
// your own). When
// gantry.tls.cert_file and key_file are set it serves HTTPS and rereads
// the files, at most once a second, when their size or modification time
// changes: a renewed certificate is used without a restart.
//
// The admin listener (gantry.admin_addr) is for the platform, not for
// clients; keep it off the public network. It serves
//
//	/metrics       the App's own registry (Go and process collectors
//	               included) in the Prometheus exposition format; a
//	               collector that fails loses its own samples, not the
//	               page (logged, and counted in
//	               promhttp_metric_handler_errors_total)
//	/healthz       liveness: 200 while the process serves
//	/readyz        readiness: 503 "starting" until the service listener
//	               serves, then each AddCheck run concurrently under
//	               check_timeout with a JSON line per check, and 503
//	               "draining" from the start of shutdown
//
// and, once kit/pprofkit is mounted (pprofkit.Mount(app)), /debug/pprof/:
// the runtime profiles for go tool pprof, unless gantry.pprof is false.
//
// Servers set ReadHeaderTimeout, ReadTimeout, IdleTimeout and
// MaxHeaderBytes. WriteTimeout is 0 by default: a write deadline cuts off
// slow or streamed responses without telling the handler; bound request
// time with the timeout middleware instead, which the handler sees through
// its context. ReadTimeout (30 s) bounds a slow client's request body.
//
// # Lifecycle
//
// Run binds both listeners, serves the admin one, runs the start hooks in
// order, serves the service listener, starts the tasks given to Go and
// closes Started. Once every readiness check passes it runs the OnReady
// hooks (register in discovery there). On SIGINT, SIGTERM or the end of
// its context it shuts down:
//
//  1. OnDrain hooks (deregister; gRPC health NOT_SERVING)
//  2. /readyz answers 503
//  3. wait gantry.drain_delay, so load balancers stop sending
//  4. under gantry.shutdown_timeout: the service server's Shutdown (in-flight
//     requests finish), end the Go tasks and wait for them, stop hooks in
//     reverse start order, close the admin server, flush the traces
//
// A second SIGINT or SIGTERM during the shutdown ends the process at once
// (the signal's default action). Run returns nil after a clean shutdown,
// and an error wrapping
// ErrShutdownTimeout when the deadline passed first.
//
// # Telemetry
//
// App.Logger is a *slog.Logger (JSON on stderr, or text with
// gantry.log_format) built on telemetry.NewHandler: service, version and
// instance on every line, trace_id and span_id whenever the record's
// context carries a span context (sampled or not), request_id whenever it
// carries a request ID, and each key once. The service listener's Mux
// continues the caller's trace (httpt.WithTracing): it extracts the trace
// context and baggage with App.Propagator, takes X-Request-Id into the
// context, and starts a server span per request, so a handler that logs
// with its request's context joins the gateway's access line.
//
// App.TracerProvider is an OpenTelemetry SDK provider. Its sampler is
// parent-based: a request whose caller sampled it is recorded at every
// hop, one the caller did not sample nowhere. Which new traces it starts
// (requests with no trace context) is decided, first match wins, by
//
//  1. the WithSampler option (the whole sampler, parent-based or not);
//  2. the Gantry key middleware.tracing.root_sample_ratio, when set:
//     ParentBased(TraceIDRatioBased(ratio));
//  3. OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG;
//  4. Gantry's default, parentbased_always_off: a service starts no trace
//     of its own. Set one of the above on the App that takes outside
//     traffic (the gateway), e.g. OTEL_TRACES_SAMPLER=
//     parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1.
//
// Spans follow the semantic conventions of telemetry.SemconvVersion. Every
// variable the OpenTelemetry SDK specification defines for traces is read
// through WithGetenv (the process environment by default); a value the App
// cannot honour stops it at start (Err, Run) with an error naming the
// variable:
//
//	OTEL_SERVICE_NAME                     service.name of the resource; wins over the App's
//	                                      name and OTEL_RESOURCE_ATTRIBUTES (logs and metrics
//	                                      keep the App's name)
//	OTEL_RESOURCE_ATTRIBUTES              key=value,... (percent-decoded), over the App's
//	                                      service.name, service.version, service.instance.id
//	OTEL_TRACES_SAMPLER                   always_on, always_off, traceidratio and their
//	                                      parentbased_ forms; jaeger_remote,
//	                                      parentbased_jaeger_remote and xray are refused (they
//	                                      need a remote sampling client: use WithSampler)
//	OTEL_TRACES_SAMPLER_ARG               the ratio of the traceidratio samplers (default 1)
//	OTEL_PROPAGATORS                      tracecontext, baggage, none (default
//	                                      tracecontext,baggage); b3, b3multi, jaeger, xray and
//	                                      ottrace are refused as not linked: pass them with
//	                                      WithPropagator
//	OTEL_SDK_DISABLED                     true: no span is recorded or exported; trace context
//	                                      is still propagated, so logs keep their trace IDs
//	OTEL_TRACES_EXPORTER                  otlp (default) or none; console and zipkin are
//	                                      refused as not linked: use WithSpanExporter
//	OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT  where spans go; without one nothing is exported
//	                                      unless OTEL_TRACES_EXPORTER=otlp is set, which uses
//	                                      the default http://localhost:4318 (4317 for grpc)
//	OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL  http/protobuf (default, built in) or grpc (with
//	                                      WithOTLPGRPC(grpckit.OTLPExporter) from kit/grpckit,
//	                                      so that a program that never asks does not link
//	                                      grpc-go); http/json is refused: OpenTelemetry's Go
//	                                      exporters do not send it
//	OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, _TIMEOUT, _COMPRESSION (gzip, none),
//	_CERTIFICATE, _CLIENT_CERTIFICATE, _CLIENT_KEY
//	                                      the exporter's requests and TLS; over grpc OTel's
//	                                      exporter reads these and _INSECURE from the process
//	                                      environment itself, not through WithGetenv
//	OTEL_BSP_SCHEDULE_DELAY, _EXPORT_TIMEOUT (ms), _MAX_QUEUE_SIZE, _MAX_EXPORT_BATCH_SIZE
//	                                      the batching of exported spans
//	OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT (falling back
//	to OTEL_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT),
//	OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT,
//	OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT, OTEL_LINK_ATTRIBUTE_COUNT_LIMIT
//	                                      the span limits
//
// App.Propagator is the propagator OTEL_PROPAGATORS or WithPropagator
// gives. Neither it nor the provider is installed globally unless
// WithGlobalTelemetry is given. /metrics serves OpenMetrics to a scraper
// that asks for it, with exemplars: the trace IDs of sampled calls on the
// latency histograms.
//
// # Configuration
//
// Values come from the defaults, then a YAML file (-config or
// GANTRY_CONFIG), then the environment, then flags; see package config for
// the rules. The file has a gantry: section for the runtime and a service:
// section for the struct given to WithConfig, whose environment variables
// take the service name in upper snake case as prefix ("order-api" →
// ORDER_API_LIMIT) and whose flags are the bare key names (-limit):
//
//	gantry:
//	  http_addr: :8443
//	  tls: {cert_file: /etc/tls/tls.crt, key_file: /etc/tls/tls.key}
//	service:
//	  limit: 50
//
// The runtime's keys (YAML under gantry:, environment, flag, default):
//
//	http_addr            GANTRY_HTTP_ADDR            -http-addr            :8080
//	admin_addr           GANTRY_ADMIN_ADDR           -admin-addr           :9090
//	drain_delay          GANTRY_DRAIN_DELAY          -drain-delay          5s
//	shutdown_timeout     GANTRY_SHUTDOWN_TIMEOUT     -shutdown-timeout     20s
//	check_timeout        GANTRY_CHECK_TIMEOUT        -check-timeout        2s
//	read_header_timeout  GANTRY_READ_HEADER_TIMEOUT  -read-header-timeout  5s
//	read_timeout         GANTRY_READ_TIMEOUT         -read-timeout         30s
//	write_timeout        GANTRY_WRITE_TIMEOUT        -write-timeout        0 (none)
//	idle_timeout         GANTRY_IDLE_TIMEOUT         -idle-timeout         2m
//	max_header_bytes     GANTRY_MAX_HEADER_BYTES     -max-header-bytes     65536
//	log_format           GANTRY_LOG_FORMAT           -log-format           json (or text)
//	log_level            GANTRY_LOG_LEVEL            -log-level            info
//	instance             GANTRY_INSTANCE             -instance             host-random
//	pprof                GANTRY_PPROF                -pprof                true (kit/pprofkit)
//	tls.cert_file        GANTRY_TLS_CERT_FILE        -tls-cert-file        none
//	tls.key_file         GANTRY_TLS_KEY_FILE         -tls-key-file         none
//	tls.client_ca_file   GANTRY_TLS_CLIENT_CA_FILE   -tls-client-ca-file   none (no client certificates asked)
//	grpc_addr            GANTRY_GRPC_ADDR            -grpc-addr            :50051 (kit/grpckit)
//	nats.url             GANTRY_NATS_URL             (no flag: secret)     none (kit/natskit: embedded server)
//	nats.port            GANTRY_NATS_PORT            -nats-port            4222 (kit/natskit)
//	nats.replicas        GANTRY_NATS_REPLICAS        -nats-replicas        1 (3 on a cluster: streams, KV buckets)
//	data_dir             GANTRY_DATA_DIR             -data-dir             gantry-SERVICE in the temp dir
//	(the file itself)    GANTRY_CONFIG               -config               none
//
// The default middleware chains (App.Middleware and App.ClientMiddleware)
// are tuned under gantry.middleware and gantry.client; a zero value keeps
// the production default that each key's help text (-h) gives:
//
//	middleware.recovery.disabled               GANTRY_MIDDLEWARE_RECOVERY_DISABLED              -middleware-recovery-disabled
//	middleware.tracing.disabled                GANTRY_MIDDLEWARE_TRACING_DISABLED               -middleware-tracing-disabled
//	middleware.tracing.root_sample_ratio       GANTRY_MIDDLEWARE_TRACING_ROOT_SAMPLE_RATIO      -middleware-tracing-root-sample-ratio (see Telemetry)
//	middleware.metrics.disabled                GANTRY_MIDDLEWARE_METRICS_DISABLED               -middleware-metrics-disabled
//	middleware.logging.disabled                GANTRY_MIDDLEWARE_LOGGING_DISABLED               -middleware-logging-disabled
//	middleware.logging.slow                    GANTRY_MIDDLEWARE_LOGGING_SLOW                   -middleware-logging-slow
//	middleware.logging.success_sample          GANTRY_MIDDLEWARE_LOGGING_SUCCESS_SAMPLE         -middleware-logging-success-sample
//	middleware.shed.disabled                   GANTRY_MIDDLEWARE_SHED_DISABLED                  -middleware-shed-disabled
//	middleware.shed.max_in_flight              GANTRY_MIDDLEWARE_SHED_MAX_IN_FLIGHT             -middleware-shed-max-in-flight
//	middleware.shed.fixed_limit                GANTRY_MIDDLEWARE_SHED_FIXED_LIMIT               -middleware-shed-fixed-limit
//	middleware.shed.initial_limit              GANTRY_MIDDLEWARE_SHED_INITIAL_LIMIT             -middleware-shed-initial-limit
//	middleware.shed.min_limit                  GANTRY_MIDDLEWARE_SHED_MIN_LIMIT                 -middleware-shed-min-limit
//	middleware.shed.queue                      GANTRY_MIDDLEWARE_SHED_QUEUE                     -middleware-shed-queue
//	middleware.shed.queue_wait                 GANTRY_MIDDLEWARE_SHED_QUEUE_WAIT                -middleware-shed-queue-wait
//	middleware.shed.retry_after                GANTRY_MIDDLEWARE_SHED_RETRY_AFTER               -middleware-shed-retry-after
//	middleware.rate_limit.per_second           GANTRY_MIDDLEWARE_RATE_LIMIT_PER_SECOND          -middleware-rate-limit-per-second
//	middleware.rate_limit.burst                GANTRY_MIDDLEWARE_RATE_LIMIT_BURST               -middleware-rate-limit-burst
//	middleware.timeout.timeout                 GANTRY_MIDDLEWARE_TIMEOUT_TIMEOUT                -middleware-timeout-timeout
//	client.tracing.disabled                    GANTRY_CLIENT_TRACING_DISABLED                   -client-tracing-disabled
//	client.metrics.disabled                    GANTRY_CLIENT_METRICS_DISABLED                   -client-metrics-disabled
//	client.logging.disabled                    GANTRY_CLIENT_LOGGING_DISABLED                   -client-logging-disabled
//	client.logging.slow                        GANTRY_CLIENT_LOGGING_SLOW                       -client-logging-slow
//	client.logging.success_sample              GANTRY_CLIENT_LOGGING_SUCCESS_SAMPLE             -client-logging-success-sample
//	client.retry.disabled                      GANTRY_CLIENT_RETRY_DISABLED                     -client-retry-disabled
//	client.retry.max_attempts                  GANTRY_CLIENT_RETRY_MAX_ATTEMPTS                 -client-retry-max-attempts
//	client.retry.base_delay                    GANTRY_CLIENT_RETRY_BASE_DELAY                   -client-retry-base-delay
//	client.retry.max_delay                     GANTRY_CLIENT_RETRY_MAX_DELAY                    -client-retry-max-delay
//	client.retry.budget_ratio                  GANTRY_CLIENT_RETRY_BUDGET_RATIO                 -client-retry-budget-ratio
//	client.retry.budget_per_second             GANTRY_CLIENT_RETRY_BUDGET_PER_SECOND            -client-retry-budget-per-second
//	client.retry.idempotent                    GANTRY_CLIENT_RETRY_IDEMPOTENT                   -client-retry-idempotent
//	client.breaker.disabled                    GANTRY_CLIENT_BREAKER_DISABLED                   -client-breaker-disabled
//	client.breaker.adaptive                    GANTRY_CLIENT_BREAKER_ADAPTIVE                   -client-breaker-adaptive
//	client.breaker.k                           GANTRY_CLIENT_BREAKER_K                          -client-breaker-k
//	client.breaker.window                      GANTRY_CLIENT_BREAKER_WINDOW                     -client-breaker-window
//	client.breaker.min_requests                GANTRY_CLIENT_BREAKER_MIN_REQUESTS               -client-breaker-min-requests
//	client.breaker.failure_ratio               GANTRY_CLIENT_BREAKER_FAILURE_RATIO              -client-breaker-failure-ratio
//	client.breaker.consecutive_failures        GANTRY_CLIENT_BREAKER_CONSECUTIVE_FAILURES       -client-breaker-consecutive-failures
//	client.breaker.open_timeout                GANTRY_CLIENT_BREAKER_OPEN_TIMEOUT               -client-breaker-open-timeout
//	client.breaker.half_open_requests          GANTRY_CLIENT_BREAKER_HALF_OPEN_REQUESTS         -client-breaker-half-open-requests
//	client.timeout.timeout                     GANTRY_CLIENT_TIMEOUT_TIMEOUT                    -client-timeout-timeout
//
// # Centralized configuration
//
// App.WatchConfig(src, key) follows an overlay document in the config
// file's shape, kept in a shared store (kit/natskit's NATS.ConfigSource
// for a NATS KV bucket over the App's connection, discovery/etcd's
// ConfigSource for etcd), and applies it
// while the App runs. These keys are live, applied without a restart to
// every operation, existing and future (LiveKeys lists them from the
// tables that own them; this list is checked against it):
//
//	gantry.features.NAME                        feature flags, read with LiveConfig.Features
//	gantry.log_level                            the logger's level (static when WithLogger gave the logger)
//	gantry.middleware.rate_limit.per_second     0 turns limiting off, a positive rate on
//	gantry.middleware.rate_limit.burst          the bucket size (0: per_second rounded up)
//	gantry.client.breaker.min_requests          requests in a window before the ratio counts
//	gantry.client.breaker.failure_ratio         failed share of a window that opens the breaker
//	gantry.client.breaker.consecutive_failures  failures in a row that open it (negative: rule off)
//	gantry.client.breaker.open_timeout          time open before a trial call (replaces each breaker)
//
// A changed open_timeout replaces each classic breaker by a closed one
// with the new timeout (gobreaker fixes it per breaker); the other
// thresholds apply from the next failure, counts kept. Every other
// gantry.* key is static: an overlay that changes one is logged and listed
// in LiveConfig.Status().NeedsRestart. A document with a bad value (a
// negative rate, a failure ratio above 1...) or an unknown key is rejected
// whole and logged, and every setting keeps its value.
//
// # Middleware
//
// App.Middleware(op) returns the default server chain for one operation as
// a plain slice, outermost first — recovery, tracing, metrics, logging,
// shed, rate limit, timeout (no breaker: middleware's doc says why) —
// built once per App on its registry,
// tracer provider and logger, with per-operation state inside:
//
//	create := endpoint.Wrap(svc.CreateOrder, app.Middleware("create_order")...)
//	app.HTTP().Handle("POST /v1/orders", httpt.NewServer(create))
//
// App.ClientMiddleware(op) is the mirror image for calls to other services
// (tracing, metrics, logging, retry, breaker, timeout).
//
// # Pay for what you use
//
// kit imports neither grpc-go nor NATS nor events nor runtime/pprof: a
// service that serves only HTTP links none of them. They wire in through
// packages that take the *App, imported by the services that use them:
//
//	kit/pprofkit  pprofkit.Mount(app): /debug/pprof/ on the admin listener
//	kit/grpckit   grpckit.NewServer(app): a gRPC server whose lifecycle Run
//	              owns; grpckit.OTLPExporter for OTLP over gRPC
//	kit/natskit   natskit.New(app, embedded.Starter): the NATS connection
//	              (or embedded server), natskit.Subscribe for events
//	              consumers, registration in the NATS KV registry, and
//	              configuration overlays from a NATS KV bucket
//
// Nothing registers itself process-wide: each is given the App.
//
// # Extending the App
//
// Parts that live beside the runtime plug in through its accessors and
// hooks, as kit/grpckit, kit/natskit and kit/pprofkit do: Logger, Registry,
// TracerProvider and Propagator for middleware; Name, Version and
// InstanceID plus OnReady/OnDrain for discovery self-registration; AddHook
// and Go for a server or a connection (start in a hook, serve in Go, stop
// in the hook's Stop).
package kit
