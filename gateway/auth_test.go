package gateway_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/gateway"
)

const authYAML = `
services: {b: {urls: ["URL"]}}
auth: {alg: HS256, secret_env: JWT_SECRET, issuer: test, audience: gateway, claims_secret_env: CLAIMS_SECRET}
routes:
  - name: read
    prefix: /read
    service: b
    auth: {mode: jwt, scopes: [orders:read]}
  - name: open
    prefix: /open
    service: b
`

func TestAuth(t *testing.T) {
	b := newBackend(t, "b")
	_, gw := start(t, replace(authYAML, "URL", b.URL))
	good := token(t, jwt.MapClaims{"sub": "ann", "iss": "test", "scope": "orders:read orders:write"})
	noneTok := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "eve", "iss": "test", "aud": "gateway", "scope": "orders:read", "exp": time.Now().Add(time.Hour).Unix()})
	none, err := noneTok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "eve", "iss": "test", "aud": "gateway", "scope": "orders:read", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte("wrong"))
	// challenge is the RFC 6750 WWW-Authenticate the answer must carry:
	// none for a success, a bare Bearer when no bearer token came,
	// invalid_token for a bad one, insufficient_scope for a 403.
	const bare, invalid, scope = "Bearer", `Bearer error="invalid_token"`, `Bearer error="insufficient_scope"`
	tests := []struct {
		name      string
		path      string
		authz     string
		status    int
		challenge string
	}{
		{"valid", "/read/1", "Bearer " + good, 200, ""},
		{"missing", "/read/1", "", 401, bare},
		{"not bearer", "/read/1", "Basic abc", 401, bare},
		{"expired", "/read/1", "Bearer " + token(t, jwt.MapClaims{"sub": "ann", "iss": "test", "scope": "orders:read", "exp": time.Now().Add(-time.Hour).Unix()}), 401, invalid},
		{"bad signature", "/read/1", "Bearer " + otherKey, 401, invalid},
		{"alg none", "/read/1", "Bearer " + none, 401, invalid},
		{"wrong issuer", "/read/1", "Bearer " + token(t, jwt.MapClaims{"sub": "ann", "iss": "other", "scope": "orders:read"}), 401, invalid},
		{"wrong audience", "/read/1", "Bearer " + token(t, jwt.MapClaims{"sub": "ann", "aud": "other", "scope": "orders:read"}), 401, invalid},
		{"no exp", "/read/1", "Bearer " + token(t, jwt.MapClaims{"sub": "ann", "exp": nil, "scope": "orders:read"}), 401, invalid},
		{"missing scope", "/read/1", "Bearer " + token(t, jwt.MapClaims{"sub": "ann", "iss": "test", "scope": "orders:write"}), 403, scope},
		{"open route", "/open/1", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Raw bytes on a socket, as any client sends them.
			req := "GET " + tt.path + " HTTP/1.1\r\nHost: gw\r\n"
			if tt.authz != "" {
				req += "Authorization: " + tt.authz + "\r\n"
			}
			res := exchange(t, gw.Listener.Addr().String(), req+"\r\n", 1)[0]
			if res.StatusCode != tt.status {
				raw, _ := io.ReadAll(res.Body)
				t.Fatalf("status = %d, want %d: %s", res.StatusCode, tt.status, raw)
			}
			if got := res.Header.Values("WWW-Authenticate"); strings.Join(got, ", ") != tt.challenge || len(got) > 1 {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
		})
	}

	// The upstream gets the verified claims, signed, and never a client copy.
	_, e, _ := do(t, "GET", gw.URL+"/read/1", map[string]string{"Authorization": "Bearer " + good, "X-Gantry-Claims": "forged"}, "")
	claims, err := gateway.VerifyClaims(e.Header.Get(gateway.ClaimsHeader), []byte("claims-secret"))
	if err != nil {
		t.Fatalf("VerifyClaims(%q): %v", e.Header.Get(gateway.ClaimsHeader), err)
	}
	var m map[string]any
	if err := json.Unmarshal(claims, &m); err != nil || m["sub"] != "ann" {
		t.Errorf("forwarded claims = %s, want sub ann", claims)
	}
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"root"}`)) + ".AAAA"
	if _, err := gateway.VerifyClaims(forged, []byte("claims-secret")); err == nil {
		t.Error("VerifyClaims accepted a forged header")
	}
	_, e, _ = do(t, "GET", gw.URL+"/open/1", map[string]string{"X-Gantry-Claims": "forged"}, "")
	if got := e.Header.Get(gateway.ClaimsHeader); got != "" {
		t.Errorf("open route forwarded client claims %q, want none", got)
	}
}

// TestTokenForwarding: on jwt routes the verified token stays at the edge
// unless the service asks for it with forward_token; open routes pass the
// client's Authorization through untouched.
func TestTokenForwarding(t *testing.T) {
	b := newBackend(t, "b")
	_, gw := start(t, replace(`
