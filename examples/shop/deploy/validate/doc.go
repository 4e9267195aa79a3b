// Package validate checks the shop's deploy assets offline, in CI: the
// Kubernetes manifests strictly decoded into k8s.io/api types and held to the
// shutdown, probe, resource and security invariants a Gantry service needs;
// the Grafana dashboard's and the alert rules' PromQL parsed, with every
// metric and label checked against the metrics Gantry's and the shop's code
// register; the Compose file and the Dockerfile checked against the real
// GANTRY_* keys and the four shop services.
//
// It is a module of its own so that k8s.io/api and the Prometheus parser stay
// out of the library's go.mod. Run it with ../check.sh, or
//
//	cd examples/shop/deploy/validate && go test ./...
package validate
