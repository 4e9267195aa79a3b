package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/errs"
)

// Defaults of the JWKS options.
const (
	DefaultJWKSRefresh     = time.Hour
	DefaultJWKSMinInterval = time.Minute
	DefaultJWKSTimeout     = 10 * time.Second
	maxJWKSBytes           = 1 << 20
	minRSABits             = 2048
)

// JWKS is a [Keys] source that fetches a JSON Web Key Set (RFC 7517) from a
// URL and caches it. The set is fetched on first use; refetched on the
// first use after the refresh interval (default 1h), keeping the old keys
// if that fails; and refetched when a token names a key id the set lacks
// (rotation), at most once per minimum interval (default 1 min), so that
// tokens with made-up key ids cannot make it hammer the issuer: between
// fetches such a token fails at once, it never waits. Only signature keys
// are used (use "sig" or none): RSA of at least 2048 bits, EC (P-256,
// P-384, P-521, the point checked to be on its curve) and Ed25519; a key's
// "alg", when present, must match the token's; symmetric keys are never
// taken from a set. A set over 1 MiB is refused, and a key that cannot be
// used is skipped without hiding the others. No goroutine is started. It
// is safe for concurrent use.
//
// The keys are parsed and validated by github.com/MicahParks/jwkset and
// looked up by github.com/MicahParks/keyfunc/v3 (key id, alg and use
// checks). The fetch schedule, the size bound and the per-key tolerance
// are this type's own, because keyfunc's HTTP storage lacks them: it
// refetches in a goroutine started at construction (after a blocking
// first fetch), makes a token with an unknown key id wait on its refresh
// rate limiter instead of failing (a flood of made-up key ids would park
// requests for up to the limiter's wait, and a short wait also cuts the
// refresh's own deadline), reads the set without a size bound, and
// refuses a whole set for one key it cannot parse.
type JWKS struct {
	url         string
	client      *http.Client
	refresh     time.Duration
	minInterval time.Duration
	now         func() time.Time
	store       jwkset.Storage // the usable keys, replaced whole by each fetch
	kf          keyfunc.Keyfunc

	mu        sync.RWMutex
	loaded    bool      // a fetch has succeeded
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last attempt

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
		store: jwkset.NewMemoryStorage(),
	}
	for _, o := range opts {
		o(j)
	}
	// keyfunc.New fails only without a storage.
	j.kf, _ = keyfunc.New(keyfunc.Options{Storage: j.store, UseWhitelist: []jwkset.USE{jwkset.UseSig, ""}})
	return j
}

// Key returns the key under kid, fetching the set as described on [JWKS].
// An unknown kid is an error; a set that could never be fetched is an
// Unavailable *errs.Error.
func (j *JWKS) Key(ctx context.Context, kid, alg string) (any, error) {
	now := j.now()
	j.mu.RLock()
	fresh := j.loaded && now.Sub(j.fetchedAt) < j.refresh
	j.mu.RUnlock()
	key, err := j.lookup(ctx, kid, alg)
	if fresh && !errors.Is(err, jwkset.ErrKeyNotFound) {
		return key, err
	}
	if err := j.refetch(ctx, kid, now, !fresh); err != nil {
		return nil, err
	}
	return j.lookup(ctx, kid, alg)
}

// lookup finds kid in the cached set through keyfunc, which checks the
// key's alg against the token's and its use.
func (j *JWKS) lookup(ctx context.Context, kid, alg string) (any, error) {
	return j.kf.KeyfuncCtx(ctx)(&jwt.Token{Header: map[string]any{"alg": alg, jwkset.HeaderKID: kid}})
}

// refetch fetches the set if allowed. stale says the cache is past its
// refresh interval (or empty). It fails only while no set was ever
// fetched; otherwise the cached set stands.
func (j *JWKS) refetch(ctx context.Context, kid string, now time.Time, stale bool) error {
	j.fetchMu.Lock()
	defer j.fetchMu.Unlock()
	j.mu.RLock()
	fetchedAt, triedAt, loaded := j.fetchedAt, j.triedAt, j.loaded
	j.mu.RUnlock()
	// Someone else fetched while we waited, or it is too early to try again.
	stale = stale && (!loaded || now.Sub(fetchedAt) >= j.refresh)
	if !stale {
		if _, err := j.store.KeyRead(ctx, kid); err == nil {
			return nil
		}
	}
	if !triedAt.IsZero() && now.Sub(triedAt) < j.minInterval {
		if !loaded {
			return errs.Unavailable(0, "signing keys unavailable")
		}
		return nil
	}
	err := j.fetch(ctx)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.triedAt = now
	switch {
	case err == nil:
		j.loaded, j.fetchedAt = true, now
	case !j.loaded:
		return errs.Wrap(errs.KindUnavailable, err, "signing keys unavailable")
	}
	return nil // a failed refresh keeps serving the old set
}

// fetch downloads the set and replaces the cached keys with its usable
// ones.
func (j *JWKS) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jwks %s: status %s", j.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxJWKSBytes {
		return errors.New("jwks: set larger than 1 MiB")
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return err
	}
	return j.store.KeyReplaceAll(ctx, keys)
}

// parseJWKS decodes a key set with jwkset, keeping the public signature
// keys it can use: one it cannot parse, a symmetric one (jwkset refuses
// "oct" without its Private option), an RSA key under 2048 bits or a key
// that does not sign (X25519) is skipped, never hiding the others.
func parseJWKS(body []byte) ([]jwkset.JWK, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys := make([]jwkset.JWK, 0, len(set.Keys))
	for _, raw := range set.Keys {
		var m jwkset.JWKMarshal
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		k, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			continue
		}
		switch key := k.Key().(type) {
		case *rsa.PublicKey:
			if key.N.BitLen() < minRSABits {
				continue
			}
		case *ecdsa.PublicKey, ed25519.PublicKey:
		default: // X25519 and the rest: not signature keys
			continue
		}
		keys = append(keys, k)
	}
	return keys, nil
}
