package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gantrykit/gantry/errs"
)

// Defaults of the JWKS options.
const (
	DefaultJWKSRefresh     = time.Hour
	DefaultJWKSMinInterval = time.Minute
	DefaultJWKSTimeout     = 10 * time.Second
	maxJWKSBytes           = 1 << 20
)

// JWKS is a [Keys] source that fetches a JSON Web Key Set (RFC 7517) from a
// URL and caches it. The set is fetched on first use; refetched on the
// first use after the refresh interval (default 1h), keeping the old keys
// if that fails; and refetched when a token names a key id the set lacks
// (rotation), at most once per minimum interval (default 1 min), so that
// tokens with made-up key ids cannot make it hammer the issuer. Only RSA,
// EC (P-256, P-384, P-521) and Ed25519 signature keys are used; a key's
// "alg", when present, must match the token's. No goroutine is started.
// It is safe for concurrent use.
type JWKS struct {
	url         string
	client      *http.Client
	refresh     time.Duration
	minInterval time.Duration
	now         func() time.Time

	mu        sync.RWMutex
	keys      map[string]jwk // by kid
	fetchedAt time.Time      // last successful fetch
	triedAt   time.Time      // last attempt

	fetchMu sync.Mutex // one fetch at a time
}

// JWKSOption configures a JWKS.
type JWKSOption func(*JWKS)

// WithHTTPClient sets the client used to fetch the set (default: one with
// a 10s timeout).
func WithHTTPClient(c *http.Client) JWKSOption { return func(j *JWKS) { j.client = c } }

// WithRefresh sets the refresh interval and the minimum interval between
// fetches caused by unknown key ids.
func WithRefresh(every, minInterval time.Duration) JWKSOption {
	return func(j *JWKS) { j.refresh, j.minInterval = every, minInterval }
}

// NewJWKS returns a JWKS for url; nothing is fetched yet.
func NewJWKS(url string, opts ...JWKSOption) *JWKS {
	j := &JWKS{
		url: url, client: &http.Client{Timeout: DefaultJWKSTimeout},
		refresh: DefaultJWKSRefresh, minInterval: DefaultJWKSMinInterval, now: time.Now,
	}
	for _, o := range opts {
		o(j)
	}
	return j
}

// Key returns the key under kid, fetching the set as described on [JWKS].
// An unknown kid is an error; a set that could never be fetched is an
// Unavailable *errs.Error.
func (j *JWKS) Key(ctx context.Context, kid, alg string) (any, error) {
	now := j.now()
	j.mu.RLock()
	k, ok := j.keys[kid]
	fresh := !j.fetchedAt.IsZero() && now.Sub(j.fetchedAt) < j.refresh
	j.mu.RUnlock()
	if !ok || !fresh {
		var err error
		if k, ok, err = j.refetch(ctx, kid, now, !fresh); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	if k.alg != "" && k.alg != alg {
		return nil, fmt.Errorf("key %q is for %s, not %s", kid, k.alg, alg)
	}
	return k.key, nil
}

// refetch fetches the set if allowed and looks kid up again. stale says
// the cache is past its refresh interval (or empty).
func (j *JWKS) refetch(ctx context.Context, kid string, now time.Time, stale bool) (jwk, bool, error) {
	j.fetchMu.Lock()
	defer j.fetchMu.Unlock()
	j.mu.RLock()
	k, ok := j.keys[kid]
	fetchedAt, triedAt, haveKeys := j.fetchedAt, j.triedAt, j.keys != nil
	j.mu.RUnlock()
	// Someone else fetched while we waited, or it is too early to try again.
	stale = stale && (fetchedAt.IsZero() || now.Sub(fetchedAt) >= j.refresh)
	if ok && !stale {
		return k, true, nil
	}
	if !triedAt.IsZero() && now.Sub(triedAt) < j.minInterval {
		if !haveKeys {
			return jwk{}, false, errs.Unavailable(0, "signing keys unavailable")
		}
		return k, ok, nil
	}
	keys, err := j.fetch(ctx)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.triedAt = now
	if err != nil {
		if j.keys == nil {
			return jwk{}, false, errs.Wrap(errs.KindUnavailable, err, "signing keys unavailable")
		}
		k, ok = j.keys[kid] // keep serving the old set
		return k, ok, nil
	}
	j.keys, j.fetchedAt = keys, now
	k, ok = keys[kid]
	return k, ok, nil
}

// fetch downloads and parses the set.
func (j *JWKS) fetch(ctx context.Context) (map[string]jwk, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks %s: status %s", j.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKSBytes {
		return nil, errors.New("jwks: set larger than 1 MiB")
	}
	return parseJWKS(body)
}

// parseJWKS decodes a key set, skipping keys it cannot use.
func parseJWKS(body []byte) (map[string]jwk, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys := make(map[string]jwk, len(set.Keys))
	for _, raw := range set.Keys {
		k, err := parseJWK(raw)
		if err != nil {
			continue // an unusable key must not hide the usable ones
		}
		keys[k.kid] = k
	}
	return keys, nil
}
