// Command templates scaffolds a new Gantry service: a Go module with the
// wiring included (runtime, typed endpoints behind the default middleware
// chain, HTTP routes with OpenAPI, health, metrics, traces, graceful
// shutdown), its tests, a Dockerfile, Kubernetes manifests, a Makefile, a CI
// workflow and a README. It builds and passes its own tests at once:
//
//	go run github.com/gantrykit/gantry/templates@latest new orders
//	cd orders && go test ./... && go run ./cmd/orders
//
// From a checkout of Gantry, go run ./templates new orders does the same
// and points the new module at the checkout with a replace directive.
//
// Options add parts: -grpc (a .proto, its generated code and a gRPC
// server), -events (a JetStream publisher and a consumer with dead letters),
// -store sqlite|postgres (a SQL repository with migrations). templates list
// shows them; templates new -h shows every flag.
//
// The template is the compiling, tested service in service/ beside this
// file (go test ./... tests it like any package). The generator copies it
// and only renames: the module path, the service name "skeleton" (and
// "SKELETON" in environment variables and stream names), and the paths
// that carry them. Parts a flag leaves out are whole files or lines marked
// "gantry:if PART" ("gantry:if PART" alone on a line starts a block that
// "gantry:end" closes). Every generated file starts with the line
// "Code scaffolded by gantry; safe to edit." as a comment, except the
// protoc output, which is regenerated rather than edited.
//
// What a user sees on bad input: an invalid name or module path, an
// unknown -store value or a target directory that exists and is not empty
// is refused with an error naming it, before anything is written. -force
// writes into a non-empty directory, overwriting the files it generates
// and never deleting anything.
package main
