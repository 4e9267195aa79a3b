package user

import (
	"context"
	"database/sql"
	"embed"
	"net/http"
	"path/filepath"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
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

// Server is the user service assembled on a kit.App.
type Server struct {
	App     *kit.App
	DB      *sql.DB
	Service *Service
}

// New builds the user service from args and the environment (see Config
// and package kit): it opens and migrates the database, loads or creates the
// signing key, and creates the admin when SHOP_ADMIN_EMAIL and
// SHOP_ADMIN_PASSWORD are both set.
func New(args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	cfg := Config{Issuer: shopauth.Issuer, Audience: shopauth.Audience, TokenTTL: time.Hour, BcryptCost: bcrypt.DefaultCost}
	app := kit.New("user", append([]kit.Option{kit.WithConfig(&cfg), kit.WithArgs(args), kit.WithGetenv(getenv)}, opts...)...)
	if err := app.Err(); err != nil {
		return nil, err
	}
	if cfg.BcryptCost < bcrypt.MinCost || cfg.BcryptCost > bcrypt.MaxCost {
		return nil, errs.InvalidField("bcrypt_cost", "must be between 4 and 31")
	}
	dbPath := shopauth.DBPath(cfg.DB, app.Config().DataDir, "user")
	keyPath := cfg.SigningKey
	if keyPath == "" {
		keyPath = filepath.Join(filepath.Dir(dbPath), "user-signing-key.pem")
	}
	signer, err := LoadOrCreateSigner(keyPath)
	if err != nil {
		return nil, err
	}
	db, err := sqldb.OpenMigrated(dbPath, migrations, "migrations")
	if err != nil {
		return nil, err
	}
	svc, err := NewService(db, signer, cfg.Issuer, cfg.Audience, cfg.TokenTTL, cfg.BcryptCost)
	if err == nil {
		err = ensureAdmin(svc, getenv)
	}
	var verifier *auth.Authenticator
	if err == nil {
		verifier, err = auth.New(auth.StaticKeys{signer.KeyID(): signer.Public()}, auth.WithAlgorithms(shopauth.Alg),
			auth.WithIssuer(cfg.Issuer), auth.WithAudience(cfg.Audience))
	}
	if err != nil {
		db.Close()
		return nil, err
	}

	mux := app.HTTP()
	mux.Handle("POST /api/v1/users", httpt.NewServer(endpoint.Wrap(svc.Register, app.Middleware("register")...),
		httpt.WithStatus(201), httpt.Summary("Create an account")))
	mux.Handle("POST /api/v1/auth/login", httpt.NewServer(endpoint.Wrap(svc.Login, app.Middleware("login")...),
		httpt.Summary("Exchange email and password for a token")))
	profile := append(app.Middleware("profile"), verifier.For("profile"))
	mux.Handle("GET /api/v1/users/me", httpt.NewServer(endpoint.Wrap(func(ctx context.Context, req ProfileRequest) (User, error) {
		sub, err := shopauth.Subject(ctx)
		if err != nil {
			return User{}, err
		}
		return svc.Profile(ctx, ProfileRequest{UserID: sub})
	}, profile...), httpt.ServerBefore(auth.TokenFromHTTP), httpt.Summary("The caller's account")))
	jwks := signer.JWKS()
	mux.HandleFunc("GET "+shopauth.JWKSPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(jwks)
	})

	// The user service publishes no events; NATS is its discovery registry.
	n := natskit.New(app, embedded.Starter)
	n.Register(kit.Registration{})
	app.AddCheck("db", db.PingContext)
	app.OnStop("db", func(context.Context) error { return db.Close() })
	return &Server{App: app, DB: db, Service: svc}, nil
}

func ensureAdmin(svc *Service, getenv func(string) string) error {
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
