// Package discovery registers service instances and finds them again.
//
// Not built yet: see the project's status table in README.md.
package discovery
