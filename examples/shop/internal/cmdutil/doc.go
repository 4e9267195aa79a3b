// Package cmdutil is the shared main of the shop's one-process-per-service
// commands (cmd/user, cmd/product, cmd/order, cmd/gateway).
package cmdutil
