// Package gateway runs the shop's API gateway: Gantry's gateway library with
// the route table in routes.yaml (embedded), upstreams found through NATS-KV
// discovery, JWTs verified at the edge against the user service's JWKS, and
// the merged OpenAPI document at /openapi.json with Swagger UI at /docs.
package gateway