services:
  b: {urls: ["URL"]}
  relay: {urls: ["URL"], forward_token: true}
auth: {alg: HS256, secret_env: JWT_SECRET, issuer: test, audience: gateway}
routes:
  - {name: kept, prefix: /kept, service: b, auth: {mode: jwt}}
  - {name: relayed, prefix: /relayed, service: relay, auth: {mode: jwt}}
  - {name: open, prefix: /open, service: b}
`, "URL", b.URL))
	authz := "Bearer " + token(t, jwt.MapClaims{"sub": "ann", "iss": "test"})
	for _, tt := range []struct {
		path, wantAuthz string
		wantClaims      bool
	}{
		{"/kept/1", "", true},
		{"/relayed/1", authz, true},
		{"/open/1", authz, false},
	} {
		res, e, raw := do(t, "GET", gw.URL+tt.path, map[string]string{"Authorization": authz}, "")
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d, want 200: %s", tt.path, res.StatusCode, raw)
		}
		if got := strings.Join(e.Header["Authorization"], ","); got != tt.wantAuthz {
			t.Errorf("%s: upstream Authorization = %q, want %q", tt.path, got, tt.wantAuthz)
		}
		if got := e.Header.Get(gateway.ClaimsHeader); (got != "") != tt.wantClaims {
			t.Errorf("%s: upstream %s = %q, want claims: %v", tt.path, gateway.ClaimsHeader, got, tt.wantClaims)
		}
	}
}

func TestRateLimit(t *testing.T) {
	b := newBackend(t, "b")
	_, gw := start(t, replace(`
services: {b: {urls: ["URL"]}}
auth: {secret_env: JWT_SECRET, issuer: test, audience: gateway}
routes:
  - {name: ip, prefix: /ip, service: b, rate_limit: {rps: 0.5, burst: 2}}
  - {name: sub, prefix: /sub, service: b, auth: {mode: jwt}, rate_limit: {rps: 0.5, burst: 1, key: subject}}
`, "URL", b.URL))
	for i, want := range []int{200, 200, 429} {
		res, _, raw := do(t, "GET", gw.URL+"/ip", nil, "")
		if res.StatusCode != want {
			t.Fatalf("request %d: status = %d, want %d: %s", i, res.StatusCode, want, raw)
		}
		if want == 429 && res.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	ann := map[string]string{"Authorization": "Bearer " + token(t, jwt.MapClaims{"sub": "ann"})}
	bob := map[string]string{"Authorization": "Bearer " + token(t, jwt.MapClaims{"sub": "bob"})}
	for i, c := range []struct {
		hdr  map[string]string
		want int
	}{{ann, 200}, {ann, 429}, {bob, 200}} {
		if res, _, raw := do(t, "GET", gw.URL+"/sub", c.hdr, ""); res.StatusCode != c.want {
			t.Fatalf("subject request %d: status = %d, want %d: %s", i, res.StatusCode, c.want, raw)
		}
	}
}
