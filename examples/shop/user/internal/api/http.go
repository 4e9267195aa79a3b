package api

import (
	"net/http"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the user API on mux, each route in its operation's chain
// (given to the server, so that a request refused before the endpoint
// passes through it too), and the JSON Web Key Set jwks
// returns (the public half of the signing keys in use) at
// shopauth.JWKSPath. Named gives each route its operation name, the
// chain's (the OpenAPI operationId: register); Errors lists the kinds the
// business code returns beyond the transport's.
func Routes(mux *httpt.Mux, e Endpoints, jwks func() []byte) {
	tag := httpt.Tags("users")
	op := func(name string, more ...httpt.ServerOption) []httpt.ServerOption {
		return append([]httpt.ServerOption{httpt.Named(name), httpt.WithMiddleware(e.Chain(name)...), tag}, more...)
	}
	mux.Handle("POST /api/v1/users", httpt.NewServer(e.Register, op("register", httpt.Summary("Create an account"),
		httpt.WithStatus(201), httpt.Errors(errs.KindConflict))...))
	mux.Handle("POST /api/v1/auth/login", httpt.NewServer(e.Login, op("login", httpt.Summary("Exchange email and password for a token"),
		httpt.Errors(errs.KindUnauthenticated))...))
	mux.Handle("GET /api/v1/users/me", httpt.NewServer(e.Profile, op("profile", httpt.Summary("The caller's account"),
		httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT()), httpt.Errors(errs.KindNotFound))...))
	mux.HandleFunc("GET "+shopauth.JWKSPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(jwks())
	})
}
