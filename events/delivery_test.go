package events

import (
	"testing"

	"github.com/nats-io/nats.go"
)

// deliveryOf agrees with nats.go's reading of the ack subject whenever it
// answers, and answers for both forms the server uses.
func TestDeliveryOf(t *testing.T) {
	for _, tc := range []struct {
		reply          string
		delivered, seq uint64
		ok             bool
	}{
		{"$JS.ACK.ORDERS.ship.3.42.40.1700000000000000000.7", 3, 42, true},
		{"$JS.ACK._.ACCHASH.ORDERS.ship.1.9.9.1700000000000000000.0.r4nd0m", 1, 9, true},
		{"$JS.ACK.hub.ACCHASH.ORDERS.ship.2.10.11.1700000000000000000.0", 2, 10, true},
		{"$JS.ACK.hub.ACCHASH.ORDERS.ship.2.10.11.1700000000000000000.0.tok.more", 2, 10, true},
		{"$JS.ACK.ORDERS.ship.x.42.40.17.7", 0, 0, false},                 // not a number
		{"$JS.ACK.ORDERS.ship.3..40.17.7", 0, 0, false},                   // empty
		{"$JS.ACK.ORDERS.ship.3.42.40.17.7.extra", 0, 0, false},           // 10 tokens
		{"$JS.ACK.ORDERS.ship.3.42", 0, 0, false},                         // too few
		{"$JS.NAK.ORDERS.ship.3.42.40.17.7", 0, 0, false},                 // not an ack subject
		{"$JS.ACK.ORDERS.ship.99999999999999999999.1.1.1.1", 0, 0, false}, // 20 digits
		{"", 0, 0, false},
	} {
		d, s, ok := deliveryOf(tc.reply)
		if d != tc.delivered || s != tc.seq || ok != tc.ok {
			t.Errorf("deliveryOf(%q) = %d, %d, %v; want %d, %d, %v", tc.reply, d, s, ok, tc.delivered, tc.seq, tc.ok)
		}
		agree(t, tc.reply)
	}
}

func FuzzDeliveryOf(f *testing.F) {
	f.Add("$JS.ACK.ORDERS.ship.3.42.40.1700000000000000000.7")
	f.Add("$JS.ACK._.ACCHASH.ORDERS.ship.1.9.9.1700000000000000000.0.r4nd0m")
	f.Add("$JS.ACK.a.b.c.d")
	f.Fuzz(func(t *testing.T, reply string) { agree(t, reply) })
}

// agree fails t if deliveryOf answers for reply and nats.go's Metadata
// does not, or reads other numbers.
func agree(t *testing.T, reply string) {
	t.Helper()
	d, s, ok := deliveryOf(reply)
	if !ok {
		return
	}
	md, err := (&nats.Msg{Reply: reply, Sub: &nats.Subscription{}}).Metadata()
	if err != nil {
		t.Fatalf("deliveryOf(%q) = %d, %d; nats.go: %v", reply, d, s, err)
	}
	if d != md.NumDelivered || s != md.Sequence.Stream {
		t.Fatalf("deliveryOf(%q) = %d, %d; nats.go reads %d, %d", reply, d, s, md.NumDelivered, md.Sequence.Stream)
	}
}
