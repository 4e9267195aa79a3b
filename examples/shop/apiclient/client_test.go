package shopapi_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	shopapi "github.com/gantrykit/gantry/examples/shop/apiclient"
)

// TestGeneratedClient drives the running shop at SHOP_URL (check.sh starts
// it) through the client oapi-codegen generated from the gateway's merged
// document: no hand-written request or answer types. It registers, logs
// in, lists the catalog, places an order and reads it back, and checks
// that refusals come back as the documented problem+json.
func TestGeneratedClient(t *testing.T) {
	base := os.Getenv("SHOP_URL")
	if base == "" {
		t.Skip("SHOP_URL not set: check.sh starts the shop and sets it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := shopapi.NewClientWithResponses(base)
	if err != nil {
		t.Fatal(err)
	}

	email := fmt.Sprintf("gen-%d@example.com", time.Now().UnixNano())
	reg, err := c.RegisterWithResponse(ctx, shopapi.Registration{Email: openapi_types.Email(email), Name: "Gen", Password: "correct horse"})
	if err != nil || reg.JSON201 == nil {
		t.Fatalf("register: %v, status %d: %s", err, status(reg), body(reg))
	}
	if reg.JSON201.Email != email || reg.JSON201.Id == "" {
		t.Errorf("registered %+v, want an id and email %s", reg.JSON201, email)
	}
	again, err := c.RegisterWithResponse(ctx, shopapi.Registration{Email: openapi_types.Email(email), Name: "Gen", Password: "correct horse"})
	if err != nil || again.ApplicationproblemJSON409 == nil || again.ApplicationproblemJSON409.Code != "conflict" {
		t.Errorf("register again: %v, status %d: %s; want a 409 conflict problem", err, status(again), body(again))
	}

	bad, err := c.LoginWithResponse(ctx, shopapi.Credentials{Email: email, Password: "wrong password"})
	if err != nil || bad.ApplicationproblemJSON401 == nil {
		t.Errorf("login with a wrong password: %v, status %d: %s; want a 401 problem", err, status(bad), body(bad))
	}
	login, err := c.LoginWithResponse(ctx, shopapi.Credentials{Email: email, Password: "correct horse"})
	if err != nil || login.JSON200 == nil || login.JSON200.Token == "" {
		t.Fatalf("login: %v, status %d: %s", err, status(login), body(login))
	}
	bearer := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+login.JSON200.Token)
		return nil
	}

	list, err := c.ListProductsWithResponse(ctx)
	if err != nil || list.JSON200 == nil || list.JSON200.Items == nil || len(*list.JSON200.Items) == 0 {
		t.Fatalf("list products: %v, status %d: %s", err, status(list), body(list))
	}
	p := (*list.JSON200.Items)[0]
	one, err := c.GetProductWithResponse(ctx, p.Id)
	if err != nil || one.JSON200 == nil || one.JSON200.Name != p.Name {
		t.Errorf("get product %s: %v, status %d: %s", p.Id, err, status(one), body(one))
	}
	missing, err := c.GetProductWithResponse(ctx, "no-such-product")
	if err != nil || missing.ApplicationproblemJSON404 == nil {
		t.Errorf("get a missing product: %v, status %d: %s; want a 404 problem", err, status(missing), body(missing))
	}

	two := int64(2)
	anon, err := c.CreateOrderWithResponse(ctx, nil, shopapi.PlaceOrder{Items: []shopapi.OrderItem{{ProductId: p.Id, Quantity: &two}}})
	if err != nil || anon.ApplicationproblemJSON401 == nil || anon.HTTPResponse.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("order without a token: %v, status %d: %s; want a 401 problem with a challenge", err, status(anon), body(anon))
	}
	key := &shopapi.CreateOrderParams{IdempotencyKey: ptr(`"apiclient-order-1"`)}
	placed, err := c.CreateOrderWithResponse(ctx, key, shopapi.PlaceOrder{Items: []shopapi.OrderItem{{ProductId: p.Id, Quantity: &two}}}, bearer)
	if err != nil || placed.JSON202 == nil {
		t.Fatalf("place an order: %v, status %d: %s", err, status(placed), body(placed))
	}
	// The retry of a request with its Idempotency-Key: the same order, not
	// a second one; the key with other items: 422.
	retried, err := c.CreateOrderWithResponse(ctx, key, shopapi.PlaceOrder{Items: []shopapi.OrderItem{{ProductId: p.Id, Quantity: &two}}}, bearer)
	if err != nil || retried.JSON202 == nil || retried.JSON202.Id != placed.JSON202.Id {
		t.Errorf("retry with the key: %v, status %d: %s; want 202 with order %s", err, status(retried), body(retried), placed.JSON202.Id)
	}
	other, err := c.CreateOrderWithResponse(ctx, key, shopapi.PlaceOrder{Items: []shopapi.OrderItem{{ProductId: p.Id, Quantity: ptr(int64(1))}}}, bearer)
	if err != nil || other.ApplicationproblemJSON422 == nil {
		t.Errorf("the key with other items: %v, status %d: %s; want a 422 problem", err, status(other), body(other))
	}
	if placed.JSON202.Status != "pending" || placed.JSON202.TotalCents != 2*p.PriceCents {
		t.Errorf("placed %+v, want pending with total %d", placed.JSON202, 2*p.PriceCents)
	}
	got, err := c.GetOrderWithResponse(ctx, placed.JSON202.Id, bearer)
	if err != nil || got.JSON200 == nil || got.JSON200.Id != placed.JSON202.Id {
		t.Errorf("get the order: %v, status %d: %s", err, status(got), body(got))
	}
	mine, err := c.ListOrdersWithResponse(ctx, bearer)
	if err != nil || mine.JSON200 == nil || mine.JSON200.Items == nil || len(*mine.JSON200.Items) != 1 {
		t.Errorf("list my orders: %v, status %d: %s; want the one order", err, status(mine), body(mine))
	}
	me, err := c.ProfileWithResponse(ctx, bearer)
	if err != nil || me.JSON200 == nil || me.JSON200.Email != email {
		t.Errorf("profile: %v, status %d: %s", err, status(me), body(me))
	}
}

// answer is what every generated *Response has.
type answer interface{ StatusCode() int }

// status is a's status, 0 when the call failed before an answer.
func status(a answer) int {
	if a == nil || reflect.ValueOf(a).IsNil() {
		return 0
	}
	return a.StatusCode()
}

// body is a's raw answer (every generated *Response has a Body), for
// messages.
func body(a answer) string {
	if a == nil || reflect.ValueOf(a).IsNil() {
		return ""
	}
	return string(reflect.ValueOf(a).Elem().FieldByName("Body").Bytes())
}

func ptr[T any](v T) *T { return &v }
