package auth

import (
	"context"
	"fmt"
)

// StaticKeys is a fixed key set: an HMAC secret ([]byte) or public keys
// (*rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey) by key id. The key
// under id "" verifies tokens that name no key id, and only those.
type StaticKeys map[string]any

// Key returns the key under kid.
func (s StaticKeys) Key(_ context.Context, kid, _ string) (any, error) {
	k, ok := s[kid]
	if !ok {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	return k, nil
}
