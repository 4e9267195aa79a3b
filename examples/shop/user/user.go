package user

import (
	"context"
	"crypto/rsa"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/internal/shopkit"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
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
	DB          string        `yaml:"db" secret:"true" help:"SQLite file (default: user.db in the data dir) or a postgres:// URL"`
	SigningKey  string        `yaml:"signing_key" help:"PEM RSA private key file (a mounted secret), created when missing: the one signing key, never rotated (default: keys kept in the database)"`
	KeyRotation time.Duration `yaml:"key_rotation" help:"age at which a database-kept signing key is replaced by a new one (0: never)"`
	Issuer      string        `yaml:"issuer" help:"token issuer"`
	Audience    string        `yaml:"audience" help:"token audience"`
	TokenTTL    time.Duration `yaml:"token_ttl" help:"token lifetime"`
	BcryptCost  int           `yaml:"bcrypt_cost" help:"bcrypt cost of password hashes (4-31)"`
}

// Validate refuses a bcrypt cost bcrypt would refuse.
func (c *Config) Validate() error {
	if c.BcryptCost < bcrypt.MinCost || c.BcryptCost > bcrypt.MaxCost {
		return errs.InvalidField("bcrypt_cost", "must be between 4 and 31")
	}
	if c.KeyRotation != 0 && c.KeyRotation < c.TokenTTL+users.PublishAhead {
		return errs.InvalidField("key_rotation", "must be 0 or at least token_ttl plus 2m")
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
	cfg := Config{Issuer: shopauth.Issuer, Audience: shopauth.Audience, TokenTTL: time.Hour,
		KeyRotation: 30 * 24 * time.Hour, BcryptCost: bcrypt.DefaultCost}
	app, err := shopkit.NewApp("user", &cfg, args, getenv, opts...)
	if err != nil {
		return nil, err
	}
	dsn := shopauth.DBPath(cfg.DB, app.Config().DataDir, "user")
	db, err := store.Open(dsn)
	if err != nil {
		return nil, err
	}
	keys, err := loadKeys(db, dsn, cfg)
	var svc *users.Service
	if err == nil {
		svc, err = users.NewService(store.New(db), keys, cfg.Issuer, cfg.Audience, cfg.TokenTTL, cfg.BcryptCost)
	}
	if err == nil {
		err = ensureAdmin(svc, getenv)
	}
	var verifier *auth.Authenticator
	if err == nil {
		verifier, err = auth.New(keys, auth.WithAlgorithms(shopauth.Alg), auth.WithIssuer(cfg.Issuer), auth.WithAudience(cfg.Audience))
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	shopkit.Own(app, db)
	app.Go("signing-keys", keys.Run)
	api.Routes(app.HTTP(), api.NewEndpoints(svc, app.Middleware, verifier), keys.JWKS)
	// The user service publishes no events; NATS is its discovery registry.
	natskit.New(app, embedded.Starter).Register(kit.Registration{})
	return &Server{App: app, DB: db, Service: svc}, nil
}

// loadKeys returns the signing keys: the one key of cfg.SigningKey, a
// mounted secret; or else the keys every replica shares in the database,
// the first made at the first start (from user-signing-key.pem beside a
// SQLite file, the key of shops from before keys were kept in the
// database, when it is there), rotated every cfg.KeyRotation.
func loadKeys(db *sql.DB, dsn string, cfg Config) (*users.KeyRing, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if cfg.SigningKey != "" {
		k, err := users.LoadOrCreateKey(cfg.SigningKey)
		if err != nil {
			return nil, err
		}
		keys := users.NewKeyRing(users.FixedKey{Key: k}, cfg.TokenTTL, 0)
		return keys, keys.Load(ctx, nil)
	}
	var seed *rsa.PrivateKey
	if !sqldb.IsDSN(dsn) {
		k, err := users.LoadKey(filepath.Join(filepath.Dir(dsn), "user-signing-key.pem"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		seed = k
	}
	keys := users.NewKeyRing(store.New(db), cfg.TokenTTL, cfg.KeyRotation)
	return keys, keys.Load(ctx, seed)
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
