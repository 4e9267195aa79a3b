// Package cmd holds the shop's commands, one per service (user, product,
// order, gateway), for running the shop as separate processes against an
// external NATS server. Its test builds the four and runs an order through
// them.
package cmd
