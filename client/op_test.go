package client_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gantrykit/gantry/client"
	"github.com/gantrykit/gantry/discovery/static"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// The one route value the server registers is what the client calls over
// discovery and what the OpenAPI document lists: method, path, operation
// name and success status from one place.
func TestOpDefinedOnce(t *testing.T) {
	type shelfItem struct {
		Shelf string `path:"shelf" json:"-"`
		Name  string `json:"name"`
	}
	create := httpt.Op[shelfItem, item]{Method: "POST", Pattern: "/v1/shelves/{shelf}/items", Name: "create_item", Status: 201}
	get := httpt.Op[getItem, item]{Method: "GET", Pattern: "/v1/items/{id}", Name: "get_item"}

	mux := httpt.NewMux()
	get.Handle(mux, func(_ context.Context, r getItem) (item, error) { return item{ID: r.ID}, nil })
	create.Handle(mux, func(_ context.Context, r shelfItem) (item, error) { return item{ID: r.Shelf + "/" + r.Name}, nil })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	instancer := static.Fixed("items", srv.URL)

	g, err := client.Op(instancer, get)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if it, err := g.Call(context.Background(), getItem{ID: "a/b"}); err != nil || it.ID != "a/b" {
		t.Fatalf("get: %+v, %v; want ID a/b", it, err)
	}
	c, err := client.Op(instancer, create)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if it, err := c.Call(context.Background(), shelfItem{Shelf: "s1", Name: "kettle"}); err != nil || it.ID != "s1/kettle" {
		t.Fatalf("create: %+v, %v; want ID s1/kettle", it, err)
	}
	doc, err := mux.OpenAPI(httpt.Info{Title: "items", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Paths map[string]map[string]struct {
			OperationID string                     `json:"operationId"`
			Responses   map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ path, method, id, status string }{
		{"/v1/items/{id}", "get", "getItem", "200"},
		{"/v1/shelves/{shelf}/items", "post", "createItem", "201"},
	} {
		op := d.Paths[w.path][w.method]
		if op.OperationID != w.id || op.Responses[w.status] == nil {
			t.Errorf("%s %s: operationId %q, responses %v; want %s with %s", w.method, w.path, op.OperationID, keys(op.Responses), w.id, w.status)
		}
	}
	// A route whose pattern and request type disagree is refused.
	bad := httpt.Op[putItem, item]{Method: "POST", Pattern: "/v1/shelves/{shelf}/items"}
	if _, err := client.Op(instancer, bad); err == nil {
		t.Error("client.Route accepted a {shelf} wildcard that putItem has no path field for")
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
