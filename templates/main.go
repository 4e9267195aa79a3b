package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "templates:", err)
		os.Exit(1)
	}
}

const usage = `templates scaffolds a new Gantry service.

Usage:
  templates new [flags] NAME   generate the service NAME (see templates new -h)
  templates list               show the parts that can be generated

NAME is lower case letters, digits and hyphens (order-api): it names the
command, the Kubernetes objects and, upper-cased, the environment prefix.
`

// run is the whole command; main only reports its error.
func run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command: want new or list")
	}
	switch args[0] {
	case "new":
		return runNew(args[1:], stdout, stderr)
	case "list":
		return list(stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q: want new or list", args[0])
}

func list(w io.Writer) error {
	_, err := fmt.Fprint(w, `Every service has:
  cmd/NAME        main with run(ctx, args, getenv): kit runtime, config, lifecycle
  internal/items  business logic (no toolkit imports) and its unit tests
  internal/api    typed endpoints with the default middleware chain, HTTP routes
                  with OpenAPI, an HTTP test through the real handler
  deploy/k8s      Deployment (probes, preStop, resources), Service, HPA, PDB
  Dockerfile, Makefile, .github/workflows/ci.yml, config.yaml, README.md

Optional parts:
  -grpc           api/itemspb (items.proto, generated code, go:generate line)
                  and a gRPC server beside HTTP, with a loopback test
  -events         internal/itemevents: JetStream publisher of item.created and
                  a durable consumer with back-off and dead letters; embedded
                  NATS server by default; test against an embedded server
  -store sqlite   internal/store: database/sql repository, embedded migrations,
                  modernc.org/sqlite (pure Go); tested against a real file
  -store postgres the same over PostgreSQL (pgx), replicas migrating in
                  turn; its tests make a database each on the server in
                  GANTRY_TEST_POSTGRES_DSN
`)
	return err
}
