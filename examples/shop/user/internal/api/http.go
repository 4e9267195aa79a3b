package api

import (
	"net/http"

	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the user API on mux, and the JSON Web Key Set jwks
// returns (the public half of the signing keys in use) at
// shopauth.JWKSPath.
func Routes(mux *httpt.Mux, e Endpoints, jwks func() []byte) {
	mux.Handle("POST /api/v1/users", httpt.NewServer(e.Register, httpt.WithStatus(201), httpt.Summary("Create an account")))
	mux.Handle("POST /api/v1/auth/login", httpt.NewServer(e.Login, httpt.Summary("Exchange email and password for a token")))
	mux.Handle("GET /api/v1/users/me", httpt.NewServer(e.Profile,
		httpt.ServerBefore(auth.TokenFromHTTP), httpt.Summary("The caller's account")))
	mux.HandleFunc("GET "+shopauth.JWKSPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(jwks())
	})
}
