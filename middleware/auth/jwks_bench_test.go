package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkJWKSKey is the per-token cost of finding a key in a loaded set
// of eight RSA keys.
func BenchmarkJWKSKey(b *testing.B) {
	iss := &issuer{}
	var set []map[string]any
	for i := range 8 {
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		set = append(set, rsaJWK("k"+strconv.Itoa(i), "RS256", &k.PublicKey))
	}
	iss.set(0, set...)
	srv := httptest.NewServer(iss)
	defer srv.Close()
	j := NewJWKS(srv.URL)
	ctx := context.Background()
	if _, err := j.Key(ctx, "k7", "RS256"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := j.Key(ctx, "k7", "RS256"); err != nil {
			b.Fatal(err)
		}
	}
}
