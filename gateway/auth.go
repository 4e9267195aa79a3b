package gateway

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/kit/errs"
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
	scopes []string
	header string // ClaimsHeader value
	exp    time.Time
}

// verifier checks bearer tokens at the edge. Verified tokens are cached by
// their exact text until they expire, so a client reusing its token pays for
// the signature check once.
type verifier struct {
	parser    *jwt.Parser
	key       any
	claimsKey []byte

	mu    sync.RWMutex
	cache map[string]*principal
}

const verifiedCacheSize = 4096

func newVerifier(c AuthConfig, getenv func(string) string) (*verifier, error) {
	alg := c.Alg
	if alg == "" {
		alg = "HS256"
	}
	var raw []byte
	switch {
	case c.SecretEnv != "":
		raw = []byte(getenv(c.SecretEnv))
		if len(raw) == 0 {
			return nil, &ConfigError{Key: "auth.secret_env", Msg: fmt.Sprintf("environment variable %s is empty", c.SecretEnv)}
		}
	case c.KeyFile != "":
		b, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return nil, &ConfigError{Key: "auth.key_file", Msg: err.Error()}
		}
		raw = b
	default:
		return nil, nil // no jwt route may exist: Validate checked
	}
	var key any = raw
	var err error
	switch alg {
	case "RS256":
		key, err = jwt.ParseRSAPublicKeyFromPEM(raw)
	case "ES256":
		key, err = jwt.ParseECPublicKeyFromPEM(raw)
	}
	if err != nil {
		return nil, &ConfigError{Key: "auth", Msg: "bad public key: " + err.Error()}
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{alg}), jwt.WithExpirationRequired(), jwt.WithLeeway(5 * time.Second)}
	if c.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(c.Issuer))
	}
	if c.Audience != "" {
		opts = append(opts, jwt.WithAudience(c.Audience))
	}
	v := &verifier{parser: jwt.NewParser(opts...), key: key, cache: map[string]*principal{}}
	if c.ClaimsSecretEnv != "" {
		v.claimsKey = []byte(getenv(c.ClaimsSecretEnv))
		if len(v.claimsKey) == 0 {
			return nil, &ConfigError{Key: "auth.claims_secret_env", Msg: fmt.Sprintf("environment variable %s is empty", c.ClaimsSecretEnv)}
		}
	}
	return v, nil
}

// verify checks the Authorization header value and returns the caller, or
// an Unauthenticated error.
func (v *verifier) verify(authz string, now time.Time) (*principal, error) {
	tok, ok := strings.CutPrefix(authz, "Bearer ")
	if !ok || tok == "" {
		return nil, errs.Unauthenticated("bearer token required")
	}
	v.mu.RLock()
	p := v.cache[tok]
	v.mu.RUnlock()
	if p != nil {
		if now.Before(p.exp) {
			return p, nil
		}
		return nil, errs.Unauthenticated("token expired")
	}
	claims := jwt.MapClaims{}
	if _, err := v.parser.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return v.key, nil }); err != nil {
		msg := "invalid token"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "token expired"
		}
		return nil, errs.Wrap(errs.KindUnauthenticated, err, "%s", msg)
	}
	exp, _ := claims.GetExpirationTime()
	sub, _ := claims.GetSubject()
	p = &principal{sub: sub, scopes: scopesOf(claims), exp: exp.Time, header: v.sign(tok[strings.IndexByte(tok, '.')+1 : strings.LastIndexByte(tok, '.')])}
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

// scopesOf reads "scope" (space-separated, RFC 8693) or "scp" (a list).
func scopesOf(c jwt.MapClaims) []string {
	switch s := c["scope"].(type) {
	case string:
		return strings.Fields(s)
	}
	if list, ok := c["scp"].([]any); ok {
		out := make([]string, 0, len(list))
		for _, x := range list {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// authorize checks that p holds every scope in need.
func authorize(p *principal, need []string) error {
	for _, s := range need {
		if !contains(p.scopes, s) {
			return errs.PermissionDenied("scope %q required", s)
		}
	}
	return nil
}
