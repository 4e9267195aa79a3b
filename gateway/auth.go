package gateway

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/auth"
)

// ClaimsHeader carries the verified JWT claims to upstreams: the token's
// payload segment (base64url JSON) and, when a claims secret is set, a dot
// and base64url(HMAC-SHA256(secret, payload)). The gateway deletes any copy
// a client sends, on every route, before anything else, so an upstream
// reachable only through the gateway can trust it; an upstream that is also
// reachable some other way must check the HMAC (see VerifyClaims).
const ClaimsHeader = "X-Gantry-Claims"

const claimsHeader = ClaimsHeader // canonical form, for direct map access

// principal is a verified caller.
type principal struct {
	sub    string
	claims *auth.Claims
	header string    // ClaimsHeader value
	until  time.Time // cache entry valid until
}

// verifier checks bearer tokens at the edge with middleware/auth (explicit
// algorithms, alg "none" refused, exp, iss and aud required, JWKS or static
// keys). Verified tokens are cached by their exact text for at most
// verifiedCacheTTL and never past their expiry, so a client reusing its
// token pays for the signature check about once a minute.
type verifier struct {
	authn     *auth.Authenticator
	claimsKey []byte

	mu    sync.RWMutex
	cache map[string]*principal
}

const (
	verifiedCacheSize = 4096
	verifiedCacheTTL  = time.Minute
)

func newVerifier(c AuthConfig, getenv func(string) string, jwks *http.Client) (*verifier, error) {
	alg := c.Alg
	if alg == "" {
		alg = "HS256"
	}
	var keys auth.Keys
	var raw []byte
	var src string // the config key holding raw
	switch {
	case c.JWKSURL != "":
		var opts []auth.JWKSOption
		if jwks != nil {
			opts = append(opts, auth.WithHTTPClient(jwks))
		}
		keys = auth.NewJWKS(c.JWKSURL, opts...)
	case c.SecretEnv != "":
		src, raw = "auth.secret_env", []byte(getenv(c.SecretEnv))
		if len(raw) == 0 {
			return nil, &ConfigError{Key: src, Msg: fmt.Sprintf("environment variable %s is empty", c.SecretEnv)}
		}
	case c.KeyFile != "":
		b, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return nil, &ConfigError{Key: "auth.key_file", Msg: err.Error()}
		}
		src, raw = "auth.key_file", b
	default:
		return nil, nil // no jwt route may exist: Validate checked
	}
	if keys == nil {
		key, err := staticKey(alg, raw)
		if err != nil {
			return nil, &ConfigError{Key: src, Msg: err.Error()}
		}
		keys = auth.StaticKeys{"": key}
	}
	authn, err := auth.New(keys, auth.WithAlgorithms(alg), auth.WithIssuer(c.Issuer), auth.WithAudience(c.Audience), auth.WithLeeway(5*time.Second))
	if err != nil {
		return nil, &ConfigError{Key: "auth", Msg: err.Error()}
	}
	v := &verifier{authn: authn, cache: map[string]*principal{}}
	if c.ClaimsSecretEnv != "" {
		v.claimsKey = []byte(getenv(c.ClaimsSecretEnv))
		if len(v.claimsKey) == 0 {
			return nil, &ConfigError{Key: "auth.claims_secret_env", Msg: fmt.Sprintf("environment variable %s is empty", c.ClaimsSecretEnv)}
		}
	}
	return v, nil
}

