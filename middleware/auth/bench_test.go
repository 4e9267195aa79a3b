package auth_test

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/middleware/auth"
)

func BenchmarkAuth(b *testing.B) {
	t := &testing.T{}
	next := func(context.Context, any) (any, error) { return nil, nil }
	a, err := auth.New(keys.statics, auth.WithAlgorithms("RS256", "ES256", "EdDSA", "HS256"),
		auth.WithIssuer(issuer), auth.WithAudience(audience))
	if err != nil {
		b.Fatal(err)
	}
	e := a.For("op")(next)
	cases := []struct {
		name  string
		e     func(context.Context, any) (any, error)
		token string
	}{
		{"bare", next, ""},
		{"HS256", e, sign(t, jwt.SigningMethodHS256, "hs", keys.hmac, claims(nil))},
		{"ES256", e, sign(t, jwt.SigningMethodES256, "ec", keys.ec, claims(nil))},
		{"EdDSA", e, sign(t, jwt.SigningMethodEdDSA, "ed", keys.ed, claims(nil))},
		{"RS256", e, sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(nil))},
		{"reject_oversized", e, string(make([]byte, 1<<20))},
	}
	for _, c := range cases {
		ctx := auth.ContextWithToken(context.Background(), c.token)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.e(ctx, nil)
			}
		})
	}
}
