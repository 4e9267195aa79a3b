package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/oascheck"
)

// TestShop walks the flow through the gateway of a shop running in
// this process on free ports: register, login, browse, order two products,
// see the order confirmed and the stock go down; order more than the stock
// and see it rejected; other users, bad tokens and non-admins are refused.
func TestShop(t *testing.T) {
	t.Parallel()
	s := testShop(t, "", nil)
	anon := api{t: t, base: s.URL()}

	ada := signup(t, s.URL(), "ada@example.com")
	code, body := anon.do("POST", "/api/v1/users", map[string]string{"email": "ada@example.com", "password": "another-one", "name": "Ada"})
	if code != 409 {
		t.Errorf("second registration of one email = %d %s, want 409", code, body)
	}
	if code, body := anon.do("POST", "/api/v1/auth/login", map[string]string{"email": "ada@example.com", "password": "wrong-password"}); code != 401 {
		t.Errorf("login with a wrong password = %d %s, want 401", code, body)
	}
	var me struct{ Email string }
	ada.want(200, "GET", "/api/v1/users/me", nil, &me)
	if me.Email != "ada@example.com" {
		t.Errorf("profile email = %q, want ada@example.com", me.Email)
	}

	var list struct{ Items []productView }
	anon.want(200, "GET", "/api/v1/products", nil, &list)
	if len(list.Items) < 10 {
		t.Fatalf("catalog has %d products, want at least 10", len(list.Items))
	}
	p1, p2 := list.Items[0], list.Items[1]
	anon.want(404, "GET", "/api/v1/products/no-such-product", nil, nil)

	var placed orderView
	ada.want(202, "POST", "/api/v1/orders", map[string]any{"items": []map[string]any{
		{"product_id": p1.ID, "quantity": 2}, {"product_id": p2.ID, "quantity": 1}}}, &placed)
	if placed.Status != "pending" || placed.ID == "" {
		t.Fatalf("new order = %+v, want an ID and status pending", placed)
	}
	if want := 2*p1.PriceCents + p2.PriceCents; placed.TotalCents != want {
		t.Errorf("total = %d, want %d", placed.TotalCents, want)
	}
	if o := settle(t, ada, placed.ID); o.Status != "confirmed" {
		t.Fatalf("order ended %q (%s), want confirmed", o.Status, o.Reason)
	}
	if got := stockOf(t, anon, p1.ID); got != p1.Stock-2 {
		t.Errorf("stock of %s = %d, want %d", p1.ID, got, p1.Stock-2)
	}
	if got := stockOf(t, anon, p2.ID); got != p2.Stock-1 {
		t.Errorf("stock of %s = %d, want %d", p2.ID, got, p2.Stock-1)
	}

	// More than the stock: accepted, then rejected, and no stock taken.
	p3 := list.Items[2]
	var big orderView
	ada.want(202, "POST", "/api/v1/orders", map[string]any{"items": []map[string]any{
		{"product_id": p3.ID, "quantity": p3.Stock + 1}}}, &big)
	if o := settle(t, ada, big.ID); o.Status != "rejected" {
		t.Fatalf("order over stock ended %q, want rejected", o.Status)
	}
	if got := stockOf(t, anon, p3.ID); got != p3.Stock {
		t.Errorf("stock of %s after a rejected order = %d, want %d", p3.ID, got, p3.Stock)
	}

	for _, tt := range []struct {
		name  string
		items any
	}{
		{"unknown product", []map[string]any{{"product_id": "no-such-product", "quantity": 1}}},
		{"zero quantity", []map[string]any{{"product_id": p1.ID, "quantity": 0}}},
		{"negative quantity", []map[string]any{{"product_id": p1.ID, "quantity": -3}}},
		{"no items", []map[string]any{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ada.t = t
			if code, body := ada.do("POST", "/api/v1/orders", map[string]any{"items": tt.items}); code != 400 {
				t.Errorf("POST /api/v1/orders = %d %s, want 400", code, body)
			}
		})
	}
	ada.t = t

	var mine struct{ Items []orderView }
	ada.want(200, "GET", "/api/v1/orders", nil, &mine)
	if len(mine.Items) != 2 {
		t.Errorf("ada has %d orders, want 2", len(mine.Items))
	}

	bob := signup(t, s.URL(), "bob@example.com")
	bob.want(404, "GET", "/api/v1/orders/"+placed.ID, nil, nil)
	var bobs struct{ Items []orderView }
	bob.want(200, "GET", "/api/v1/orders", nil, &bobs)
	if len(bobs.Items) != 0 {
		t.Errorf("bob sees %d orders, want 0", len(bobs.Items))
	}

	forged := api{t: t, base: s.URL(), token: ada.token[:len(ada.token)-4] + "AAAA"}
	for _, c := range []api{anon, forged, {t: t, base: s.URL(), token: "not-a-jwt"}} {
		if code, body := c.do("GET", "/api/v1/orders", nil); code != 401 {
			t.Errorf("GET /api/v1/orders with token %.12q = %d %s, want 401", c.token, code, body)
		}
	}

	newProduct := map[string]any{"name": "Gooseneck kettle", "price_cents": 6900, "stock": 5}
	if code, _ := anon.do("POST", "/api/v1/products", newProduct); code != 401 {
		t.Errorf("POST /api/v1/products without a token = %d, want 401", code)
	}
	if code, _ := ada.do("POST", "/api/v1/products", newProduct); code != 403 {
		t.Errorf("POST /api/v1/products as a customer = %d, want 403", code)
	}
	admin := login(t, s.URL(), "admin@example.com", "admin-secret")
	var created productView
	admin.want(201, "POST", "/api/v1/products", newProduct, &created)
	anon.want(200, "GET", "/api/v1/products/"+created.ID, nil, nil)
}