// staticKey turns the configured key material into the verification key
// for alg: the shared secret for HS256; for RS256, ES256 and EdDSA a PEM
// public key ("PUBLIC KEY", "RSA PUBLIC KEY" or a "CERTIFICATE") of the
// algorithm's family: RSA of at least 2048 bits, EC P-256, Ed25519. A key of
// another family is an error here rather than a 401 on every request, and a
// PEM key is never used as an HMAC secret (the algorithm-confusion attack
// signs HS256 tokens with a public key).
func staticKey(alg string, raw []byte) (any, error) {
	block, _ := pem.Decode(raw)
	if alg == "HS256" {
		if block != nil {
			return nil, fmt.Errorf("holds a PEM %q block, but auth.alg HS256 needs a shared secret: set auth.alg to RS256, ES256 or EdDSA for a public key", block.Type)
		}
		return raw, nil
	}
	if block == nil {
		return nil, fmt.Errorf("auth.alg %s needs a PEM public key, found no PEM block", alg)
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("holds a PEM %q block; auth.alg %s needs the issuer's public key (PEM \"PUBLIC KEY\")", block.Type, alg)
	}
	if err != nil {
		return nil, fmt.Errorf("bad PEM %q block: %v", block.Type, err)
	}
	var fits bool
	switch k := key.(type) {
	case *rsa.PublicKey:
		if fits = alg == "RS256"; fits && k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA key of %d bits is too short for RS256, want at least 2048", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		fits = alg == "ES256" && k.Curve == elliptic.P256()
	case ed25519.PublicKey:
		fits = alg == "EdDSA"
	}
	if !fits {
		return nil, fmt.Errorf("holds %s, which cannot verify auth.alg %s (%s)", keyKind(key), alg, wantKey(alg))
	}
	return key, nil
}

// wantKey names the key an asymmetric algorithm takes.
func wantKey(alg string) string {
	switch alg {
	case "RS256":
		return "wants an RSA key"
	case "ES256":
		return "wants an EC P-256 key"
	}
	return "wants an Ed25519 key"
}

// keyKind describes a parsed public key for error messages.
func keyKind(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return "an RSA key"
	case *ecdsa.PublicKey:
		return "an EC " + k.Curve.Params().Name + " key"
	case ed25519.PublicKey:
		return "an Ed25519 key"
	}
	return fmt.Sprintf("a %T key", key)
}

// verify checks the Authorization header value and returns the caller, or
// an Unauthenticated (or, when a JWKS cannot be fetched, Unavailable) error.
func (v *verifier) verify(ctx context.Context, authz string, now time.Time) (*principal, error) {
	tok := auth.BearerToken(authz)
	if tok == "" {
		return nil, errs.Unauthenticated("bearer token required")
	}
	v.mu.RLock()
	p := v.cache[tok]
	v.mu.RUnlock()
	if p != nil && now.Before(p.until) {
		return p, nil
	}
	claims, err := v.authn.Validate(ctx, tok)
	if err != nil {
		return nil, err
	}
	until := now.Add(verifiedCacheTTL)
	if claims.ExpiresAt != nil && claims.ExpiresAt.Before(until) {
		until = claims.ExpiresAt.Time
	}
	p = &principal{sub: claims.Subject, claims: claims, until: until,
		header: v.sign(tok[strings.IndexByte(tok, '.')+1 : strings.LastIndexByte(tok, '.')])}
	v.mu.Lock()
	if len(v.cache) >= verifiedCacheSize {
		clear(v.cache)
	}
	v.cache[tok] = p
	v.mu.Unlock()
	return p, nil
}

func (v *verifier) sign(payload string) string {
	if len(v.claimsKey) == 0 {
		return payload
	}
	return payload + "." + claimsMAC(v.claimsKey, payload)
}

func claimsMAC(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyClaims checks a ClaimsHeader value signed with secret and returns
// the claims JSON. Upstreams use it when they cannot rule out callers that
// bypass the gateway.
func VerifyClaims(header string, secret []byte) ([]byte, error) {
	payload, mac, ok := strings.Cut(header, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(claimsMAC(secret, payload))) {
		return nil, errs.Unauthenticated("claims header signature invalid")
	}
	return base64.RawURLEncoding.DecodeString(payload)
}

// authorize checks that p holds every scope in need.
func authorize(p *principal, need []string) error {
	for _, sc := range need {
		if !p.claims.HasScope(sc) {
			return errs.PermissionDenied("scope %q required", sc)
		}
	}
	return nil
}
