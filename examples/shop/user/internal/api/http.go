package api

import (
	"net/http"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the user API on mux, and the JSON Web Key Set jwks
// returns (the public half of the signing keys in use) at
// shopauth.JWKSPath. Named gives each route its operation name, the
// chain's (the OpenAPI operationId: register); Errors lists the kinds the
// business code returns beyond the transport's.
func Routes(mux *httpt.Mux, e Endpoints, jwks func() []byte) {
	tag := httpt.Tags("users")
	mux.Handle("POST /api/v1/users", httpt.NewServer(e.Register, httpt.Named("register"), httpt.Summary("Create an account"),
		httpt.WithStatus(201), httpt.Errors(errs.KindConflict), tag))
	mux.Handle("POST /api/v1/auth/login", httpt.NewServer(e.Login, httpt.Named("login"), httpt.Summary("Exchange email and password for a token"),
		httpt.Errors(errs.KindUnauthenticated), tag))
	mux.Handle("GET /api/v1/users/me", httpt.NewServer(e.Profile, httpt.Named("profile"), httpt.Summary("The caller's account"),
		httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT()), httpt.Errors(errs.KindNotFound), tag))
	mux.HandleFunc("GET "+shopauth.JWKSPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(jwks())
	})
}
