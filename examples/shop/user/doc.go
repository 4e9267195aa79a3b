// Package user is the shop's user service: accounts (bcrypt password
// hashes in its own SQLite database), login that issues RS256 JWTs, the
// public key set at /.well-known/jwks.json for the gateway and the other
// services to verify them, and the caller's profile.
//
// Service is the business logic and knows nothing of transports; New
// assembles it on a kit.App with typed HTTP endpoints wrapped in the App's
// default middleware chain. What a client sees: 201 for a new account, 409
// for an email already taken, 200 {token, expires_at} for a good login and
// 401 for a bad one (unknown email and wrong password alike, after the same
// bcrypt work).
//
// At start, when SHOP_ADMIN_EMAIL and SHOP_ADMIN_PASSWORD are both set,
// that account is created (or promoted) with the admin scope.
//
// The service has the template's layout: New (user.go) wires it, one step
// a line; internal/users is the business logic and the signing key,
// internal/api its endpoints and routes, internal/store its SQL and
// migrations.
package user
