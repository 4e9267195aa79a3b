// Package gateway is Gantry's API gateway.
//
// Not built yet: see the project's status table in README.md.
package gateway
