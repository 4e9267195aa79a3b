// Package promreg is the one answer Gantry gives to a metric-name clash on a
// Prometheus registry: every package that registers collectors does it
// through [Register], and a clash comes back, at construction, as a
// [*ClashError] naming the metric and both owners.
//
// Two registrations of the same metric by the same owner are not a clash:
// several servers, clients or subscribers of one service share one
// registry, and the second gets the collector the first registered, so
// their series add up. Everything else is: another package's metric of the
// same name, the same owner's metric with other labels, help or type, or a
// collector registered outside Gantry. Nothing is registered then, and
// nothing is lost silently.
//
// Owners are remembered in the registry itself (by a collector that
// describes one name, gantry_collector_owners, and exports no series), so
// the package holds no global state and many registries live in one
// process.
package promreg
