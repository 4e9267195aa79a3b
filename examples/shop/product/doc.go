// Package product is the shop's product service: the catalog and its stock
// in its own SQLite database (seeded with twelve products by a migration),
// served over HTTP for clients and over gRPC (productpb.Catalog) for the
// order service.
//
// It consumes orders.created and reserves the whole order's stock or none of
// it in one SQL transaction (stock never goes negative), recording the
// outcome as a stock.reserved or stock.rejected event in its outbox in that
// same transaction, together with the processed-event marker that makes a
// redelivered orders.created a no-op. A relay publishes the outbox.
//
// Adding a product (POST /api/v1/products) needs a token with the admin
// scope: 401 without a valid token, 403 without the scope.
//
// The service has the template's layout: New (product.go) wires it, one
// step a line; internal/products is the business logic, internal/api its
// endpoints, routes, gRPC Catalog and event handler, internal/store its
// SQL and migrations.
package product
