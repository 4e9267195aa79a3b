package gateway

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the gateway's route table and upstream set, as read from YAML.
// The zero value of every optional field is a safe default. Build one with
// [ParseConfig] or [LoadConfig], which validate it; a Config built in Go is
// validated by [New].
type Config struct {
	// Server is the client-facing listener (used by NewServer).
	Server ServerConfig `yaml:"server"`
	// Services names the upstreams routes point at.
	Services map[string]ServiceConfig `yaml:"services"`
	// Routes are matched most specific first: host routes before hostless
	// ones, then versioned before unversioned, then longer prefixes.
	Routes []RouteConfig `yaml:"routes"`
	// Auth configures JWT verification for routes whose auth mode is jwt.
	Auth AuthConfig `yaml:"auth"`
	// Docs, when Path is set, serves the merged OpenAPI document at
	// /openapi.json and a viewer at Path.
	Docs DocsConfig `yaml:"docs"`

	lines map[string]int // key path → line, filled by ParseConfig
	raw   []byte         // the parsed source, for WatchFile
}

// ServiceConfig is one upstream service.
type ServiceConfig struct {
	// URLs is a static instance list ("http://10.0.0.1:8080"). When empty,
	// the instances come from the Resolver given to New.
	URLs []string `yaml:"urls"`
	// H2C speaks cleartext HTTP/2 to the instances (prior knowledge).
	H2C bool `yaml:"h2c"`
	// Breaker tunes the per-instance circuit breaker.
	Breaker BreakerConfig `yaml:"breaker"`
	// Forwarded also sends the RFC 7239 Forwarded header (for, host,
	// proto) to this service. X-Forwarded-For, X-Forwarded-Host and
	// X-Forwarded-Proto are always sent, and a client's own Forwarded is
	// always dropped: off, the service gets none.
	Forwarded bool `yaml:"forwarded"`
	// ForwardToken passes the client's Authorization header on to this
	// service on jwt routes, for services that verify the token again or
	// relay it. Off (the default), the gateway removes the token once it
	// has verified it, as Envoy's jwt_authn does, and the service gets the
	// verified claims in the X-Gantry-Claims header instead: the bearer
	// credential stays at the edge. Routes with auth mode none pass
	// Authorization through untouched either way.
	ForwardToken bool `yaml:"forward_token"`
}

// BreakerConfig tunes the breaker kept for each upstream instance. An open
// breaker ejects its instance from balancing until Open has passed.
type BreakerConfig struct {
	Failures uint32        `yaml:"failures"` // consecutive failures that open it; default 5
	Open     time.Duration `yaml:"open"`     // how long it stays open; default 5s
}

// RouteConfig is one route: what it matches and where it sends.
type RouteConfig struct {
	Name string `yaml:"name"` // metric and log label; unique, required
	// Match by Pattern (a Go 1.22 ServeMux pattern, "GET /orders/{id}") or
	// by Prefix ("/orders") with optional Methods; exactly one of the two.
	Pattern string   `yaml:"pattern"`
	Prefix  string   `yaml:"prefix"`
	Methods []string `yaml:"methods"`
	Host    string   `yaml:"host"` // exact host, port ignored; empty matches any
	// Version ("v1") matches /v1/... paths (the segment is then part of the
	// matched prefix), the Accept-Version header, or a version in Accept
	// ("application/vnd.shop.v1+json" or "application/json; version=v1").
	Version string `yaml:"version"`

	Service string `yaml:"service"` // a key of Config.Services; required
	// StripPrefix removes the matched prefix before forwarding; Rewrite
	// replaces it with its value. At most one of the two.
	StripPrefix bool   `yaml:"strip_prefix"`
	Rewrite     string `yaml:"rewrite"`

	Timeout time.Duration `yaml:"timeout"` // whole exchange; default 30s; 504 when hit
	// AttemptTimeout bounds each upstream attempt until the answer's head
	// arrives (default: only Timeout). An instance that does not answer in
	// time counts as failed: the request is retried on another one when it
	// may be, else it gets 504. Set it below Timeout so a retry has time.
	AttemptTimeout time.Duration   `yaml:"attempt_timeout"`
	Retries        int             `yaml:"retries"`    // extra attempts on other instances, idempotent requests only
	RateLimit      RateLimitConfig `yaml:"rate_limit"` // zero: unlimited
	Auth           RouteAuth       `yaml:"auth"`
	CORS           *CORSConfig     `yaml:"cors"`     // nil: no CORS headers
	MaxBody        int64           `yaml:"max_body"` // bytes; default 10 MiB; 413 beyond
	// WebSocket lets WebSocket upgrades (GET, HTTP/1.1, Upgrade:
	// websocket, Connection: upgrade) through to the upstream, past the
	// route timeout once the upstream has switched protocols. Off (the
	// default), and for every other protocol (h2c included), the gateway
	// drops Upgrade and serves the request as a plain one.
	WebSocket bool `yaml:"websocket"`
}

