package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/errs"
)

// Defaults of the options.
const (
	DefaultLeeway        = 30 * time.Second
	DefaultMaxTokenBytes = 8 << 10
)

// Keys finds the key that verifies a token signed with alg under key id
// kid ("" when the token names none). It returns an error for an unknown
// kid. Implementations must be safe for concurrent use.
type Keys interface {
	Key(ctx context.Context, kid, alg string) (any, error)
}

// Claims are the registered JWT claims plus the usual authorization ones.
type Claims struct {
	jwt.RegisteredClaims
	// Scope is the OAuth 2.0 space-separated scope list.
	Scope string `json:"scope,omitempty"`
	// Scp is the scope list as an array, as some issuers send it.
	Scp   []string `json:"scp,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

// HasScope reports whether the claims grant scope s.
func (c *Claims) HasScope(s string) bool {
	for f := range strings.FieldsSeq(c.Scope) {
		if f == s {
			return true
		}
	}
	for _, f := range c.Scp {
		if f == s {
			return true
		}
	}
	return false
}

// HasRole reports whether the claims carry role r.
func (c *Claims) HasRole(r string) bool {
	for _, f := range c.Roles {
		if f == r {
			return true
		}
	}
	return false
}

// Authenticator validates bearer tokens. It is safe for concurrent use.
type Authenticator struct {
	keys     Keys
	algs     []string
	issuer   string
	audience string
	leeway   time.Duration
	maxBytes int
	now      func() time.Time
	parser   *jwt.Parser
}

// Option configures an Authenticator.
type Option func(*Authenticator)

// WithAlgorithms sets the allowed signing algorithms, e.g. "RS256",
// "ES256", "EdDSA", "HS256". Required; "none" is refused.
func WithAlgorithms(algs ...string) Option { return func(a *Authenticator) { a.algs = algs } }

// WithIssuer sets the required iss claim. Required.
func WithIssuer(iss string) Option { return func(a *Authenticator) { a.issuer = iss } }

// WithAudience sets the audience that the aud claim must contain. Required.
func WithAudience(aud string) Option { return func(a *Authenticator) { a.audience = aud } }

// WithLeeway sets the clock skew allowed on exp, nbf and iat (default 30s).
func WithLeeway(d time.Duration) Option { return func(a *Authenticator) { a.leeway = max(d, 0) } }

// WithMaxTokenBytes sets the longest token accepted (default 8 KiB).
func WithMaxTokenBytes(n int) Option { return func(a *Authenticator) { a.maxBytes = max(n, 1) } }

// WithClock sets the time source, for tests.
func WithClock(now func() time.Time) Option { return func(a *Authenticator) { a.now = now } }

// New returns an Authenticator verifying tokens with keys. It fails when
// the algorithms, the issuer or the audience are missing, or an algorithm
// is unknown or "none".
func New(keys Keys, opts ...Option) (*Authenticator, error) {
	a := &Authenticator{keys: keys, leeway: DefaultLeeway, maxBytes: DefaultMaxTokenBytes, now: time.Now}
	for _, o := range opts {
		o(a)
	}
	switch {
	case keys == nil:
		return nil, errors.New("auth: no key source")
	case len(a.algs) == 0:
		return nil, errors.New("auth: no allowed algorithms (WithAlgorithms)")
	case a.issuer == "":
		return nil, errors.New("auth: no issuer (WithIssuer)")
	case a.audience == "":
		return nil, errors.New("auth: no audience (WithAudience)")
	}
	for _, alg := range a.algs {
		if alg == "none" || jwt.GetSigningMethod(alg) == nil {
			return nil, fmt.Errorf("auth: algorithm %q is not allowed", alg)
		}
	}
	a.parser = jwt.NewParser(
		jwt.WithValidMethods(a.algs),
		jwt.WithIssuer(a.issuer),
		jwt.WithAudience(a.audience),
		jwt.WithLeeway(a.leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return a.now() }),
	)
	return a, nil
}

// Validate parses and verifies token and returns its claims. Every error is
// a *errs.Error: Unauthenticated, or Unavailable when the keys cannot be
// fetched.
func (a *Authenticator) Validate(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, errs.Unauthenticated("missing bearer token")
	}
	if len(token) > a.maxBytes {
		return nil, errs.Wrap(errs.KindUnauthenticated, fmt.Errorf("token of %d bytes exceeds %d", len(token), a.maxBytes), "invalid token")
	}
	claims := &Claims{}
	_, err := a.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		alg := t.Method.Alg()
		key, err := a.keys.Key(ctx, kid, alg)
		if err != nil {
			return nil, err
		}
		if !keyFits(alg, key) {
			return nil, fmt.Errorf("key %q of type %T cannot verify %s", kid, key, alg)
		}
		return key, nil
	})
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Kind == errs.KindUnavailable {
			return nil, e
		}
		return nil, errs.Wrap(errs.KindUnauthenticated, err, "invalid token")
	}
	return claims, nil
}

// keyFits reports whether key's type belongs to alg's family, so that a key
// is never used with another family's algorithm.
func keyFits(alg string, key any) bool {
	switch {
	case strings.HasPrefix(alg, "HS"):
		_, ok := key.([]byte)
		return ok
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		_, ok := key.(*rsa.PublicKey)
		return ok
	case strings.HasPrefix(alg, "ES"):
		_, ok := key.(*ecdsa.PublicKey)
		return ok
	case alg == "EdDSA":
		_, ok := key.(ed25519.PublicKey)
		return ok
	}
	return false
}

// For returns middleware that validates the bearer token in the context
// (see [ContextWithToken]) before calling op, and gives the endpoint the
// claims ([ClaimsFrom]).
func (a *Authenticator) For(string) kitendpoint.Middleware {
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			claims, err := a.Validate(ctx, TokenFrom(ctx))
			if err != nil {
				return nil, err
			}
			return next(context.WithValue(ctx, claimsKey{}, claims), req)
		}
	}
}

type claimsKey struct{}

// ClaimsFrom returns the claims that [Authenticator.For] validated.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// RequireScope returns middleware that lets a call through only when the
// validated claims grant every scope: Unauthenticated without claims,
// PermissionDenied without a scope. Put it after [Authenticator.For].
func RequireScope(scopes ...string) kitendpoint.Middleware {
	return require(func(c *Claims) (string, bool) {
		for _, s := range scopes {
			if !c.HasScope(s) {
				return "missing scope " + s, false
			}
		}
		return "", true
	})
}

// RequireRole returns middleware that lets a call through only when the
// validated claims carry at least one of roles.
func RequireRole(roles ...string) kitendpoint.Middleware {
	return require(func(c *Claims) (string, bool) {
		for _, r := range roles {
			if c.HasRole(r) {
				return "", true
			}
		}
		return "missing role", false
	})
}

func require(check func(*Claims) (string, bool)) kitendpoint.Middleware {
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			c, ok := ClaimsFrom(ctx)
			if !ok {
				return nil, errs.Unauthenticated("missing bearer token")
			}
			if msg, ok := check(c); !ok {
				return nil, errs.PermissionDenied("%s", msg)
			}
			return next(ctx, req)
		}
	}
}
