package main

import (
	"testing"

	"github.com/gantrykit/gantry/internal/exampletest"
)

func TestREADMESnippetsCompile(t *testing.T) {
	exampletest.CheckSnippets(t, "README.md", "order/internal/store/store.go", "internal/shopkit/shopkit.go",
		"order/internal/productclient/productclient.go", "product/internal/api/ops.go")
}

// TestRestartKeepsData stops the shop and starts it again on the same data:
// the account, its token (the signing key is kept), the order and the stock
// are all still there.
func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := testShop(t, dir, nil)
	ada := signup(t, s.URL(), "ada@example.com")
	var placed orderView
	ada.want(202, "POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"product_id": "p04", "quantity": 4}}}, &placed)
	settle(t, ada, placed.ID)
	stock := stockOf(t, ada, "p04")
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	s2 := testShop(t, dir, nil)
	ada.base = s2.URL()
	if o := settle(t, ada, placed.ID); o.Status != "confirmed" { // the old token still works
		t.Errorf("order after restart: %q, want confirmed", o.Status)
	}
	if got := stockOf(t, ada, "p04"); got != stock {
		t.Errorf("stock of p04 after restart = %d, want %d", got, stock)
	}
	login(t, s2.URL(), "ada@example.com", "password-ada@example.com")
	var list struct{ Items []productView }
	ada.want(200, "GET", "/api/v1/products", nil, &list)
	if len(list.Items) != 12 {
		t.Errorf("catalog has %d products after restart, want the 12 seeded once", len(list.Items))
	}
}
