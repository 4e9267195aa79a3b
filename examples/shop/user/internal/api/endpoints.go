// Package api adapts the user service to the outside world: typed
// endpoints and their middleware chains, and HTTP routes (and their
// OpenAPI document) with the public key set. Business rules live in
// package users.
package api

import (
	"context"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/user/internal/users"
	"github.com/gantrykit/gantry/middleware/auth"
)

// Endpoints are the user service's operations, each served over HTTP in
// its operation's Chain, which the routes give to their servers
// (httpt.WithMiddleware) so that a request refused before the endpoint
// (400 on a malformed body, 413) is counted in rpc_server_* and logged too.
type Endpoints struct {
	Register endpoint.Func[users.Registration, users.User]
	Login    endpoint.Func[users.Credentials, users.Token]
	Profile  endpoint.Func[users.ProfileRequest, users.User]
	// Chain is an operation's middleware, outermost first.
	Chain func(op string) []kitendpoint.Middleware
}

// NewEndpoints gives svc's methods and their chains: the App's chain for
// the operation name (the App's Middleware method); profile also needs a
// valid token, checked by verifier, and serves the caller named by it.
func NewEndpoints(svc *users.Service, chain func(op string) []kitendpoint.Middleware, verifier *auth.Authenticator) Endpoints {
	profile := func(ctx context.Context, _ users.ProfileRequest) (users.User, error) {
		sub, err := shopauth.Subject(ctx)
		if err != nil {
			return users.User{}, err
		}
		return svc.Profile(ctx, users.ProfileRequest{UserID: sub})
	}
	return Endpoints{
		Register: svc.Register,
		Login:    svc.Login,
		Profile:  profile,
		Chain: func(op string) []kitendpoint.Middleware {
			if op == "profile" {
				return append(chain(op), verifier.For(op))
			}
			return chain(op)
		},
	}
}
