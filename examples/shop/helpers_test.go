package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// testShop starts the whole shop on free loopback ports with its data in
// dir (a new temporary one when empty) and stops it when the test ends.
func testShop(t testing.TB, dir string, hook func(any)) *shop {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	return testShopWith(t, options{data: dir, hook: hook})
}

// testShopWith is testShop with more options (replicas, postgres): o's
// data directory, hook and those are kept, the rest set as testShop does;
// o.getenv, if set, is asked first for each variable.
func testShopWith(t testing.TB, o options) *shop {
	t.Helper()
	env := map[string]string{
		"SHOP_ADMIN_EMAIL": "admin@example.com", "SHOP_ADMIN_PASSWORD": "admin-secret",
		"USER_BCRYPT_COST": "4", // the minimum: tests hash many passwords
		"GANTRY_LOG_LEVEL": "warn",
	}
	o.addr, o.natsPort = "127.0.0.1:0", 0
	more := o.getenv // the test's own settings come first
	o.getenv = func(k string) string {
		if more != nil {
			if v := more(k); v != "" {
				return v
			}
		}
		if v, ok := env[k]; ok {
			return v
		}
		if strings.HasPrefix(k, "GANTRY_MIDDLEWARE_") {
			return os.Getenv(k) // tuning experiments: GANTRY_MIDDLEWARE_SHED_MIN_LIMIT=... go test
		}
		return ""
	}
	s, err := start(context.Background(), o)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		select {
		case <-s.failed:
		default:
			if err := s.stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
		}
	})
	return s
}

// api is a JSON client of the gateway with an optional bearer token.
type api struct {
	t     *testing.T
	base  string
	token string
}

// do sends body (JSON-encoded unless nil) and returns the status and the
// answer body; it fails the test only on a transport error.
func (a api) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// want calls do and fails unless the status is status; it decodes the
// answer into out when out is not nil.
func (a api) want(status int, method, path string, body, out any) {
	a.t.Helper()
	got, b := a.do(method, path, body)
	if got != status {
		a.t.Fatalf("%s %s = %d %s, want %d", method, path, got, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: decoding %s: %v", method, path, b, err)
		}
	}
}

type orderView struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Reason     string `json:"reason"`
	TotalCents int64  `json:"total_cents"`
	Items      []struct {
		ProductID string `json:"product_id"`
		Quantity  int    `json:"quantity"`
	} `json:"items"`
}

type productView struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
	Stock      int    `json:"stock"`
}

// signup registers email and logs in, returning a client with the token.
func signup(t *testing.T, base, email string) api {
	t.Helper()
	a := api{t: t, base: base}
	a.want(201, "POST", "/api/v1/users", map[string]string{"email": email, "password": "password-" + email, "name": strings.Split(email, "@")[0]}, nil)
	return login(t, base, email, "password-"+email)
}

func login(t *testing.T, base, email, password string) api {
	t.Helper()
	a := api{t: t, base: base}
	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	a.want(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &tok)
	if tok.Token == "" || !tok.ExpiresAt.After(time.Now()) {
		t.Fatalf("login answered token %q expiring %v, want a token expiring in the future", tok.Token, tok.ExpiresAt)
	}
	a.token = tok.Token
	return a
}

// settle polls the order until it leaves pending.
func settle(t *testing.T, a api, id string) orderView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var o orderView
		a.want(200, "GET", "/api/v1/orders/"+id, nil, &o)
		if o.Status != "pending" {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s still pending after 30s", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func stockOf(t *testing.T, a api, id string) int {
	t.Helper()
	var p productView
	a.want(200, "GET", "/api/v1/products/"+id, nil, &p)
	return p.Stock
}

// countMsgID counts the messages on subject in stream whose Nats-Msg-Id is id.
func countMsgID(t *testing.T, url, stream, subject, id string) int {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for left := int(info.NumPending); left > 0; {
		batch, err := c.Fetch(left, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			if m.Headers().Get(jetstream.MsgIDHeader) == id {
				n++
			}
		}
		if got == 0 {
			t.Fatalf("stream %s: fetched nothing with %d messages pending", stream, left)
		}
		left -= got
	}
	return n
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func decodeJSON(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
