package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/gantrykit/gantry/errs"
)

// FuzzParseJWKS: any bytes from a key-set URL give keys or an error, never
// a panic, and every key returned is usable.
func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"b","x":"","y":""}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"c","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := parseJWKS(body)
		if err != nil {
			return
		}
		for _, k := range keys {
			switch key := k.Key().(type) {
			case *rsa.PublicKey:
				if key.N.BitLen() < 2048 {
					t.Errorf("got a %d-bit RSA key", key.N.BitLen())
				}
			case *ecdsa.PublicKey, ed25519.PublicKey:
			default:
				t.Errorf("got key %T, want a public signature key", key)
			}
		}
	})
}

// FuzzValidate: any token is rejected with an Unauthenticated *errs.Error
// (there is no key that could verify a fuzzed signature), never a panic.
func FuzzValidate(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhIn0.sig")
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.")
	f.Add("a.b.c")
	f.Add("")
	a, err := New(StaticKeys{"": []byte("0123456789abcdef0123456789abcdef")},
		WithAlgorithms("HS256", "RS256", "ES256", "EdDSA"), WithIssuer("i"), WithAudience("a"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		_, err := a.Validate(context.Background(), token)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.KindUnauthenticated {
			t.Errorf("got %v, want an Unauthenticated *errs.Error", err)
		}
	})
}
