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
//	               included) in the Prometheus exposition format
//	/healthz       liveness: 200 while the process serves
//	/readyz        readiness: 503 "starting" until the service listener
//	               serves, then each AddCheck run concurrently under
//	               check_timeout with a JSON line per check, and 503
//	               "draining" from the start of shutdown
//	/debug/pprof/  runtime profiles for go tool pprof (gantry.pprof)
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
// gantry.log_format) with service, version and instance attributes, and
// trace_id and span_id whenever the record's context carries a valid span.
// App.TracerProvider is an OpenTelemetry SDK provider whose resource names
// the service; it exports over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (protocol from
// OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf or grpc), and otherwise creates
// spans that go nowhere. The sampler follows OTEL_TRACES_SAMPLER (default
// parentbased_always_on), read by the SDK from the process environment, as
// are the exporter's headers and TLS settings. App.Propagator is W3C
// tracecontext + baggage. Neither is installed globally unless
// WithGlobalTelemetry is given.
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
//	pprof                GANTRY_PPROF                -pprof                true
//	tls.cert_file        GANTRY_TLS_CERT_FILE        -tls-cert-file        none
//	tls.key_file         GANTRY_TLS_KEY_FILE         -tls-key-file         none
//	(the file itself)    GANTRY_CONFIG               -config               none
//
// # Extending the App
//
// Parts that live beside the runtime plug in through its accessors and
// hooks: Logger, Registry, TracerProvider and Propagator for middleware;
// Name, Version and InstanceID plus OnReady/OnDrain for discovery
// self-registration; AddHook and Go for a gRPC server or a NATS connection
// (start in a hook, serve in Go, stop in the hook's Stop).
package kit
