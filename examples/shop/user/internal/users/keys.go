package users

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
)

// Signer is the user service's token signing key (RSA, RS256: the
// algorithm the gateway verifies) and its public JSON Web Key Set.
type Signer struct {
	key  *rsa.PrivateKey
	kid  string
	jwks []byte
}

// LoadOrCreateSigner reads the PEM (PKCS#8) private key at path, or creates
// and saves a new 2048-bit key there (mode 0600) when the file does not
// exist, so that tokens stay valid across restarts.
func LoadOrCreateSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
		return NewSigner(k)
	case err != nil:
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: want an RSA key, got %T", path, k)
	}
	return NewSigner(rk)
}

// NewSigner wraps k; the key ID is derived from the public key.
func NewSigner(k *rsa.PrivateKey) (*Signer, error) {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	s := &Signer{key: k, kid: base64.RawURLEncoding.EncodeToString(sum[:12])}
	b64 := base64.RawURLEncoding.EncodeToString
	s.jwks, err = json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": s.kid,
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
	}}})
	return s, err
}

// JWKS returns the public key set as JSON (the caller must not modify it).
func (s *Signer) JWKS() []byte { return s.jwks }

// KeyID returns the "kid" stamped on every token.
func (s *Signer) KeyID() string { return s.kid }

// Public returns the verification key.
func (s *Signer) Public() crypto.PublicKey { return &s.key.PublicKey }
