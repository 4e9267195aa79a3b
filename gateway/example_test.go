package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gantrykit/gantry/gateway"
)

// A gateway in front of one service: /v1/orders/... is routed to the
// orders service with the public prefix stripped, and every answer the
// gateway makes itself is problem+json.
func Example() {
	orders := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "orders saw %s %s\n", r.Method, r.URL.Path)
	}))
	defer orders.Close()

	cfg, err := gateway.ParseConfig([]byte(`
services:
  orders: {urls: ["` + orders.URL + `"]}
routes:
  - name: orders
    prefix: /orders
    version: v1
    service: orders
    strip_prefix: true
    timeout: 2s
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()

	for _, path := range []string{"/v1/orders/42", "/v2/orders/42"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		text := strings.TrimSpace(string(body))
		fmt.Println(res.StatusCode, res.Header.Get("Content-Type"), text[:min(len(text), 30)])
	}
	// Output:
	// 200 text/plain; charset=utf-8 orders saw GET /42
	// 404 application/problem+json {"type":"about:blank","title":
}

// Config errors name the line and the key.
func ExampleParseConfig() {
	_, err := gateway.ParseConfig([]byte(`
services:
  orders: {urls: ["http://10.0.0.7:8080"]}
routes:
  - name: orders
    prefix: /orders
    service: order
    retries: 9
`))
	fmt.Println(err)
	// Output:
	// line 7: routes[0].service: "order" is not defined under services
	// line 8: routes[0].retries: 9 is outside 0..5
}

// An upstream that can be reached without the gateway checks the signed
// claims header before trusting it.
func ExampleVerifyClaims() {
	secret := []byte("shared-claims-secret") // auth.claims_secret_env on the gateway
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, err := gateway.VerifyClaims(r.Header.Get(gateway.ClaimsHeader), secret)
		if err != nil {
			http.Error(w, "untrusted caller", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "claims %s", claims)
	})
	req := httptest.NewRequest("GET", "/orders", nil)
	req.Header.Set(gateway.ClaimsHeader, "eyJzdWIiOiJyb290In0.forged")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// 401
}

// The fast lane in front of a gateway's net/http server, as the command
// runs it: the GET is served by the lane itself; the POST (it has a body)
// hands its connection to the net/http server, which serves it as before.
func ExampleNewFastPath() {
	items := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "items saw %s %s\n", r.Method, r.URL.Path)
	}))
	defer items.Close()
	cfg, err := gateway.ParseConfig([]byte(`
services: {items: {urls: ["` + items.URL + `"]}}
routes: [{name: items, prefix: /items, service: items}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gw.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	fp := gateway.NewFastPath(ln, func() *gateway.Gateway { return gw }, cfg.Server, nil)
	srv := gateway.NewServer(gw, cfg.Server, nil)
	go srv.Serve(fp) // sees only the connections the lane hands over
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx) // closes fp: the lane stops accepting and drains
		_ = fp.Shutdown(ctx)  // waits for the lane's connections
	}()

	// A GET and a small POST the lane serves; a POST whose body is streamed
	// (chunked) goes to net/http with its connection.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, c := range []struct {
		method string
		body   io.Reader
	}{{"GET", nil}, {"POST", strings.NewReader("{}")}, {"POST", io.MultiReader(strings.NewReader("{}"))}} {
		req, _ := http.NewRequest(c.method, "http://"+ln.Addr().String()+"/items/7", c.body)
		res, err := client.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(res.StatusCode, " ", string(body))
	}
	served, handedOver := fp.Counts()
	fmt.Println("lane served", served, "and handed over", handedOver)
	// Output:
	// 200 items saw GET /items/7
	// 200 items saw POST /items/7
	// 200 items saw POST /items/7
	// lane served 2 and handed over 1
}
