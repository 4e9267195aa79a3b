package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/examples/shop/order"
	"github.com/gantrykit/gantry/examples/shop/product"
)

// The outbox's settings as the services read them. (These tests live with
// the shop, which links the services anyway, rather than with package
// outbox, whose test binary would otherwise link both services for them.)

// TestServicesRefuseShortRetention: each service with an outbox reads
// outbox_retention, outbox_lease and processed_retention from its
// configuration and refuses, naming the key, a value out of bounds instead
// of starting a relay or a pruner that would fail.
func TestServicesRefuseShortRetention(t *testing.T) {
	newOrder := func(g func(string) string) error { _, err := order.New(nil, g); return err }
	newProduct := func(g func(string) string) error { _, err := product.New(nil, g); return err }
	for _, tt := range []struct {
		env, value, key string
		new             func(getenv func(string) string) error
	}{
		{"ORDER_OUTBOX_RETENTION", "1m", "outbox_retention", newOrder},
		{"PRODUCT_OUTBOX_RETENTION", "1m", "outbox_retention", newProduct},
		{"ORDER_OUTBOX_LEASE", "5m", "outbox_lease", newOrder},
		{"PRODUCT_OUTBOX_LEASE", "500ms", "outbox_lease", newProduct},
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
		if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), "minimum") && !strings.Contains(err.Error(), "outside") {
			t.Errorf("%s=%s: got %v, want an error naming %s and the minimum", tt.env, tt.value, err, tt.key)
		}
	}
}

// TestServicesTakeTheLease: a valid outbox_lease reaches the service's
// relay.
func TestServicesTakeTheLease(t *testing.T) {
	dir := t.TempDir()
	s, err := product.New(nil, func(k string) string {
		return map[string]string{"PRODUCT_OUTBOX_LEASE": "7s", "GANTRY_DATA_DIR": dir}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.DB.Close()
	if s.Relay.Lease != 7*time.Second {
		t.Errorf("relay lease %v, want 7s from PRODUCT_OUTBOX_LEASE", s.Relay.Lease)
	}
}
