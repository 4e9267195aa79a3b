package auth_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type order struct {
	ID string `json:"id"`
}

// TestChallengeOnTheWire: a service whose endpoint sits behind the
// Authenticator and RequireScope, served by transport/http on a real
// socket, answers every refused token with the RFC 6750 challenge (§3): a
// bare Bearer when no bearer token came, error="invalid_token" when the
// token was bad, error="insufficient_scope" on a 403. The requests are raw
// bytes, as any client writes them.
func TestChallengeOnTheWire(t *testing.T) {
	a := newAuth(t, keys.statics, "RS256")
	get := endpoint.Wrap(func(context.Context, struct{}) (order, error) { return order{ID: "o1"}, nil },
		a.For("get_order"), auth.RequireScope("orders:admin"))
	mux := httpt.NewMux()
	mux.Handle("GET /orders/1", httpt.NewServer(get, httpt.ServerBefore(auth.TokenFromHTTP)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	good := sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { c["scope"] = "orders:admin" }))
	tests := []struct {
		name, authz string
		status      int
		challenge   string
	}{
		{"no credentials", "", 401, "Bearer"},
		{"another scheme", "Basic YWxpY2U6cHc=", 401, "Bearer"},
		{"empty bearer", "Bearer ", 401, `Bearer error="invalid_token"`},
		{"garbage", "Bearer not.a.jwt", 401, `Bearer error="invalid_token"`},
		{"expired", "Bearer " + sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa,
			claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() })), 401, `Bearer error="invalid_token"`},
		{"alg none", "Bearer " + sign(t, jwt.SigningMethodNone, "rsa", jwt.UnsafeAllowNoneSignatureType, claims(nil)),
			401, `Bearer error="invalid_token"`},
		{"scope missing", "Bearer " + sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(nil)),
			403, `Bearer error="insufficient_scope"`},
		{"valid", "Bearer " + good, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := "GET /orders/1 HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n"
			if tt.authz != "" {
				req += "Authorization: " + tt.authz + "\r\n"
			}
			res := rawGet(t, srv.Listener.Addr().String(), req+"\r\n")
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			got := res.Header.Values("WWW-Authenticate")
			if strings.Join(got, ", ") != tt.challenge || len(got) > 1 {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if tt.status != 200 && res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", res.Header.Get("Content-Type"))
			}
		})
	}
}

// rawGet writes req on a new connection and reads one answer.
func rawGet(t *testing.T, addr, req string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}