// TestDocs checks the gateway's merged OpenAPI document and its viewer.
func TestDocs(t *testing.T) {
	t.Parallel()
	s := testShop(t, "", nil)
	a := api{t: t, base: s.URL()}
	_, doc := a.do("GET", "/openapi.json", nil)
	if err := oascheck.Validate(doc); err != nil {
		t.Errorf("/openapi.json is not valid OpenAPI 3.1: %v", err)
	}
	type operation struct {
		OperationID string                     `json:"operationId"`
		Security    []map[string][]string      `json:"security"`
		Responses   map[string]json.RawMessage `json:"responses"`
	}
	var d struct {
		Info       struct{ Title, Version string } `json:"info"`
		Paths      map[string]map[string]operation `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme, BearerFormat string } `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if d.Info.Title != "Gantry shop API" || d.Info.Version != "1.0" {
		t.Errorf("info %+v, want the title and version of routes.yaml", d.Info)
	}
	if s := d.Components.SecuritySchemes["bearerAuth"]; s.Type != "http" || s.Scheme != "bearer" || s.BearerFormat != "JWT" {
		t.Errorf("securitySchemes.bearerAuth = %+v, want an http bearer JWT", s)
	}
	// Each operation: its id (from the chain's operation name), the scopes
	// its bearer token needs ("-": none needed), and answers it must
	// document besides its success, the transport's and the gateway's.
	for _, tt := range []struct {
		op, id, scopes string
		answers        []string
	}{
		{"POST /api/v1/users", "register", "-", []string{"400", "409", "413", "415", "502", "503", "504"}},
		{"POST /api/v1/auth/login", "login", "-", []string{"400", "401", "429"}},
		{"GET /api/v1/users/me", "profile", "", []string{"401", "404"}},
		{"GET /api/v1/products", "listProducts", "-", []string{"503"}},
		{"GET /api/v1/products/{id}", "getProduct", "-", []string{"400", "404"}},
		{"POST /api/v1/products", "createProduct", "admin", []string{"400", "401", "403"}},
		{"POST /api/v1/orders", "createOrder", "", []string{"400", "401", "413", "429"}},
		{"GET /api/v1/orders", "listOrders", "", []string{"401", "429"}},
		{"GET /api/v1/orders/{id}", "getOrder", "", []string{"401", "404"}},
	} {
		method, path, _ := strings.Cut(tt.op, " ")
		o, ok := d.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("merged document lacks %s", tt.op)
			continue
		}
		if o.OperationID != tt.id {
			t.Errorf("%s: operationId %q, want %q", tt.op, o.OperationID, tt.id)
		}
		switch {
		case tt.scopes == "-" && (o.Security == nil || len(o.Security) > 0):
			t.Errorf("%s: security %v, want [] (none, said explicitly)", tt.op, o.Security)
		case tt.scopes != "-" && (len(o.Security) != 1 || strings.Join(o.Security[0]["bearerAuth"], " ") != tt.scopes):
			t.Errorf("%s: security %v, want bearerAuth with scopes %q", tt.op, o.Security, tt.scopes)
		}
		for _, code := range tt.answers {
			if _, ok := o.Responses[code]; !ok {
				t.Errorf("%s: no %s answer documented", tt.op, code)
			}
		}
	}
	if code, body := a.do("GET", "/docs/", nil); code != 200 || !strings.Contains(strings.ToLower(string(body)), "swagger") {
		t.Errorf("GET /docs/ = %d, want 200 with Swagger UI", code)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"nats://127.0.0.1:4222":               "nats://127.0.0.1:4222",
		"nats://user:secret@nats.svc:4222":    "nats://***@nats.svc:4222",
		"nats://token@a:4222,nats://b:4222":   "nats://***@a:4222,nats://b:4222",
		"nats://u:p@a:4222,nats://u:p@b:4222": "nats://***@a:4222,nats://***@b:4222",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRun runs the command's run function as main does: it prints where
// everything is, and stops cleanly when its context ends (Ctrl-C).
func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-nats-port", "0"},
			func(k string) string { return map[string]string{"GANTRY_LOG_LEVEL": "error"}[k] }, pw)
		pw.Close()
	}()
	var printed []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		printed = append(printed, sc.Text())
		if strings.HasPrefix(sc.Text(), "Try: ") {
			break
		}
	}
	out := strings.Join(printed, "\n")
	for _, want := range []string{"gateway  http://127.0.0.1:", "/docs", "user     http://", "product  http://", "order    http://", "nats     nats://"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	cancel()
	go io.Copy(io.Discard, pr) // "stopping..."
	if err := <-done; err != nil {
		t.Errorf("run = %v, want nil after the context ended", err)
	}
}