// RateLimitConfig is a token bucket per client key.
type RateLimitConfig struct {
	RPS   float64 `yaml:"rps"`
	Burst int     `yaml:"burst"` // default: max(1, RPS)
	Key   string  `yaml:"key"`   // "ip" (default) or "subject" (the JWT sub)
}

// RouteAuth says what a route demands of its callers.
type RouteAuth struct {
	Mode   string   `yaml:"mode"`   // "none" (default) or "jwt"
	Scopes []string `yaml:"scopes"` // all required, from the "scope" or "scp" claim
}

// AuthConfig is the edge JWT verification shared by all jwt routes.
type AuthConfig struct {
	// Alg is HS256, RS256, ES256 or EdDSA (Ed25519; default HS256). Tokens
	// signed with any other algorithm, including "none", are rejected.
	Alg string `yaml:"alg"`
	// The verification key: JWKSURL (a JSON Web Key Set, fetched, cached
	// and refreshed; EdDSA takes its OKP Ed25519 keys), or SecretEnv, the
	// environment variable holding the HMAC secret or, for RS256, ES256
	// and EdDSA, the PEM public key ("PUBLIC KEY": RSA of 2048 bits or
	// more, EC P-256, Ed25519), or KeyFile, a file holding it. A key of
	// the wrong family for Alg, or a PEM key given to HS256, fails New and
	// Reload with an error naming auth.secret_env or auth.key_file.
	JWKSURL   string `yaml:"jwks_url"`
	SecretEnv string `yaml:"secret_env"`
	KeyFile   string `yaml:"key_file"`
	Issuer    string `yaml:"issuer"`   // required iss; needed by jwt routes
	Audience  string `yaml:"audience"` // required in aud; needed by jwt routes
	// ClaimsSecretEnv names the variable holding the key that signs the
	// forwarded claims header; empty forwards it unsigned.
	ClaimsSecretEnv string `yaml:"claims_secret_env"`
}

// CORSConfig answers preflights and sets CORS headers on a route.
type CORSConfig struct {
	Origins []string      `yaml:"origins"` // "*" allows any
	Methods []string      `yaml:"methods"` // default GET, HEAD, POST
	Headers []string      `yaml:"headers"`
	MaxAge  time.Duration `yaml:"max_age"`
}

// DocsConfig enables docs aggregation. Title, Version and Description are
// the merged document's info (default title "API", version "unversioned").
type DocsConfig struct {
	Path        string `yaml:"path"` // e.g. "/docs"; empty disables docs
	Title       string `yaml:"title"`
	Version     string `yaml:"version"`
	Description string `yaml:"description"`
}

// info is the merged document's info object.
func (c DocsConfig) info() map[string]any {
	info := map[string]any{"title": cmp.Or(c.Title, "API"), "version": cmp.Or(c.Version, "unversioned")}
	if c.Description != "" {
		info["description"] = c.Description
	}
	return info
}

// LoadConfig reads and validates the YAML file at path.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes and validates a YAML route table. Errors name the
// line and key at fault, e.g. "line 12: routes[1].timeout: must be positive".
// Unknown keys are errors.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty config")
		}
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, err
	}
	c.lines, c.raw = map[string]int{}, b
	indexLines(&root, "", c.lines)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// indexLines records the line of every mapping key and sequence item under
// n, keyed by its path ("routes[1].timeout").
func indexLines(n *yaml.Node, path string, out map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			indexLines(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			out[p] = k.Line
			indexLines(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			out[p] = c.Line
			indexLines(c, p, out)
		}
	}
}
