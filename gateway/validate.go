package gateway

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ConfigError is one invalid value in a Config: the key path, the YAML line
// when the config came from a file (0 otherwise), and what is wrong.
type ConfigError struct {
	Line int
	Key  string
	Msg  string
}

// Error formats the error as "line N: key: message" ("key: message" when
// the line is unknown).
func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Key, e.Msg)
	}
	return e.Key + ": " + e.Msg
}

var versionRE = regexp.MustCompile(`^v[0-9]+$`)

// Validate checks c and returns every problem found, joined, each a
// *ConfigError naming the key (and line, for parsed configs).
func (c *Config) Validate() error {
	var errList []error
	bad := func(key, format string, args ...any) {
		line := c.lines[key]
		for k := key; line == 0 && k != ""; {
			// Fall back to the nearest enclosing key that has a line.
			i := strings.LastIndexAny(k, ".[")
			if i < 0 {
				break
			}
			k = k[:i]
			line = c.lines[k]
		}
		errList = append(errList, &ConfigError{Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if len(c.Routes) == 0 {
		bad("routes", "at least one route is required")
	}
	for name, s := range c.Services {
		key := "services." + name
		if len(s.URLs) == 0 {
			continue // resolved through discovery
		}
		for i, raw := range s.URLs {
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(fmt.Sprintf("%s.urls[%d]", key, i), "%q is not an absolute http(s) URL", raw)
			}
		}
		if s.Breaker.Open < 0 {
			bad(key+".breaker.open", "must not be negative")
		}
	}
	switch c.Auth.Alg {
	case "", "HS256", "RS256", "ES256", "EdDSA":
	default:
		bad("auth.alg", "%q is not one of HS256, RS256, ES256, EdDSA", c.Auth.Alg)
	}
	if c.Docs.Path != "" && !strings.HasPrefix(c.Docs.Path, "/") {
		bad("docs.path", "must start with /")
	}
	names := map[string]bool{}
	for i := range c.Routes {
		c.validateRoute(i, bad, names)
	}
	return errors.Join(errList...)
}

func (c *Config) validateRoute(i int, bad func(key, format string, args ...any), names map[string]bool) {
	r := &c.Routes[i]
	key := fmt.Sprintf("routes[%d]", i)
	switch {
	case r.Name == "":
		bad(key+".name", "is required")
	case names[r.Name]:
		bad(key+".name", "%q is used by another route", r.Name)
	}
	names[r.Name] = true
	switch {
	case r.Pattern == "" && r.Prefix == "":
		bad(key, "one of pattern or prefix is required")
	case r.Pattern != "" && r.Prefix != "":
		bad(key+".pattern", "set pattern or prefix, not both")
	case r.Pattern != "":
		if err := checkPattern(r.Pattern); err != nil {
			bad(key+".pattern", "%v", err)
		}
		if len(r.Methods) > 0 {
			bad(key+".methods", "put the method in the pattern instead")
		}
	case !strings.HasPrefix(r.Prefix, "/"):
		bad(key+".prefix", "%q must start with /", r.Prefix)
	}
	for j, m := range r.Methods {
		if m == "" || strings.ToUpper(m) != m || strings.ContainsAny(m, " /") {
			bad(fmt.Sprintf("%s.methods[%d]", key, j), "%q is not an upper-case HTTP method", m)
		}
	}
	if r.Version != "" && !versionRE.MatchString(r.Version) {
		bad(key+".version", "%q must look like v1", r.Version)
	}
	if r.Service == "" {
		bad(key+".service", "is required")
	} else if _, ok := c.Services[r.Service]; !ok {
		bad(key+".service", "%q is not defined under services", r.Service)
	}
	if r.StripPrefix && r.Rewrite != "" {
		bad(key+".rewrite", "set strip_prefix or rewrite, not both")
	}
	if r.Rewrite != "" && !strings.HasPrefix(r.Rewrite, "/") {
		bad(key+".rewrite", "%q must start with /", r.Rewrite)
	}
	if r.Timeout < 0 {
		bad(key+".timeout", "must not be negative")
	}
	if timeout := cmp.Or(r.Timeout, 30*time.Second); r.AttemptTimeout < 0 || r.AttemptTimeout >= timeout {
		if r.AttemptTimeout != 0 {
			bad(key+".attempt_timeout", "%s must be positive and shorter than the route timeout (%s)", r.AttemptTimeout, timeout)
		}
	}
	if r.Retries < 0 || r.Retries > 5 {
		bad(key+".retries", "%d is outside 0..5", r.Retries)
	}
	if r.MaxBody < 0 {
		bad(key+".max_body", "must not be negative")
	}
	rl := r.RateLimit
	if rl.RPS < 0 || rl.Burst < 0 {
		bad(key+".rate_limit", "rps and burst must not be negative")
	}
	switch rl.Key {
	case "", "ip":
	case "subject":
		if r.Auth.Mode != "jwt" {
			bad(key+".rate_limit.key", "subject needs auth.mode jwt")
		}
	default:
		bad(key+".rate_limit.key", "%q is not ip or subject", rl.Key)
	}
	switch r.Auth.Mode {
	case "", "none":
		if len(r.Auth.Scopes) > 0 {
			bad(key+".auth.scopes", "scopes need auth.mode jwt")
		}
	case "jwt":
		if c.Auth.SecretEnv == "" && c.Auth.KeyFile == "" && c.Auth.JWKSURL == "" {
			bad(key+".auth.mode", "jwt needs auth.jwks_url, auth.secret_env or auth.key_file at the top level")
		}
		if c.Auth.Issuer == "" || c.Auth.Audience == "" {
			bad(key+".auth.mode", "jwt needs auth.issuer and auth.audience at the top level")
		}
	default:
		bad(key+".auth.mode", "%q is not none or jwt", r.Auth.Mode)
	}
	if r.CORS != nil && len(r.CORS.Origins) == 0 {
		bad(key+".cors.origins", "at least one origin (or \"*\") is required")
	}
}

// checkPattern reports whether p is a valid ServeMux pattern, without
// letting ServeMux's panic escape.
func checkPattern(p string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	http.NewServeMux().Handle(p, http.NotFoundHandler())
	return nil
}
