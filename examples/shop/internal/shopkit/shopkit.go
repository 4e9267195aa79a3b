// Package shopkit is the wiring the shop's services share, so that each
// service's New reads as a list of steps: its App, its database's
// lifecycle, the outbox relay and the idempotent consumers of its events.
package shopkit

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"time"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/kit/pprofkit"
	"github.com/gantrykit/gantry/middleware/auth"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// Config is the configuration of the services with an outbox, product
// and order (PRODUCT_* and ORDER_* variables).
type Config struct {
	DB       string `yaml:"db" secret:"true" help:"SQLite file (default: SERVICE.db in the data dir) or a postgres:// URL (its own database)"`
	JWKSURL  string `yaml:"jwks_url" help:"the user service's JSON Web Key Set, to verify tokens (default: discovery://user/..., any live user replica)"`
	Issuer   string `yaml:"issuer" help:"required token issuer"`
	Audience string `yaml:"audience" help:"required token audience"`
	// OutboxRetention is how long published outbox rows are kept.
	OutboxRetention time.Duration `yaml:"outbox_retention" help:"how long published outbox rows are kept (0: 24h, negative: forever, else at least 10m)"`
	// OutboxLease is how long a relay's claim on an outbox row keeps the
	// other replicas' relays off it (outbox.Relay.Lease: shorter hands a
	// dead replica's rows over sooner, longer spares a slow one a second
	// publish).
	OutboxLease time.Duration `yaml:"outbox_lease" help:"how long a replica's relay keeps its claim on an outbox row (0: 30s, else 1s to 1m)"`
	// ProcessedRetention is how long processed_events rows are kept.
	ProcessedRetention time.Duration `yaml:"processed_retention" help:"how long processed event IDs are kept (0: 9 days, negative: forever, else at least 193h)"`
}

// DefaultConfig returns the defaults: the user service's key set from any
// of its replicas in discovery (shopauth.DefaultJWKSURL), the shop's
// issuer and audience.
func DefaultConfig() Config {
	return Config{JWKSURL: shopauth.DefaultJWKSURL, Issuer: shopauth.Issuer, Audience: shopauth.Audience}
}

// Validate refuses retentions and leases the relay or the processed-events
// pruner would refuse, naming the key.
func (c *Config) Validate() error {
	if err := outbox.ValidateRetention(c.OutboxRetention); err != nil {
		return fmt.Errorf("outbox_retention: %w", err)
	}
	if err := outbox.ValidateLease(c.OutboxLease); err != nil {
		return fmt.Errorf("outbox_lease: %w", err)
	}
	if err := outbox.ValidateProcessedRetention(c.ProcessedRetention); err != nil {
		return fmt.Errorf("processed_retention: %w", err)
	}
	return nil
}

// NewApp builds the App of the service called name, with cfg as its own
// configuration section, and returns the configuration error if any.
func NewApp(name string, cfg any, args []string, getenv func(string) string, opts ...kit.Option) (*kit.App, error) {
	app := kit.New(name, append([]kit.Option{kit.WithConfig(cfg), kit.WithArgs(args), kit.WithGetenv(getenv)}, opts...)...)
	pprofkit.Mount(app) // /debug/pprof/ on the admin listener
	return app, app.Err()
}

// Server is a service with an outbox (product, order), assembled on a
// kit.App.
type Server struct {
	App      *kit.App
	DB       *sql.DB
	Relay    *outbox.Relay // set Relay.Fault before Run to simulate a crash
	NATS     *natskit.NATS
	Verifier *auth.Authenticator // of the user service's tokens
}

