package user

import (
	"context"
	"database/sql"
	"path/filepath"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/internal/shopkit"
	"github.com/gantrykit/gantry/examples/shop/user/internal/api"
	"github.com/gantrykit/gantry/examples/shop/user/internal/store"
	"github.com/gantrykit/gantry/examples/shop/user/internal/users"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/middleware/auth"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// Config is the user service's own configuration (USER_* variables). The
// first admin comes from SHOP_ADMIN_EMAIL and SHOP_ADMIN_PASSWORD.
type Config struct {
	DB         string        `yaml:"db" help:"SQLite file (default: user.db in the data dir)"`
	SigningKey string        `yaml:"signing_key" help:"PEM RSA private key file, created when missing (default: user-signing-key.pem in the data dir)"`
	Issuer     string        `yaml:"issuer" help:"token issuer"`
	Audience   string        `yaml:"audience" help:"token audience"`
	TokenTTL   time.Duration `yaml:"token_ttl" help:"token lifetime"`
	BcryptCost int           `yaml:"bcrypt_cost" help:"bcrypt cost of password hashes (4-31)"`
}

// Validate refuses a bcrypt cost bcrypt would refuse.
func (c *Config) Validate() error {
	if c.BcryptCost < bcrypt.MinCost || c.BcryptCost > bcrypt.MaxCost {
		return errs.InvalidField("bcrypt_cost", "must be between 4 and 31")
	}
	return nil
}

// Server is the user service assembled on a kit.App.
type Server struct {
	App     *kit.App
	DB      *sql.DB
	Service *users.Service
}

// New builds the user service from args and the environment (see Config
// and package kit): it opens and migrates the database, loads or creates the
// signing key, and creates the admin when SHOP_ADMIN_EMAIL and
// SHOP_ADMIN_PASSWORD are both set.
func New(args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	cfg := Config{Issuer: shopauth.Issuer, Audience: shopauth.Audience, TokenTTL: time.Hour, BcryptCost: bcrypt.DefaultCost}
	app, err := shopkit.NewApp("user", &cfg, args, getenv, opts...)
	if err != nil {
		return nil, err
	}
	dbPath := shopauth.DBPath(cfg.DB, app.Config().DataDir, "user")
	signer, err := users.LoadOrCreateSigner(keyPath(cfg.SigningKey, dbPath))
	if err != nil {
		return nil, err
	}
	verifier, err := auth.New(auth.StaticKeys{signer.KeyID(): signer.Public()}, auth.WithAlgorithms(shopauth.Alg),
		auth.WithIssuer(cfg.Issuer), auth.WithAudience(cfg.Audience))
	if err != nil {
		return nil, err
	}
	db, err := store.Open(dbPath)
	if err != nil {
		return nil, err
	}
	svc, err := users.NewService(store.New(db), signer, cfg.Issuer, cfg.Audience, cfg.TokenTTL, cfg.BcryptCost)
	if err == nil {
		err = ensureAdmin(svc, getenv)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	shopkit.Own(app, db)
	api.Routes(app.HTTP(), api.NewEndpoints(svc, app.Middleware, verifier), signer.JWKS())
	// The user service publishes no events; NATS is its discovery registry.
	natskit.New(app, embedded.Starter).Register(kit.Registration{})
	return &Server{App: app, DB: db, Service: svc}, nil
}

// keyPath is the signing key file: file, or user-signing-key.pem beside
// the database.
func keyPath(file, dbPath string) string {
	if file != "" {
		return file
	}
	return filepath.Join(filepath.Dir(dbPath), "user-signing-key.pem")
}

func ensureAdmin(svc *users.Service, getenv func(string) string) error {
	email, password := getenv("SHOP_ADMIN_EMAIL"), getenv("SHOP_ADMIN_PASSWORD")
	if email == "" || password == "" {
		return nil
	}
	if len(password) < 8 || len(password) > 72 {
		return errs.InvalidField("SHOP_ADMIN_PASSWORD", "must have 8 to 72 bytes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return svc.EnsureAdmin(ctx, email, password)
}
