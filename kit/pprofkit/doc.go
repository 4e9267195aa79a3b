// Package pprofkit serves Go's runtime profiles on a kit App's admin
// listener, at /debug/pprof/, in the format go tool pprof reads:
//
//	app := kit.New("orders", kit.WithConfig(&cfg))
//	pprofkit.Mount(app) // /debug/pprof/ on gantry.admin_addr
//	err := app.Run(ctx)
//
//	go tool pprof localhost:9090/debug/pprof/profile?seconds=30
//
// It is a package of its own so that a service pays for runtime/pprof,
// runtime/trace and their formatters (about 0.35 MB of an HTTP-only
// binary) only when it serves profiles: kit itself does not import them,
// and a service that does not call Mount answers 404 there. The runtime's
// gantry.pprof key (GANTRY_PPROF, -pprof, default true) turns a mounted
// handler off without a rebuild.
//
// The paths are net/http/pprof's: the index, the named profiles (goroutine,
// heap, allocs, block, mutex, threadcreate; ?debug=1 for text, ?gc=1 to
// collect garbage before a heap profile), profile?seconds=N (CPU, default
// 30), trace?seconds=N (execution trace, default 1; both at most 5
// minutes) and cmdline. The service listener never serves them, and
// nothing is registered on http.DefaultServeMux.
package pprofkit
