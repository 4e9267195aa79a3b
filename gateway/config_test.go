package gateway_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/gateway"
)

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"empty", ``, []string{"empty config"}},
		{"unknown key", `
routes:
  - name: a
    prefix: /a
    servce: x
`, []string{"line 5", "servce"}},
		{"bad duration", `
services: {x: {urls: ["http://127.0.0.1:1"]}}
routes:
  - name: a
    prefix: /a
    service: x
    timeout: soon
`, []string{"line 7"}},
		{"semantic errors name line and key", `
services:
  x: {urls: ["http://127.0.0.1:1", "ftp://nope"]}
routes:
  - name: a
    prefix: a
    service: y
    retries: 9
  - name: a
    pattern: "GET /b/{"
    service: x
    auth: {mode: jwt}
    rate_limit: {rps: 1, key: user}
`, []string{
			"line 3: services.x.urls[1]",
			"line 6: routes[0].prefix",
			"line 7: routes[0].service: \"y\" is not defined",
			"line 8: routes[0].retries",
			"line 9: routes[1].name",
			"line 10: routes[1].pattern",
			"line 12: routes[1].auth.mode",
			"line 13: routes[1].rate_limit.key",
		}},
		{"no routes", `services: {}`, []string{"routes: at least one route"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gateway.ParseConfig([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("ParseConfig = nil error, want one containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseConfigValid(t *testing.T) {
	cfg, err := gateway.ParseConfig([]byte(`
server: {listen: "127.0.0.1:0", read_header_timeout: 2s}
services:
  orders: {urls: ["http://127.0.0.1:1"], h2c: true, breaker: {failures: 3, open: 1s}}
auth: {alg: HS256, secret_env: JWT_SECRET, issuer: test, audience: gateway}
routes:
  - name: orders
    prefix: /orders
    version: v1
    service: orders
    strip_prefix: true
    timeout: 1500ms
    retries: 2
    max_body: 1024
    rate_limit: {rps: 10, burst: 5, key: subject}
    auth: {mode: jwt, scopes: [orders:read]}
    cors: {origins: ["https://app.example.com"], max_age: 10m}
`))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Routes[0]
	if r.Timeout.Milliseconds() != 1500 || r.Retries != 2 || r.RateLimit.Key != "subject" || r.CORS.MaxAge.Minutes() != 10 {
		t.Errorf("route = %+v, want the values from the file", r)
	}
	if !cfg.Services["orders"].H2C || cfg.Server.ReadHeaderTimeout.Seconds() != 2 {
		t.Errorf("services/server = %+v %+v", cfg.Services, cfg.Server)
	}
}

func TestConfigErrorType(t *testing.T) {
	_, err := gateway.ParseConfig([]byte("routes:\n  - name: a\n    prefix: /a\n"))
	var ce *gateway.ConfigError
	if !errors.As(err, &ce) || ce.Key != "routes[0].service" || ce.Line != 2 {
		t.Errorf("error = %#v, want *ConfigError for routes[0].service at line 2", ce)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(routingYAML))
	f.Add([]byte("routes: [{name: a, pattern: 'GET /x/{id}', service: s}]\nservices: {s: {urls: [http://h]}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := gateway.ParseConfig(b)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
	})
}
