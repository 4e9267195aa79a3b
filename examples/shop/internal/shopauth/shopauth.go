package shopauth

import (
	"context"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/auth"
)

// Defaults shared by the user service (which signs) and its verifiers.
const (
	Issuer     = "shop-user"
	Audience   = "shop-api"
	Alg        = "RS256"
	AdminScope = "admin"
	JWKSPath   = "/.well-known/jwks.json"
)

// NewVerifier returns an Authenticator for tokens signed by the user
// service, whose key set it fetches from jwksURL on first use with client
// (nil: auth's default client); a discovery:// URL needs a client whose
// Transport is a *Transport.
func NewVerifier(jwksURL, issuer, audience string, client *http.Client) (*auth.Authenticator, error) {
	var opts []auth.JWKSOption
	if client != nil {
		opts = append(opts, auth.WithHTTPClient(client))
	}
	return auth.New(auth.NewJWKS(jwksURL, opts...), auth.WithAlgorithms(Alg),
		auth.WithIssuer(issuer), auth.WithAudience(audience))
}

// Subject returns the validated caller's user ID, or an Unauthenticated
// error when the context carries no validated claims.
func Subject(ctx context.Context) (string, error) {
	c, ok := auth.ClaimsFrom(ctx)
	if !ok || c.Subject == "" {
		return "", errs.Unauthenticated("bearer token required")
	}
	return c.Subject, nil
}

// DBPath returns file if set, else name inside dataDir, else inside the
// gantry-SERVICE folder of the temporary directory (kit's default data dir).
func DBPath(file, dataDir, service string) string {
	if file != "" {
		return file
	}
	if dataDir == "" {
		dataDir = filepath.Join(os.TempDir(), "gantry-"+service)
	}
	return filepath.Join(dataDir, service+".db")
}