// NewServer starts the service called name, with an outbox, from args
// and getenv (Config, and package kit): its App; the verifier of the user
// service's tokens; its database, made by open at cfg.DB (default: NAME.db
// in the data dir) and owned by the App (see Own); its NATS connection
// (an embedded server on one machine); and its Outbox, pruning the
// processed IDs of the events of the stream consumed.
func NewServer(name string, open func(path string) (*sql.DB, error), consumed string,
	args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	cfg := DefaultConfig()
	app, err := NewApp(name, &cfg, args, getenv, opts...)
	if err != nil {
		return nil, err
	}
	db, err := open(shopauth.DBPath(cfg.DB, app.Config().DataDir, name))
	if err != nil {
		return nil, err
	}
	Own(app, db)
	n := natskit.New(app, embedded.Starter)
	verifier, err := Verifier(app, n, cfg.JWKSURL, cfg.Issuer, cfg.Audience)
	if err != nil {
		db.Close()
		return nil, err
	}
	relay, err := Outbox(app, n, db, cfg, consumed)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Server{App: app, DB: db, Relay: relay, NATS: n, Verifier: verifier}, nil
}

// Verifier returns the verifier of the user service's tokens, which
// fetches their key set from jwksURL: a discovery:// URL (the default) is
// read from any live replica found through n, so that no one replica's
// loss stops verification. The discovery watch stops with the App.
func Verifier(app *kit.App, n *natskit.NATS, jwksURL, issuer, audience string) (*auth.Authenticator, error) {
	t := &shopauth.Transport{Resolve: n.Instancer}
	app.OnStop("jwks-discovery", func(context.Context) error { return t.Close() })
	return shopauth.NewVerifier(jwksURL, issuer, audience, &http.Client{Timeout: auth.DefaultJWKSTimeout, Transport: t})
}

// Own ties db to app: a readiness check, and closed by the last stop
// hook, once the consumers and the connection that feed it have stopped.
func Own(app *kit.App, db *sql.DB) {
	app.AddCheck("db", db.PingContext)
	app.OnStop("db", func(context.Context) error { return db.Close() })
}

// Outbox is the event plumbing of a service with an outbox in db: the
// shop's streams, declared when n has connected; the relay that publishes
// the outbox (a task of the App, keeping published rows for
// cfg.OutboxRetention); the pruner of processed event IDs of the streams
// the service consumes (kept for cfg.ProcessedRetention); and the outbox's backlog
// and held rows on /metrics (shop_outbox_pending_rows,
// shop_outbox_held_rows), counted at each scrape.
func Outbox(app *kit.App, n *natskit.NATS, db *sql.DB, cfg Config, consumed ...string) (*outbox.Relay, error) {
	m, err := events.NewMetrics(app.Registry())
	if err != nil {
		return nil, err
	}
	relay := &outbox.Relay{DB: db, JetStream: n.JetStream, Logger: app.Logger(), Retention: cfg.OutboxRetention,
		Lease:   cfg.OutboxLease,
		Options: []events.Option{events.WithTracerProvider(app.TracerProvider()), events.WithMetrics(m)}}
	app.OnStart("streams", func(ctx context.Context) error { return outbox.EnsureStreams(ctx, n.JetStream()) })
	app.Go("outbox-relay", relay.Run)
	app.Go("processed-prune", (&outbox.ProcessedPruner{DB: db, JetStream: n.JetStream, Streams: consumed,
		Retention: cfg.ProcessedRetention, Logger: app.Logger()}).Run)
	if err := app.Registry().Register(outbox.NewCollector(db, app.Name(), app.Logger())); err != nil {
		return nil, err
	}
	return relay, nil
}

// Consume runs h for the events of subject in stream, as the durable
// consumer durable, for the App's lifetime: at most once per event ID
// (h runs in a transaction of db that also records the ID, see
// sqldb.Processed), four at a time, redelivered after 100 ms, 1 s and 5 s.
// If relay is not nil, it is woken after each event h handled, since h's
// transaction may have written to the outbox.
func Consume[T any](n *natskit.NATS, db *sql.DB, relay *outbox.Relay, stream, durable, subject string, h events.Handler[T]) {
	h = events.Idempotent(sqldb.Processed{DB: db}, h)
	if relay != nil {
		h = notifyAfter(relay, h)
	}
	natskit.Subscribe(n, events.Consumer{Stream: stream, Durable: durable, Subject: subject,
		Concurrency: 4, Backoff: []time.Duration{100 * time.Millisecond, time.Second, 5 * time.Second}}, h)
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
