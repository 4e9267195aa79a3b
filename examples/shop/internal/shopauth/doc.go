// Package shopauth holds what the shop's services agree on about tokens: the
// issuer, the audience, the signing algorithm, the admin scope, and a
// verifier built on middleware/auth that fetches the user service's JWKS.
//
// The gateway verifies every token at the edge; the services verify it again
// (defence in depth: a service listening on a reachable port must not trust
// a caller because it claims to have come through the gateway).
package shopauth
