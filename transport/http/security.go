package http

// SecurityScheme is an OpenAPI security scheme: how a client presents
// credentials. Name is its key under components.securitySchemes, the rest
// are the Security Scheme Object's fields.
type SecurityScheme struct {
	Name         string `json:"-"`
	Type         string `json:"type"`             // "http", "apiKey", "oauth2", "openIdConnect", "mutualTLS"
	Scheme       string `json:"scheme,omitempty"` // for "http": "bearer", "basic"
	BearerFormat string `json:"bearerFormat,omitempty"`
	Description  string `json:"description,omitempty"`
}

// BearerJWT is the scheme of a JSON Web Token in an "Authorization:
// Bearer" header (RFC 6750), named bearerAuth, as middleware/auth reads
// it.
func BearerJWT() SecurityScheme {
	return SecurityScheme{Name: "bearerAuth", Type: "http", Scheme: "bearer", BearerFormat: "JWT",
		Description: "a JWT in the Authorization header: Authorization: Bearer <token>"}
}

// Requirement is one security requirement of an operation: the scheme and
// the scopes the token must grant.
type Requirement struct {
	Scheme SecurityScheme
	Scopes []string
}

// Secured documents that the operation requires credentials of scheme
// granting scopes: the scheme is listed under components.securitySchemes,
// the operation's security names it, and its answers include 401 (and 403
// when scopes are given). It documents; it does not check: the check is
// the endpoint chain's (middleware/auth's Authenticator.For and
// RequireScope), the extraction a ServerBefore (auth.TokenFromHTTP).
// Several Secured options are alternatives, as in OpenAPI.
func Secured(scheme SecurityScheme, scopes ...string) ServerOption {
	return func(c *serverConfig) {
		c.op.Security = append(c.op.Security, Requirement{Scheme: scheme, Scopes: append([]string{}, scopes...)})
	}
}
