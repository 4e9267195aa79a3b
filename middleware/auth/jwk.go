package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// jwk is one usable key of a set.
type jwk struct {
	kid, alg string
	key      any
}

// parseJWK decodes one public signature key (RFC 7517, 7518, 8037).
func parseJWK(raw []byte) (jwk, error) {
	var k struct {
		Kty, Kid, Use, Alg, Crv string
		N, E, X, Y              string
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return jwk{}, err
	}
	if k.Use != "" && k.Use != "sig" {
		return jwk{}, fmt.Errorf("key %q is for %q", k.Kid, k.Use)
	}
	out := jwk{kid: k.Kid, alg: k.Alg}
	b64 := base64.RawURLEncoding
	switch k.Kty {
	case "RSA":
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err := errors.Join(err1, err2); err != nil || len(n) < 256 || len(e) == 0 || len(e) > 4 {
			return jwk{}, fmt.Errorf("key %q: bad or short RSA key", k.Kid)
		}
		out.key = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return jwk{}, fmt.Errorf("key %q: curve %q", k.Kid, k.Crv)
		}
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		if err := errors.Join(err1, err2); err != nil {
			return jwk{}, err
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x) != size || len(y) != size {
			return jwk{}, fmt.Errorf("key %q: bad EC coordinates", k.Kid)
		}
		// Validate the point through crypto/ecdh-backed parsing.
		uncompressed := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, uncompressed)
		if err != nil {
			return jwk{}, fmt.Errorf("key %q: %w", k.Kid, err)
		}
		out.key = pub
	case "OKP":
		x, err := b64.DecodeString(k.X)
		if k.Crv != "Ed25519" || err != nil || len(x) != ed25519.PublicKeySize {
			return jwk{}, fmt.Errorf("key %q: bad OKP key", k.Kid)
		}
		out.key = ed25519.PublicKey(x)
	default:
		return jwk{}, fmt.Errorf("key %q: key type %q", k.Kid, k.Kty)
	}
	return out, nil
}
