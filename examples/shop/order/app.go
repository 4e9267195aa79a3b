package order

import (
	"context"

	"database/sql"
	"embed"
	"fmt"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Config is the order service's own configuration (ORDER_* variables).
type Config struct {
	DB       string `yaml:"db" help:"SQLite file (default: order.db in the data dir)"`
	JWKSURL  string `yaml:"jwks_url" help:"the user service's JSON Web Key Set, to verify tokens"`
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

// Server is the order service assembled on a kit.App: HTTP order API, a
// gRPC client of the product service found through NATS-KV discovery, the
// stock.* consumer and the outbox relay.
type Server struct {
	App   *kit.App
	DB    *sql.DB
	Relay *outbox.Relay // set Relay.Fault before Run to simulate a crash
}

// New builds the order service from args and the environment (see Config
// and package kit); it opens and migrates the database.
func New(args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	cfg := Config{JWKSURL: "http://127.0.0.1:8081" + shopauth.JWKSPath, Issuer: shopauth.Issuer, Audience: shopauth.Audience}
	app := kit.New("order", append([]kit.Option{kit.WithConfig(&cfg), kit.WithArgs(args), kit.WithGetenv(getenv)}, opts...)...)
	if err := app.Err(); err != nil {
		return nil, err
	}
	verifier, err := shopauth.NewVerifier(cfg.JWKSURL, cfg.Issuer, cfg.Audience)
	if err != nil {
		return nil, err
	}
	db, err := sqldb.OpenMigrated(shopauth.DBPath(cfg.DB, app.Config().DataDir, "order"), migrations, "migrations")
	if err != nil {
		return nil, err
	}
	n := natskit.New(app, embedded.Starter)
	relay := &outbox.Relay{DB: db, JetStream: n.JetStream, Logger: app.Logger(), Retention: cfg.OutboxRetention,
		Options: []events.Option{events.WithTracerProvider(app.TracerProvider()), events.WithRegisterer(app.Registry())}}

	// The product client is built once NATS is connected (a start hook);
	// until then, and while no product instance is registered, Create
	// answers 503.
	var lookup atomic.Pointer[endpoint.Func[[]string, []Product]]
	catalog := func(ctx context.Context, ids []string) ([]Product, error) {
		f := lookup.Load()
		if f == nil {
			return nil, errs.Unavailable(time.Second, "product service not connected yet")
		}
		return (*f)(ctx, ids)
	}
	svc := NewService(db, catalog, relay.Notify)
	var client *productClient
	app.OnStart("product-client", func(ctx context.Context) error {
		c, err := newProductClient(ctx, app, n)
		if err != nil {
			return err
		}
		client = c
		f := endpoint.Wrap(c.lookup, app.ClientMiddleware("product.get_products")...)
		lookup.Store(&f)
		return nil
	})
	app.OnStop("product-client", func(context.Context) error {
		if client != nil {
			client.close()
		}
		return nil
	})

	routes(app, svc, verifier)
	n.Register(kit.Registration{})
	app.OnStart("streams", func(ctx context.Context) error { return outbox.EnsureStreams(ctx, n.JetStream()) })
	natskit.Subscribe(n, events.Consumer{Stream: StreamStock, Durable: "order-settle", Subject: "stock.*",
		Concurrency: 4, Backoff: []time.Duration{100 * time.Millisecond, time.Second, 5 * time.Second}},
		events.Idempotent(sqldb.Processed{DB: db}, func(ctx context.Context, ev events.Event[StockResult]) error {
			return svc.Settle(ctx, ev.Data, ev.Subject == SubjectStockReserved)
		}))
	app.Go("outbox-relay", relay.Run)
	app.Go("processed-prune", (&outbox.ProcessedPruner{DB: db, JetStream: n.JetStream, Streams: []string{StreamStock},
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

// routes serves the order API; every route needs a valid token, and the
// caller's ID comes from it, never from the request.
func routes(app *kit.App, svc *Service, verifier *auth.Authenticator) {
	chain := func(op string) []kitendpoint.Middleware {
		return append(app.Middleware(op), verifier.For(op))
	}
	token := httpt.ServerBefore(auth.TokenFromHTTP)
	mux := app.HTTP()
	mux.Handle("POST /api/v1/orders", httpt.NewServer(endpoint.Wrap(func(ctx context.Context, req PlaceOrder) (Order, error) {
		var err error
		req.UserID, err = shopauth.Subject(ctx)
		if err != nil {
			return Order{}, err
		}
		return svc.Create(ctx, req)
	}, chain("create_order")...), httpt.WithStatus(202), token, httpt.Summary("Place an order (answers pending)")))
	mux.Handle("GET /api/v1/orders/{id}", httpt.NewServer(endpoint.Wrap(func(ctx context.Context, req GetOrder) (Order, error) {
		var err error
		req.UserID, err = shopauth.Subject(ctx)
		if err != nil {
			return Order{}, err
		}
		return svc.Get(ctx, req)
	}, chain("get_order")...), token, httpt.Summary("One of the caller's orders")))
	mux.Handle("GET /api/v1/orders", httpt.NewServer(endpoint.Wrap(func(ctx context.Context, req ListOrders) (OrderList, error) {
		var err error
		req.UserID, err = shopauth.Subject(ctx)
		if err != nil {
			return OrderList{}, err
		}
		return svc.List(ctx, req)
	}, chain("list_orders")...), token, httpt.Summary("The caller's orders, newest first")))
}
