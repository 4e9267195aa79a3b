// Package gateway is Gantry's API gateway: one entry point for clients that
// routes to discovered services with auth, limits, breakers, retries and
// aggregated OpenAPI docs. Use it as a library (New returns an http.Handler)
// or as the command in gateway/cmd/gateway.
//
// Start with a YAML route table:
//
//	services:
//	  orders: {urls: ["http://10.0.0.7:8080", "http://10.0.0.8:8080"]}
//	routes:
//	  - name: orders
//	    prefix: /orders
//	    version: v1          # /v1/orders/... or Accept-Version: v1
//	    service: orders
//	    strip_prefix: true   # upstream sees /42 for /v1/orders/42
//	    timeout: 2s
//	    retries: 2           # idempotent requests only
//	    auth: {mode: jwt, scopes: [orders:read]}
//	    rate_limit: {rps: 50, key: subject}
//
// and build the gateway:
//
//	cfg, err := gateway.LoadConfig("routes.yaml") // errors name line and key
//	gw, err := gateway.New(cfg, gateway.WithRegisterer(reg), gateway.WithLogger(log))
//	defer gw.Close()
//	srv := gateway.NewServer(":8080", gw, gateway.ServerConfig{})
//
// # What a request goes through
//
// A client-sent X-Gantry-Claims header is deleted, the route is matched,
// CORS preflights are answered, the body limit applied, the JWT verified
// (401 when missing, expired, badly signed or alg "none"; 403 without the
// scopes), the rate limit taken (429 with Retry-After). Then an instance is
// picked by power of two choices over peak-EWMA latency among those whose
// breaker is closed, and the request is proxied by httputil.ReverseProxy
// with a tuned transport: bodies stream both ways, hop-by-hop headers are
// dropped, X-Forwarded-* and Forwarded are set from the connection (never
// trusted from the client), X-Request-Id is passed on or created, W3C trace
// context is propagated, and WebSocket upgrades and server-sent events pass
// through. A failed idempotent request is retried on another instance while
// the upstream's retry budget lasts. The caller sees problem+json 502 when
// the upstream cannot be reached, 503 with Retry-After when every instance
// is ejected by its breaker, and 504 at the route timeout.
//
// # Trust model for forwarded claims
//
// After verifying a JWT the gateway forwards its claims to the upstream in
// the X-Gantry-Claims header (see ClaimsHeader). Upstreams that only the
// gateway can reach may trust it as is; with auth.claims_secret_env set the
// header is HMAC-signed and upstreams check it with VerifyClaims.
//
// # Reload
//
// Reload (called by the command on SIGHUP or when the file changes, see
// WatchFile) swaps the compiled table atomically: requests in flight keep
// the route they matched and connections are not dropped. A bad file is
// refused and the old table stays.
package gateway
