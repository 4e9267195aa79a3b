package api

import (
	"net/http"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the user API's operations (ops.go) on mux, each in its
// chain (given to the server, so that a request refused before the
// endpoint passes through it too), and the JSON Web Key Set jwks returns
// (the public half of the signing keys in use) at shopauth.JWKSPath.
// Errors lists the kinds the business code returns beyond the
// transport's.
func Routes(mux *httpt.Mux, e Endpoints, jwks func() []byte) {
	tag := httpt.Tags("users")
	doc := func(op, summary string, more ...httpt.ServerOption) []httpt.ServerOption {
		return append([]httpt.ServerOption{httpt.WithMiddleware(e.Chain(op)...), httpt.Summary(summary), tag}, more...)
	}
	Register.Handle(mux, e.Register, doc(Register.Name, "Create an account", httpt.Errors(errs.KindConflict))...)
	Login.Handle(mux, e.Login, doc(Login.Name, "Exchange email and password for a token", httpt.Errors(errs.KindUnauthenticated))...)
	Profile.Handle(mux, e.Profile, doc(Profile.Name, "The caller's account",
		httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT()), httpt.Errors(errs.KindNotFound))...)
	mux.HandleFunc("GET "+shopauth.JWKSPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(jwks())
	})
}
