package product

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/examples/shop/product/productpb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/middleware/auth"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	httpt "github.com/gantrykit/gantry/transport/http"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Config is the product service's own configuration (PRODUCT_* variables).
type Config struct {
	DB       string `yaml:"db" help:"SQLite file (default: product.db in the data dir)"`
	JWKSURL  string `yaml:"jwks_url" help:"the user service's JSON Web Key Set, to verify admin tokens"`
	Issuer   string `yaml:"issuer" help:"required token issuer"`
	Audience string `yaml:"audience" help:"required token audience"`
	// OutboxRetention is how long published outbox rows are kept.
	OutboxRetention time.Duration `yaml:"outbox_retention" help:"how long published outbox rows are kept (0: 24h, negative: forever, else at least 10m)"`
	// ProcessedRetention is how long processed_events rows are kept.
	ProcessedRetention time.Duration `yaml:"processed_retention" help:"how long processed event IDs are kept (0: 9 days, negative: forever, else at least 193h)"`
}

// Validate refuses retentions the relay or the processed-events pruner
// would refuse.
func (c *Config) Validate() error {
	if err := outbox.ValidateRetention(c.OutboxRetention); err != nil {
		return fmt.Errorf("outbox_retention: %w", err)
	}
	if err := outbox.ValidateProcessedRetention(c.ProcessedRetention); err != nil {
		return fmt.Errorf("processed_retention: %w", err)
	}
	return nil
}

// Server is the product service assembled on a kit.App: HTTP catalog API,
// gRPC Catalog, orders.created consumer and outbox relay.
type Server struct {
	App   *kit.App
	DB    *sql.DB
	Relay *outbox.Relay
}

// New builds the product service from args and the environment (see
// Config and package kit); it opens and migrates the database. Run the App;
// its stop hooks close the database.
func New(args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	cfg := Config{JWKSURL: "http://127.0.0.1:8081" + shopauth.JWKSPath, Issuer: shopauth.Issuer, Audience: shopauth.Audience}
	app := kit.New("product", append([]kit.Option{kit.WithConfig(&cfg), kit.WithArgs(args), kit.WithGetenv(getenv)}, opts...)...)
	if err := app.Err(); err != nil {
		return nil, err
	}
	verifier, err := shopauth.NewVerifier(cfg.JWKSURL, cfg.Issuer, cfg.Audience)
	if err != nil {
		return nil, err
	}
	db, err := sqldb.OpenMigrated(shopauth.DBPath(cfg.DB, app.Config().DataDir, "product"), migrations, "migrations")
	if err != nil {
		return nil, err
	}
	n := natskit.New(app, embedded.Starter)
	relay := &outbox.Relay{DB: db, JetStream: n.JetStream, Logger: app.Logger(), Retention: cfg.OutboxRetention,
		Options: []events.Option{events.WithTracerProvider(app.TracerProvider()), events.WithRegisterer(app.Registry())}}
	svc := NewService(db, relay.Notify)

	mux := app.HTTP()
	mux.Handle("GET /api/v1/products", httpt.NewServer(
		endpoint.Wrap(svc.List, app.Middleware("list_products")...), httpt.Summary("ProductList the catalog")))
	mux.Handle("GET /api/v1/products/{id}", httpt.NewServer(
		endpoint.Wrap(svc.Get, app.Middleware("get_product")...), httpt.Summary("Get one product")))
	create := append(app.Middleware("create_product"), verifier.For("create_product"), auth.RequireScope(shopauth.AdminScope))
	mux.Handle("POST /api/v1/products", httpt.NewServer(endpoint.Wrap(svc.Create, create...),
		httpt.WithStatus(201), httpt.ServerBefore(auth.TokenFromHTTP), httpt.Summary("Add a product (admin scope)")))

	g := grpckit.NewServer(app)
	productpb.RegisterCatalogServer(g, catalogServer{lookup: grpct.NewHandler(
		endpoint.Wrap(svc.Lookup, app.Middleware("lookup_products")...), decodeLookup, encodeLookup)})
	n.Register(kit.Registration{GRPC: g})

	app.OnStart("streams", func(ctx context.Context) error { return outbox.EnsureStreams(ctx, n.JetStream()) })
	natskit.Subscribe(n, events.Consumer{Stream: StreamOrders, Durable: "product-reserve", Subject: SubjectOrderCreated,
		Concurrency: 4, Backoff: []time.Duration{100 * time.Millisecond, time.Second, 5 * time.Second}},
		notifyAfter(relay, events.Idempotent(sqldb.Processed{DB: db}, func(ctx context.Context, ev events.Event[OrderCreated]) error {
			return svc.Reserve(ctx, ev.Data)
		})))
	app.Go("outbox-relay", relay.Run)
	app.Go("processed-prune", (&outbox.ProcessedPruner{DB: db, JetStream: n.JetStream, Streams: []string{StreamOrders},
		Retention: cfg.ProcessedRetention, Logger: app.Logger()}).Run)
	// The outbox's backlog and held rows, counted at each scrape of /metrics
	// (shop_outbox_pending_rows, shop_outbox_held_rows).
	if err := app.Registry().Register(outbox.NewCollector(db, app.Name(), app.Logger())); err != nil {
		db.Close()
		return nil, err
	}
	app.AddCheck("db", db.PingContext)
	app.OnStop("db", func(context.Context) error { return db.Close() })
	return &Server{App: app, DB: db, Relay: relay}, nil
}

// notifyAfter wakes the relay once h's transaction has committed.
func notifyAfter[T any](r *outbox.Relay, h events.Handler[T]) events.Handler[T] {
	return func(ctx context.Context, ev events.Event[T]) error {
		err := h(ctx, ev)
		if err == nil {
			r.Notify()
		}
		return err
	}
}
