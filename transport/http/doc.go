// Package http is Gantry's HTTP transport: typed JSON handlers and clients
// over go-kit's transport/http, problem+json errors through the one error
// table (package errs), and an OpenAPI 3.1 document built from the routes.
//
// Import it under a short name, since it shares its name with net/http:
//
//	import httpt "github.com/gantrykit/gantry/transport/http"
package http
