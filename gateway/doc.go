// Package gateway is Gantry's API gateway: one entry point for clients that
// routes to discovered services with auth, limits, breakers, retries and
// aggregated OpenAPI docs. Use it as a library (New returns an http.Handler)
// or as the command in gateway/cmd/gateway, which runs it on the kit
// runtime (admin listener with /metrics, graceful shutdown, reload on
// SIGHUP); cmd/gateway/routes.example.yaml is a complete route table.
//
// Start with a YAML route table:
//
//	services:
//	  orders: {urls: ["http://10.0.0.7:8080", "http://10.0.0.8:8080"]}
//	auth: {secret_env: JWT_SECRET, issuer: https://id.example.com, audience: shop}
//	routes:
//	  - name: orders
//	    prefix: /orders
//	    version: v1          # /v1/orders/... or Accept-Version: v1
//	    service: orders
//	    strip_prefix: true   # upstream sees /42 for /v1/orders/42
//	    timeout: 2s
//	    attempt_timeout: 500ms  # per instance, to the answer's head
//	    retries: 2           # idempotent requests only
//	    auth: {mode: jwt, scopes: [orders:read]}
//	    rate_limit: {rps: 50, key: subject}
//
// and build the gateway:
//
//	cfg, err := gateway.LoadConfig("routes.yaml") // errors name line and key
//	gw, err := gateway.New(cfg, gateway.WithRegisterer(reg),
//		gateway.WithTracerProvider(tp), gateway.WithLogger(logger))
//	defer gw.Close()
//	srv := gateway.NewServer(gw, cfg.Server, logger) // ReadHeaderTimeout, header limits
//	ln, err := net.Listen("tcp", cfg.Server.Listen)
//	err = srv.Serve(gateway.NewListener(ln, srv.MaxHeaderBytes)) // admission sees each connection's bytes
//
// With server.tls_cert and server.tls_key set, serve it with
// srv.ListenAndServeTLS(cfg.Server.TLSCert, cfg.Server.TLSKey) (the
// command does this for you): TLS ends at the gateway, clients get HTTP/2
// by ALPN or HTTP/1.1, upstreams are reached as configured and see
// X-Forwarded-Proto: https (and Forwarded proto=https where the service
// sets forwarded), and a cleartext
// request to that port gets 400 without reaching a route.
//
// A service without urls is resolved by the Resolver given WithResolver:
// any go-kit sd.Instancer fits, so the discovery packages (static, dns,
// natskv, etcd) plug in directly.
//
// # The edge's rules
//
// The gateway is the one component every client request passes through,
// so it reads each message one way and refuses what could be read two
// ways. Both fronts apply one header policy and one admission function
// (the internal package edge):
//
//   - The gateway writes the framing of every message it forwards itself:
//     a client's or an upstream's Content-Length and Transfer-Encoding are
//     read and checked, never relayed.
//   - A request with both Content-Length and Transfer-Encoding, with a
//     transfer coding other than one "chunked", with Transfer-Encoding in
//     HTTP/1.0, with several or malformed Content-Length fields, with no,
//     several or a malformed Host (or one that differs from an
//     absolute-form target's), with a bare LF or CR, a folded line,
//     whitespace before a colon, a control byte in a value, a malformed
//     chunk-size line or chunk, or an expectation other than 100-continue
//     is refused with 400 (417, 501 or 505 where they fit) and the
//     connection is closed after the answer.
//   - Connection can never remove framing, Host, or a field the gateway
//     sets or verifies (the claims header, X-Forwarded-*, Forwarded,
//     X-Request-Id, Gantry-Timeout, traceparent, tracestate,
//     Authorization, Idempotency-Key, Accept, Accept-Version, Origin): a
//     request whose Connection names one is refused with 400, an
//     upstream answer that does fails the attempt (502). Fields it names
//     otherwise, and hop-by-hop fields, are dropped.
//   - Client-sent trusted fields are never forwarded; the gateway sets
//     its own. No request trailer is forwarded; an upstream's trailers
//     pass but for framing, hop-by-hop and X-Request-Id.
//   - Upgrade is dropped, and the request served as a plain one, except a
//     WebSocket upgrade (GET, HTTP/1.1, Upgrade: websocket, Connection:
//     upgrade) on a route with websocket: true. An upgrade request the
//     upstream does not switch closes the client connection after the
//     answer; a 101 nobody asked for fails the attempt. h2c never
//     tunnels.
//   - Routes match on one normalised path, the same one the upstream
//     receives: percent-encoded bytes are decoded, and a path an upstream
//     could read otherwise is refused with 400 rather than normalised: "."
//     and ".." segments, plain or encoded (%2e); an encoded "/" or "\"
//     (%2F, %5C) and a plain "\"; ";" (matrix parameters), plain or
//     encoded; empty segments ("//", but a trailing slash is kept); NUL
//     and other control bytes; a segment starting or ending with a space
//     or tab (%20, %09); an encoded "%" (%25, which a second decoding
//     would change). The upstream gets the decoded path (after
//     strip_prefix or rewrite) re-encoded in one canonical form.
//   - An upstream connection that has unread bytes after an answer (a
//     body on HEAD, 204 or 304, more than Content-Length), whose answer
//     ended early or ambiguously, or that became readable while idle (an
//     unsolicited or late answer) is closed, never pooled. An answer
//     with malformed, duplicated or conflicting framing (Content-Length:
//     +53, a chunk size with leading whitespace, Content-Length beside
//     Transfer-Encoding, framing on a 1xx or 204) is never relayed: 502
//     when nothing reached the client yet, else the client connection is
//     cut.
//
// net/http hides some of what the rules refuse (it drops a Content-Length
// sent beside Transfer-Encoding and ignores Transfer-Encoding in
// HTTP/1.0), so the net/http front reads each connection's bytes too:
// serve the gateway on a listener from NewListener, as the command and
// the shop do. Over TLS, which kit's server terminates itself, the
// requests get every other check.
//
// # Two fronts
//
// The net/http front is Gateway.ServeHTTP behind net/http's server on a
// NewListener listener, and serves every request by default: HTTP/1.x
// and, over TLS, HTTP/2. The fast lane (FastPath, below) is a
// hand-written HTTP/1.1 front for the common case, experimental and off
// by default; it hands every connection it does not serve to the net/http
// front. The conformance and smuggling suite (gateway/internal/conformance)
// runs the same raw-byte vectors against both fronts and against nginx.
//
// # What a request goes through
//
// The edge admission refuses what the rules above refuse, the route is matched,
// CORS preflights are answered, the body limit applied (413), the JWT
// verified with middleware/auth (401 when missing, expired, badly signed,
// alg "none", or for the wrong issuer or audience; 403 without the scopes;
// both with the RFC 6750 challenge: WWW-Authenticate: Bearer, with
// error="invalid_token" when a bearer token came and was bad,
// error="insufficient_scope" on the 403),
// the rate limit taken with middleware/ratelimit (429 with Retry-After).
// Then discovery/lb's power-of-two-choices balancer over peak-EWMA latency
// picks an instance; each instance has a gobreaker breaker, and an open
// breaker (like a refused connection) ejects it from balancing. Failures,
// timeouts and 502/503/504 answers count against the breaker, except a 503
// or 429 that carries Retry-After: that instance is shedding load, alive
// and quick, and ejecting it (perhaps a service's only one) would turn a
// partial overload into an outage; it is retried elsewhere and weighed down
// by the balancer's failure penalty instead. The request
// is proxied by httputil.ReverseProxy: bodies stream both ways, hop-by-hop
// headers are dropped (see the rules above), X-Forwarded-For, X-Forwarded-Host and
// X-Forwarded-Proto are set from the connection (never trusted from the
// client; a client's Forwarded is dropped, and the RFC 7239 Forwarded
// header is sent instead to services that set forwarded), the bearer token
// of a jwt route is removed once verified (unless the service sets
// forward_token), X-Request-Id is passed on when well formed
// (telemetry.ValidRequestID) or created — mounted on a tracing Mux, the
// gateway keeps the ID the Mux put in the request's context, so a request
// has one ID end to end —, Gantry-Timeout tells the upstream what is left of the route (or
// attempt) timeout (replacing any client's value; transport/http's Mux
// makes it the handler's context deadline), W3C trace context is
// propagated, and WebSocket upgrades (on routes with websocket: true) and
// server-sent events pass through (past the route timeout, which bounds
// their start). A failed idempotent request, or one with an
// Idempotency-Key, is retried on another instance while the upstream's
// retry budget lasts (middleware/retry's: over the last 10 s, retries
// within 20% of requests plus 10); a POST without an Idempotency-Key is
// never retried. The caller sees problem+json 502 when the upstream
// cannot be reached, 503 with Retry-After when every instance is ejected by
// its breaker, and 504 at the route timeout. With attempt_timeout set, an
// instance that has not sent the answer's head in that time counts as
// failed: the request is retried elsewhere while the route timeout leaves
// time (or gets 504 saying so), instead of spending the whole route timeout
// on an instance that accepts connections and never answers.
//
// Upstream connections (net/http front): bodiless GET, HEAD, OPTIONS and DELETE requests to
// HTTP/1.1 instances are written and answered on the handler's goroutine
// over pooled keep-alive connections; everything else uses a net/http
// Transport with large keep-alive pools, or cleartext HTTP/2 for services
// with h2c set. Copy buffers come from a sync.Pool.
//
// # The fast lane
//
// The fast lane is off by default and experimental: it is a hand-written
// HTTP/1.1 parser and proxy (package gateway/internal/lane). It passes the
// gateway's conformance and smuggling suite and differential fuzzing
// against net/http, and stays off until longer evidence is in (fuzz
// campaigns on the current code, the reliability suite and a quiet bench
// run on the lane: docs/benchmarks.md). With
// server.fast_lane set on a cleartext listener, the command serves through
// FastPath, which sees every connection first: plain HTTP/1.1 GET, HEAD and
// DELETE requests without a body, and POST, PUT and PATCH requests whose
// Content-Length body fits with the head in 8 KiB, with a path that needs
// no decoding or cleaning, on routes without CORS to HTTP/1.1 instances,
// are read, routed, checked and proxied by the lane, through the same
// admission, balancing, breakers, retries, metrics, spans and access log as
// above. The lane writes the framing of everything it forwards itself,
// never lets Connection remove framing, Host or a field the gateway reads
// or sets, refuses Content-Length with Transfer-Encoding (400, then close)
// and answers framed ambiguously (502), and never pools an upstream
// connection with unread bytes. The first request it does not take hands
// the whole connection, with the bytes already read, to the net/http
// server, which answers as it always did. A library user puts the lane in
// front of their server with NewFastPath.
//
// # Observability
//
// One access log line per request (route, method, path, upstream,
// upstream_instance, status, duration, attempts, request_id, trace_id:
// the keys of package telemetry), a request the gateway answers without a
// route included; Prometheus gateway_requests_total{route,code},
// gateway_request_duration_seconds (with the trace ID of sampled requests
// as exemplars), gateway_requests_in_flight,
// gateway_upstream_attempts_total{route, upstream,outcome},
// gateway_upstream_response_seconds, gateway_retries_total and
// gateway_upstream_breakers_open{upstream}, with route and service names
// as labels, never paths. Spans follow the semantic conventions of
// telemetry.SemconvVersion: a server span per request named
// "{method} {route template}" (http.route is the pattern's path, or the
// prefix followed by "/{path...}"), with url.path, url.scheme,
// server.address, server.port, user_agent.original and
// http.response.status_code, and a client span per upstream attempt named
// after its method, with url.full; both carry gateway.route and
// gateway.upstream, the metrics' labels. The gateway continues a client's
// W3C traceparent; which other requests start a trace is its tracer
// provider's sampler: with kit, set OTEL_TRACES_SAMPLER (for example
// parentbased_traceidratio and OTEL_TRACES_SAMPLER_ARG=0.1) on the gateway,
// the App that takes outside traffic.
//
// # JWT algorithms and keys
//
// auth.alg is the one algorithm tokens may be signed with: HS256 (the
// default, a shared secret), RS256, ES256 or EdDSA (Ed25519). Their keys
// come from auth.jwks_url (RSA, EC, and OKP Ed25519 keys, chosen by the
// token's kid) or are a PEM public key ("PUBLIC KEY") in auth.key_file or
// in the variable auth.secret_env names. A token signed with any other
// algorithm gets 401, so an EdDSA route refuses an HS256 token keyed with
// its public key (algorithm confusion). A key that cannot verify auth.alg
// (another family, an RSA key under 2048 bits, a curve other than P-256
// for ES256, a private key, or a PEM key given to HS256) fails New and
// Reload with an error naming auth.key_file or auth.secret_env.
//
// # Trust model for forwarded claims
//
// After verifying a JWT the gateway forwards its claims to the upstream in
// the X-Gantry-Claims header (see ClaimsHeader). Upstreams that only the
// gateway can reach may trust it as is; with auth.claims_secret_env set the
// header is HMAC-signed and upstreams check it with VerifyClaims.
//
// The token itself stays at the edge: on jwt routes the gateway removes
// the Authorization header once it has verified it, as Envoy's jwt_authn
// filter does by default, so a bearer credential good for every service of
// its audience does not travel to (and get logged by) each upstream. A
// service that verifies the token again, or relays it to services it
// calls, sets forward_token: true and gets it as the client sent it.
//
// # Reload
//
// Reload (called by the command on SIGHUP or when the file changes, see
// WatchFile) swaps the compiled table atomically: requests in flight keep
// the route they matched and connections are not dropped. A bad file is
// refused and the old table stays.
//
// # Docs
//
// With docs.path set, GET /openapi.json merges the /openapi.json of every
// routed service with paths rewritten to their public form, under the info
// docs.title, docs.version and docs.description give, and docs.path
// serves Swagger UI from files embedded in the binary (no CDN). Components
// of every kind are merged: a same-named component that differs between
// services is kept as "<service>.<Name>", and that service's references and
// security requirements follow it; each service's top-level security is
// copied onto its operations. Operation ids are made unique too: the first
// keeps its id, a clashing one from a later service becomes
// "<service>.<id>", and a second route's copy of an operation
// "<route>.<id>"; links follow them. Each operation then gets what the
// gateway itself answers for it, from the route that serves it: on a jwt
// route without security of its own, a bearer JWT requirement with the
// route's scopes (securitySchemes.bearerAuth) and 401 (403 with scopes);
// elsewhere, an explicit empty security (no credentials asked for);
// 429 on a rate-limited route; 413 where a body goes; 400 where the path
// has parameters; 502, 503 and 504 everywhere; as problem+json with
// transport/http's Problem schema.
package gateway
