package users

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"time"
)

// SigningKey is one token signing key as the KeyStore keeps it.
type SigningKey struct {
	ID      string // the "kid" of its tokens, derived from the public key
	Private *rsa.PrivateKey
	// Created is when it joined the key set: the JWKS publishes it from
	// then on. SignFrom is when it starts signing, later, so that every
	// verifier can have it before its first token. RetireAt, when not
	// zero, is when it leaves the JWKS: after the last token it signed
	// has expired.
	Created, SignFrom, RetireAt time.Time
}

// KeyStore keeps the signing keys that every replica of the service shares
// (the user database, or one fixed key). Implementations are safe for
// concurrent use.
type KeyStore interface {
	// SigningKeys returns every key kept.
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// AddSigningKey adds k, and sets retire as the RetireAt of every other
	// key that has none, unless a key created at or after since is kept
	// already (a zero since: any key), and reports whether it did. It
	// decides and writes in one step, so that replicas deciding at once
	// to add a key add one between them.
	AddSigningKey(ctx context.Context, k SigningKey, since, retire time.Time) (bool, error)
}

// Key timing. PublishAhead is how long a new key is in the JWKS before it
// signs: more than KeyRefresh (every replica has loaded it by then, so any
// replica's JWKS has it) plus the minute a verifier may wait before
// fetching the set again for an unknown kid (middleware/auth's
// DefaultJWKSMinInterval). RetireMargin keeps an old key in the JWKS a
// while after its last token expired, for clock differences.
const (
	KeyRefresh   = 30 * time.Second
	PublishAhead = 2 * time.Minute
	RetireMargin = 5 * time.Minute
)

// KeyRing signs tokens with the current key and publishes every key in
// use as a JSON Web Key Set. Replicas over one KeyStore agree: a key signs
// only once it has been published for PublishAhead, and an old one is
// published until the last token it signed has expired, so rotating
// invalidates no live token. It is safe for concurrent use.
type KeyRing struct {
	store       KeyStore
	tokenTTL    time.Duration
	rotateEvery time.Duration
	now         func() time.Time

	mu   sync.RWMutex
	keys []SigningKey // sorted by SignFrom
}

// NewKeyRing returns a ring over store for tokens valid for tokenTTL.
// rotateEvery, if positive, makes Load add a new key when the newest is
// that old. Load it before use.
func NewKeyRing(store KeyStore, tokenTTL, rotateEvery time.Duration) *KeyRing {
	return &KeyRing{store: store, tokenTTL: tokenTTL, rotateEvery: rotateEvery, now: time.Now}
}

// Load reads the keys from the store. With none it adds a first key that
// signs at once (seed, when not nil: a key the service used before), and
// when rotation is due it adds the next one.
func (r *KeyRing) Load(ctx context.Context, seed *rsa.PrivateKey) error {
	keys, err := r.store.SigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	now := r.now()
	if len(keys) == 0 {
		if _, err := r.add(ctx, seed, now, time.Time{}); err != nil {
			return err
		}
	} else if newest := slices.MaxFunc(keys, byCreated); r.rotateEvery > 0 && now.Sub(newest.Created) >= r.rotateEvery {
		// Unless another replica has just added one: a key younger than
		// rotateEvery (times are kept to the millisecond).
		if _, err := r.add(ctx, nil, now.Add(PublishAhead), now.Add(time.Millisecond-r.rotateEvery)); err != nil {
			return err
		}
	} else {
		r.set(keys)
		return nil
	}
	if keys, err = r.store.SigningKeys(ctx); err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	r.set(keys)
	return nil
}

// Rotate adds a new key now, published at once and signing after
// PublishAhead; the current key stops signing then and leaves the JWKS
// once its last token has expired.
func (r *KeyRing) Rotate(ctx context.Context) error {
	now := r.now()
	never := now.AddDate(100, 0, 0) // no key is created after it: always add
	if _, err := r.add(ctx, nil, now.Add(PublishAhead), never); err != nil {
		return err
	}
	return r.Load(ctx, nil)
}

