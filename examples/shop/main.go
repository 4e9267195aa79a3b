// Command shop runs the whole Gantry shop on one machine, in one process:
// the user, product and order services (each a kit.App with its own ports
// and its own database), the API gateway on :8080, and an embedded NATS
// server with JetStream for events and discovery.
//
//	go run ./examples/shop [-addr :8080] [-data ./shop-data] [-nats-port 4222]
//	go run ./examples/shop -replicas 2 -postgres postgres://user:password@127.0.0.1:5432/shop
//
// By default each service keeps a SQLite file under -data. With -postgres
// each has a PostgreSQL database of its own on that server, and -replicas
// runs that many instances of each service, which the gateway and the
// order service balance over through discovery.
// With GANTRY_NATS_URL set it uses that NATS server (JetStream enabled)
// instead of embedding one.
// Ctrl-C stops it cleanly; run it again and the data is still there. See
// README.md beside this file for the tour, and cmd/ for one process per
// service.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "the gateway's listen address")
	data := fs.String("data", "./shop-data", "directory for the SQLite files, the signing key and JetStream")
	natsPort := fs.Int("nats-port", 4222, "port of the embedded NATS server on 127.0.0.1 (0: any free port)")
	replicas := fs.Int("replicas", 1, "instances of each of user, product and order (above 1 needs -postgres)")
	postgres := fs.String("postgres", "", "PostgreSQL server URL, postgres://user:password@host:port/NAME: the services' databases are NAME_user, NAME_product, NAME_order there, created when missing (default: SQLite files in -data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *replicas < 1 {
		return errors.New("-replicas: at least 1")
	}
	s, err := start(ctx, options{addr: *addr, data: *data, natsPort: *natsPort,
		replicas: *replicas, postgres: *postgres, getenv: getenv})
	if err != nil {
		return err
	}
	printAddrs(out, s, *data)
	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "stopping...")
	case <-s.failed:
	}
	return s.stop()
}

// redact hides the credentials a GANTRY_NATS_URL (a comma-separated list)
// may carry.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, u := range parts {
		scheme, at := strings.Index(u, "://"), strings.LastIndex(u, "@")
		if scheme >= 0 && at > scheme {
			parts[i] = u[:scheme+3] + "***" + u[at:]
		}
	}
	return strings.Join(parts, ",")
}

func printAddrs(out io.Writer, s *shop, data string) {
	gw := s.URL()
	if h := s.Gateway.HTTPAddr(); strings.HasPrefix(h, "[::]:") || strings.HasPrefix(h, "0.0.0.0:") {
		gw = "http://localhost:" + h[strings.LastIndex(h, ":")+1:]
	}
	fmt.Fprintf(out, "shop is up; data in %s\n", data)
	fmt.Fprintf(out, "  gateway  %-28s API docs %s/docs   metrics http://%s/metrics\n", gw, gw, s.Gateway.AdminAddr())
	for _, name := range []string{"user", "product", "order"} {
		for _, app := range s.Replicas[name] {
			fmt.Fprintf(out, "  %-8s http://%-21s metrics http://%s/metrics\n", name, app.HTTPAddr(), app.AdminAddr())
		}
	}
	fmt.Fprintf(out, "  nats     %s (JetStream: streams ORDERS and STOCK, discovery bucket)\n", redact(s.NATSURL))
	fmt.Fprintln(out, "Try: curl -s "+gw+"/api/v1/products    Ctrl-C stops the shop.")
}
