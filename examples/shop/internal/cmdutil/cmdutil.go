// Package cmdutil is the shared main of the shop's one-process-per-service
// commands (cmd/user, cmd/product, cmd/order, cmd/gateway).
package cmdutil

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/gantrykit/gantry/kit"
)

// Defaults gives a service distinct default ports, so that the four
// commands can run side by side on one machine; the environment and flags
// still win.
func Defaults(getenv func(string) string, defaults map[string]string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return defaults[k]
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
