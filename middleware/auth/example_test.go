package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/auth"
)

func Example() {
	secret := []byte("an HMAC secret of at least 32 bytes!")
	a, err := auth.New(auth.StaticKeys{"k1": secret},
		auth.WithAlgorithms("HS256"), auth.WithIssuer("https://id.example"), auth.WithAudience("orders"))
	if err != nil {
		panic(err)
	}
	create := endpoint.Chain(a.For("create_order"), auth.RequireScope("orders:write"))(
		func(ctx context.Context, _ any) (any, error) {
			c, _ := auth.ClaimsFrom(ctx)
			return "created for " + c.Subject, nil
		})
	// The HTTP part only extracts the token; the endpoint validates it.
	h := auth.HTTPToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := create(r.Context(), nil)
		if err != nil {
			w.WriteHeader(errs.KindOf(err).HTTPStatus())
			return
		}
		fmt.Fprint(w, resp)
	}))

	token := func(scope string) string {
		t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"iss": "https://id.example", "aud": "orders", "sub": "alice", "scope": scope,
			"exp": time.Now().Add(time.Hour).Unix(),
		})
		t.Header["kid"] = "k1"
		s, _ := t.SignedString(secret)
		return s
	}
	for _, authz := range []string{"", "Bearer " + token("orders:read"), "Bearer " + token("orders:write")} {
		r := httptest.NewRequest("POST", "/orders", nil)
		r.Header.Set("Authorization", authz)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(strings.TrimSpace(fmt.Sprint(w.Code, " ", w.Body.String())))
	}
	// Output:
	// 401
	// 403
	// 200 created for alice
}
