// Package order is the shop's order service. Placing an order checks the
// products and their prices with the product service over gRPC (instances
// from NATS-KV discovery, balanced and retried by discovery/lb), then writes
// the order, status pending, and its orders.created event to the outbox in
// ONE transaction, and answers 202. A relay publishes the outbox to
// JetStream with Nats-Msg-Id set to the row's ID, so a crash between the
// commit and the publish loses nothing and a crash after the publish
// invents nothing (package internal/outbox).
//
// The stock.* consumer moves the order to confirmed or rejected; it is
// idempotent (a processed_events row in the same transaction) and moves
// only pending orders. Every route needs a token; a caller sees only its own
// orders, and anyone else's is 404.
//
// The service has the template's layout: New (order.go) wires it, one step
// a line; internal/orders is the business logic, internal/api its
// endpoints, routes and event handler, internal/store its SQL and
// migrations, internal/productclient its client of the product service.
package order
