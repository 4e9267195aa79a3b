package outbox_test

import (
	"strings"
	"testing"

	"github.com/gantrykit/gantry/examples/shop/order"
	"github.com/gantrykit/gantry/examples/shop/product"
)

// TestServicesRefuseShortRetention: each service with an outbox reads
// outbox_retention from its configuration and refuses, naming the key, a
// value below the minimum instead of starting a relay that would fail.
func TestServicesRefuseShortRetention(t *testing.T) {
	for _, tt := range []struct {
		env string
		new func(getenv func(string) string) error
	}{
		{"ORDER_OUTBOX_RETENTION", func(g func(string) string) error { _, err := order.New(nil, g); return err }},
		{"PRODUCT_OUTBOX_RETENTION", func(g func(string) string) error { _, err := product.New(nil, g); return err }},
	} {
		getenv := func(k string) string {
			if k == tt.env {
				return "1m"
			}
			return ""
		}
		err := tt.new(getenv)
		if err == nil || !strings.Contains(err.Error(), "outbox_retention") || !strings.Contains(err.Error(), "below the minimum") {
			t.Errorf("%s=1m: got %v, want an error naming outbox_retention and the minimum", tt.env, err)
		}
	}
}