// add stores a key (k, or a new one) signing from signFrom, unless some key
// was created at or after since.
func (r *KeyRing) add(ctx context.Context, k *rsa.PrivateKey, signFrom, since time.Time) (bool, error) {
	if k == nil {
		var err error
		if k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return false, err
		}
	}
	id, err := keyID(&k.PublicKey)
	if err != nil {
		return false, err
	}
	now := r.now()
	retire := signFrom.Add(r.tokenTTL + RetireMargin)
	return r.store.AddSigningKey(ctx, SigningKey{ID: id, Private: k, Created: now, SignFrom: signFrom}, since, retire)
}

func (r *KeyRing) set(keys []SigningKey) {
	slices.SortFunc(keys, func(a, b SigningKey) int { return a.SignFrom.Compare(b.SignFrom) })
	r.mu.Lock()
	r.keys = keys
	r.mu.Unlock()
}

func byCreated(a, b SigningKey) int { return a.Created.Compare(b.Created) }

// Run reloads the keys every KeyRefresh until ctx ends (a task of the
// App), rotating when due; a failed load keeps the keys it had.
func (r *KeyRing) Run(ctx context.Context) error {
	t := time.NewTicker(KeyRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			_ = r.Load(ctx, nil) // the next tick tries again
		}
	}
}

// ErrNoKey is returned by Signer before a key has been loaded.
var ErrNoKey = errors.New("users: no signing key loaded")

// Signer returns the key that signs now: the newest whose SignFrom has
// come.
func (r *KeyRing) Signer() (kid string, key *rsa.PrivateKey, err error) {
	now := r.now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	for i := len(r.keys) - 1; i >= 0; i-- {
		if k := r.keys[i]; !k.SignFrom.After(now) {
			return k.ID, k.Private, nil
		}
	}
	return "", nil, ErrNoKey
}

// published returns the keys in the JWKS now.
func (r *KeyRing) published() []SigningKey {
	now := r.now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []SigningKey
	for _, k := range r.keys {
		if !k.Created.After(now) && (k.RetireAt.IsZero() || now.Before(k.RetireAt)) {
			out = append(out, k)
		}
	}
	return out
}

// Key implements middleware/auth's Keys: the public key of a published
// key.
func (r *KeyRing) Key(_ context.Context, kid, _ string) (any, error) {
	for _, k := range r.published() {
		if k.ID == kid {
			return &k.Private.PublicKey, nil
		}
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

// JWKS returns the published public keys as a JSON Web Key Set.
func (r *KeyRing) JWKS() []byte {
	b64 := base64.RawURLEncoding.EncodeToString
	keys := []map[string]string{}
	for _, k := range r.published() {
		keys = append(keys, map[string]string{
			"kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.ID,
			"n": b64(k.Private.N.Bytes()), "e": b64(big.NewInt(int64(k.Private.E)).Bytes()),
		})
	}
	b, _ := json.Marshal(map[string]any{"keys": keys}) // maps of strings always marshal
	return b
}

// keyID derives a key's "kid" from its public key.
func keyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:12]), nil
}

// FixedKey is a KeyStore of one key that never changes: a key file
// mounted from a secret store. Rotation is the secret's: replace the file
// and restart the replicas (tokens signed by the old key are refused).
type FixedKey struct{ Key *rsa.PrivateKey }

// SigningKeys implements KeyStore.
func (f FixedKey) SigningKeys(context.Context) ([]SigningKey, error) {
	id, err := keyID(&f.Key.PublicKey)
	return []SigningKey{{ID: id, Private: f.Key}}, err
}

// AddSigningKey implements KeyStore: a fixed key is never joined by another.
func (FixedKey) AddSigningKey(context.Context, SigningKey, time.Time, time.Time) (bool, error) {
	return false, errors.New("users: the signing key is fixed (a key file): it does not rotate")
}
