// Command events is step 4 of the Gantry tutorial: publish events to NATS
// JetStream, consume them once each, and dead-letter the ones that cannot
// be handled. See README.md.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
	httpt "github.com/gantrykit/gantry/transport/http"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// OrderPlaced is the event: a fact the orders service announces.
type OrderPlaced struct {
	ID    string `json:"id"`
	Email string `json:"email" validate:"required,email"`
	Item  string `json:"item" validate:"required,max=100"`
}

// Placed answers POST /v1/orders.
type Placed struct {
	ID string `json:"id"`
}

// Mailbox is what the mailer consumer has done.
type Mailbox struct {
	mu   sync.Mutex
	view View
}

// View answers GET /v1/mailbox.
type View struct {
	Receipts    []string `json:"receipts"`
	DeadLetters []string `json:"dead_letters"`
}

func (m *Mailbox) add(list *[]string, s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	*list = append(*list, s)
}

// Show returns a copy of the mailbox.
func (m *Mailbox) Show(context.Context, struct{}) (View, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return View{Receipts: append([]string{}, m.view.Receipts...), DeadLetters: append([]string{}, m.view.DeadLetters...)}, nil
}

// SendReceipt is the consumer's handler. An address it can never deliver to
// is a permanent failure: retrying would not help, so the event is
// dead-lettered at once.
func (m *Mailbox) SendReceipt(_ context.Context, ev events.Event[OrderPlaced]) error {
	if strings.HasSuffix(ev.Data.Email, ".invalid") {
		return events.Permanent(fmt.Errorf("cannot mail %s", ev.Data.Email))
	}
	m.add(&m.view.Receipts, fmt.Sprintf("receipt for %s to %s", ev.Data.Item, ev.Data.Email))
	return nil
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	app := kit.New("orders", kit.WithArgs(args), kit.WithGetenv(getenv))
	if err := app.Err(); err != nil {
		return err
	}
	n := natskit.New(app, embedded.Starter) // GANTRY_NATS_URL, or an embedded server
	var placed *events.Publisher[OrderPlaced]
	mailbox := &Mailbox{}

	app.OnStart("events", func(ctx context.Context) error {
		_, err := events.EnsureStream(ctx, n.JetStream(), jetstream.StreamConfig{
			Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.FileStorage})
		if err != nil {
			return err
		}
		placed = events.NewPublisher[OrderPlaced](n.JetStream(), "orders.placed", events.WithType("order.placed", 1))
		// Watch the dead letters, to show them; operators would alert on them.
		_, err = n.Conn().Subscribe("dlq.ORDERS.mailer", func(m *nats.Msg) {
			mailbox.add(&mailbox.view.DeadLetters, m.Header.Get("Gantry-Dead-Reason")+": "+string(m.Data))
		})
		return err
	})
	var applied events.MemoryStore // a real service records these in its own database
	natskit.Subscribe(n, events.Consumer{Stream: "ORDERS", Durable: "mailer", MaxDeliver: 3},
		events.Idempotent(&applied, mailbox.SendReceipt))

	place := endpoint.Wrap(func(ctx context.Context, o OrderPlaced) (Placed, error) {
		o.ID = rand.Text()
		if _, err := placed.Publish(ctx, o.ID, o); err != nil {
			return Placed{}, err
		}
		return Placed{ID: o.ID}, nil
	}, app.Middleware("place_order")...)
	app.HTTP().Handle("POST /v1/orders", httpt.NewServer(place, httpt.WithStatus(202)))
	app.HTTP().Handle("GET /v1/mailbox", httpt.NewServer(mailbox.Show))
	return app.Run(ctx)
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "orders:", err)
		os.Exit(1)
	}
}
