// Package auth authenticates calls with JWT bearer tokens
// (github.com/golang-jwt/jwt/v5) and checks scopes and roles.
//
// The work is split where it belongs: the HTTP part ([HTTPToken] or
// [TokenFromHTTP]) only takes the token out of the Authorization header and
// puts it into the context; the endpoint part ([Authenticator.For])
// validates it, so the same validation serves HTTP, gRPC and NATS
// transports, and puts the [Claims] into the context ([ClaimsFrom]).
//
// Validation is strict by construction: the allowed algorithms are explicit
// (alg "none" can never be allowed, and a key is only used with the
// algorithm family of its type, so an HS256 token "signed" with an RSA
// public key is rejected); exp, iss and aud are required and checked with a
// small leeway for clock skew; tokens longer than 8 KiB are rejected before
// any parsing. Keys come from a [Keys] source: [StaticKeys] for HMAC
// secrets or public keys you hold, or a [JWKS] that fetches a JSON Web Key
// Set over HTTP, caches it, refreshes it periodically (rotation) and on an
// unknown key id, at most once per minimum interval. Keys are parsed and
// validated by github.com/MicahParks/jwkset and looked up by
// github.com/MicahParks/keyfunc/v3; [JWKS] says which guarantees it keeps
// by hand because keyfunc's own HTTP refresher lacks them.
//
// What the caller sees when it trips: a *errs.Error of kind
// Unauthenticated (HTTP 401) for a missing, malformed, expired, not yet
// valid, wrongly signed or wrongly addressed token; PermissionDenied (403)
// from [RequireScope] or [RequireRole] for a valid token without the
// scope or role; Unavailable (503) when the key set cannot be fetched. The
// message never says which check failed; the cause (logged, not sent) does.
// Served by transport/http, a 401 carries the RFC 6750 challenge
// WWW-Authenticate: Bearer (with error="invalid_token" when the request
// presented a bearer token), and a 403 to a bearer token
// error="insufficient_scope".
package auth
