package cmdutil

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/gantrykit/gantry/kit"
)

// Tuning is the runtime configuration the shop changes from kit's defaults,
// in both run modes; the environment and flags still win.
//
// GANTRY_MIDDLEWARE_SHED_MIN_LIMIT: the adaptive concurrency limit of each
// operation never drops below 64. With kit's default (1), a loopback load
// run of 50 clients on a busy 2-core machine read the latency rise as
// congestion and shed 90% of calls, and the gateway's per-instance breaker
// then ejected each service's only instance.
func Tuning() map[string]string {
	return map[string]string{"GANTRY_MIDDLEWARE_SHED_MIN_LIMIT": "64"}
}

// Defaults gives a service distinct default ports, so that the four
// commands can run side by side on one machine, and the shop's Tuning; the
// environment and flags still win.
func Defaults(getenv func(string) string, defaults map[string]string) func(string) string {
	tuning := Tuning()
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		if v, ok := defaults[k]; ok {
			return v
		}
		return tuning[k]
	}
}

// Main runs the App that build returns until SIGINT or SIGTERM, and exits
// 1 with the error (0 after -h).
func Main(name string, build func(args []string, getenv func(string) string) (*kit.App, error)) {
	err := func() error {
		app, err := build(os.Args[1:], os.Getenv)
		if err != nil {
			return err
		}
		return app.Run(context.Background())
	}()
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
