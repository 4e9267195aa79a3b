// Package api adapts the user service to the outside world: typed
// endpoints wrapped in the middleware chain, and HTTP routes (and their
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

// Endpoints are the user service's operations.
type Endpoints struct {
	Register endpoint.Func[users.Registration, users.User]
	Login    endpoint.Func[users.Credentials, users.Token]
	Profile  endpoint.Func[users.ProfileRequest, users.User]
}

// NewEndpoints wraps each method of svc in the chain for its operation
// name (the App's Middleware method); Profile also needs a valid token, checked by verifier, and serves
// the caller named by it.
func NewEndpoints(svc *users.Service, chain func(op string) []kitendpoint.Middleware, verifier *auth.Authenticator) Endpoints {
	profile := func(ctx context.Context, _ users.ProfileRequest) (users.User, error) {
		sub, err := shopauth.Subject(ctx)
		if err != nil {
			return users.User{}, err
		}
		return svc.Profile(ctx, users.ProfileRequest{UserID: sub})
	}
	return Endpoints{
		Register: endpoint.Wrap(svc.Register, chain("register")...),
		Login:    endpoint.Wrap(svc.Login, chain("login")...),
		Profile:  endpoint.Wrap(profile, append(chain("profile"), verifier.For("profile"))...),
	}
}
