// Command skeleton serves the items API over HTTP (and gRPC), with metrics,
// health, readiness, traces and a graceful shutdown from the Gantry kit.
// See README.md for how to run, configure and deploy it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit" //gantry:if grpc
	"github.com/gantrykit/gantry/kit/natskit" //gantry:if events
	"github.com/gantrykit/gantry/kit/pprofkit"
	"github.com/gantrykit/gantry/transport/nats/embedded" //gantry:if events

	"github.com/gantrykit/gantry/templates/service/internal/api"
	"github.com/gantrykit/gantry/templates/service/internal/itemevents" //gantry:if events
	"github.com/gantrykit/gantry/templates/service/internal/items"
	"github.com/gantrykit/gantry/templates/service/internal/store" //gantry:if store
)

// Config is the service's own configuration: the service: section of the
// config file, SKELETON_* environment variables and flags (see -h).
type Config struct {
	ListLimit int `yaml:"list_limit" help:"items a list returns when the request names no limit (1-100)"`

	Store store.Config `yaml:"store"` //gantry:if store
}

// Validate is called by kit after loading; an error stops the start.
func (c *Config) Validate() error {
	if c.ListLimit < 1 || c.ListLimit > 100 {
		return fmt.Errorf("list_limit: got %d, want 1 to 100", c.ListLimit)
	}
	return nil
}

// defaultConfig holds the defaults the file, environment and flags override.
func defaultConfig() Config {
	cfg := Config{ListLimit: 20}
	cfg.Store = store.Config{Driver: "postgres", DSN: "postgres://skeleton@localhost:5432/skeleton?sslmode=disable"} //gantry:if postgres
	cfg.Store = store.Config{Driver: "sqlite", DSN: "file:skeleton.db?_pragma=journal_mode(WAL)"}                    //gantry:if sqlite
	return cfg
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	app, err := newApp(ctx, args, getenv)
	if err != nil {
		return err
	}
	return app.Run(ctx)
}

// newApp loads the configuration and wires the service into an App, ready
// to Run.
func newApp(ctx context.Context, args []string, getenv func(string) string) (*kit.App, error) {
	cfg := defaultConfig()
	app := kit.New("skeleton", kit.WithConfig(&cfg), kit.WithArgs(args), kit.WithGetenv(getenv))
	if err := app.Err(); err != nil {
		return nil, err
	}
	pprofkit.Mount(app) // /debug/pprof/ on the admin listener

	var repo items.Repository = items.NewMemory()
	//gantry:if store
	db, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	app.OnStop("store", func(context.Context) error { return db.Close() })
	app.AddCheck("store", db.Ping)
	repo = db
	//gantry:end

	var notify items.Notifier
	pub := &itemevents.Publisher{} //gantry:if events
	notify = pub                   //gantry:if events
	svc := items.NewService(repo, notify)
	svc.DefaultLimit = cfg.ListLimit
	itemevents.Wire(app, natskit.New(app, embedded.Starter), pub, svc) //gantry:if events

	servers := api.Servers{HTTP: app.HTTP(), Logger: app.Logger()}
	//gantry:if grpc
	g, err := grpckit.NewServer(app)
	if err != nil {
		return nil, err
	}
	servers.GRPC = g
	//gantry:end
	api.Serve(servers, svc, app.Middleware)
	return app, nil
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "skeleton:", err)
		os.Exit(1)
	}
}
