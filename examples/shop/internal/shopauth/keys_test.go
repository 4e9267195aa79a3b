package shopauth_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
)

// TestTransportFailsOver: a discovery:// request reaches a live instance
// of the named service whatever the order it tries them in, past one that
// refuses connections and one that answers 503; it fails, naming the
// service, when none answers; a request with a body is not sent twice.
func TestTransportFailsOver(t *testing.T) {
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "keys from "+r.URL.Path)
	}))
	defer live.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String() // nothing listens once closed
	ln.Close()

	users := discovery.NewCache()
	users.Update([]discovery.Instance{
		{Service: "user", ID: "1", Address: "http://" + dead},
		{Service: "user", ID: "2", Address: sick.URL},
		{Service: "user", ID: "3", Address: strings.TrimPrefix(live.URL, "http://")},
	})
	tr := &shopauth.Transport{Resolve: func(_ context.Context, service string) (discovery.Instancer, error) {
		if service != "user" {
			return discovery.NewCache(), nil // never any instance
		}
		return users, nil
	}}
	defer tr.Close()
	c := &http.Client{Transport: tr}
	for range 20 { // the order is random: every order ends at the live one
		resp, err := c.Get(shopauth.DefaultJWKSURL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "keys from "+shopauth.JWKSPath {
			t.Fatalf("GET %s = %d %q, want the live instance's keys", shopauth.DefaultJWKSURL, resp.StatusCode, b)
		}
	}

	users.Update(users.Instances()[:2]) // only the dead and the sick are left
	if _, err := c.Get(shopauth.DefaultJWKSURL); err == nil || !strings.Contains(err.Error(), "no instance of user answered") {
		t.Errorf("with no live instance: got %v, want an error naming the service", err)
	}
	if _, err := c.Post(shopauth.DefaultJWKSURL, "text/plain", strings.NewReader("x")); err == nil {
		t.Error("a request with a body went through discovery")
	}
	if resp, err := c.Get(live.URL + "/plain"); err != nil || resp.StatusCode != 200 {
		t.Errorf("an http:// URL: %v, want it sent as is", err)
	} else {
		resp.Body.Close()
	}
}
