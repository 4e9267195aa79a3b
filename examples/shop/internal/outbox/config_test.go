package outbox_test

import (
	"strings"
	"testing"

	"github.com/gantrykit/gantry/examples/shop/order"
	"github.com/gantrykit/gantry/examples/shop/product"
)

// TestServicesRefuseShortRetention: each service with an outbox reads
// outbox_retention and processed_retention from its configuration and
// refuses, naming the key, a value below the minimum instead of starting a
// relay or a pruner that would fail.
func TestServicesRefuseShortRetention(t *testing.T) {
	newOrder := func(g func(string) string) error { _, err := order.New(nil, g); return err }
	newProduct := func(g func(string) string) error { _, err := product.New(nil, g); return err }
	for _, tt := range []struct {
		env, value, key string
		new             func(getenv func(string) string) error
	}{
		{"ORDER_OUTBOX_RETENTION", "1m", "outbox_retention", newOrder},
		{"PRODUCT_OUTBOX_RETENTION", "1m", "outbox_retention", newProduct},
		{"ORDER_PROCESSED_RETENTION", "168h", "processed_retention", newOrder},
		{"PRODUCT_PROCESSED_RETENTION", "168h", "processed_retention", newProduct},
	} {
		getenv := func(k string) string {
			if k == tt.env {
				return tt.value
			}
			return ""
		}
		err := tt.new(getenv)
		if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), "below the minimum") {
			t.Errorf("%s=%s: got %v, want an error naming %s and the minimum", tt.env, tt.value, err, tt.key)
		}
	}
}
