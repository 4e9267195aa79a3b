package api

import (
	"github.com/gantrykit/gantry/examples/shop/user/internal/users"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// The user service's HTTP operations, each defined once: method, path,
// request and response types, operation name (the chain's, and the
// OpenAPI operationId: register) and success status. Routes serves them,
// the OpenAPI document lists them, and the gateway's route table is
// checked against that document.
var (
	Register = httpt.Op[users.Registration, users.User]{Method: "POST", Pattern: "/api/v1/users", Name: "register", Status: 201}
	Login    = httpt.Op[users.Credentials, users.Token]{Method: "POST", Pattern: "/api/v1/auth/login", Name: "login"}
	Profile  = httpt.Op[users.ProfileRequest, users.User]{Method: "GET", Pattern: "/api/v1/users/me", Name: "profile"}
)
