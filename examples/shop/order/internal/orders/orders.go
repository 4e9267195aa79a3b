// Package orders is the order service's business logic: what an order is,
// the rules for placing one (known products, positive quantities, the
// prices of the moment) and how stock results settle it. It knows nothing
// of HTTP, gRPC, NATS or SQL: the catalog and the store are given to it.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gantrykit/gantry/errs"
)

// Order statuses.
const (
	Pending   = "pending"
	Confirmed = "confirmed"
	Rejected  = "rejected"
)

// OrderItem is one line of an order request.
type OrderItem struct {
	ProductID string `json:"product_id" validate:"required,max=64"`
	Quantity  int    `json:"quantity" validate:"min=1,max=1000"`
}

// PlaceOrder is the body of POST /api/v1/orders; UserID comes from the
// caller's token, Key from the Idempotency-Key header (see Create).
type PlaceOrder struct {
	UserID string      `json:"-"`
	Key    string      `header:"Idempotency-Key" json:"-" validate:"max=600" description:"A key the client makes for this order, unique per user (a UUID is recommended), sent again with each retry: an RFC 8941 string such as \"8e03978e-40d5-43e8-bc93-6894a57f9324\", or bare, of at most 255 printable ASCII characters. A request repeating a key with the same items places nothing and answers 202 with the order the key placed, as it was answered then; with other items, 422. The key is kept as long as its order."`
	Items  []OrderItem `json:"items" validate:"required,max=50"`
}

// OrderLine is one line of an order, with the price when it was placed.
type OrderLine struct {
	ProductID  string `json:"product_id"`
	Name       string `json:"name"`
	Quantity   int    `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
}

// Order is an order as its owner sees it.
type Order struct {
	ID         string      `json:"id"`
	Status     string      `json:"status"`
	Reason     string      `json:"reason,omitempty"`
	Items      []OrderLine `json:"items"`
	TotalCents int64       `json:"total_cents"`
}

// GetOrder names one of the caller's orders.
type GetOrder struct {
	ID     string `path:"id" json:"-"`
	UserID string `json:"-"`
}

// ListOrders asks for the caller's orders.
type ListOrders struct {
	UserID string `json:"-"`
}

// OrderList is the answer of GET /api/v1/orders, newest first.
type OrderList struct {
	Items []Order `json:"items"`
}

// Product is what the order service needs to know of a product.
type Product struct {
	ID         string
	Name       string
	PriceCents int64
}

// Catalog looks products up by ID, in order, with a NotFound error for an
// unknown one. The order service implements it with a gRPC client of the
// product service; tests may use a fixed table.
type Catalog func(ctx context.Context, ids []string) ([]Product, error)

// Store keeps orders. Implementations are safe for concurrent use.
type Store interface {
	// Create writes o, placed by userID, and its orders.created event ev,
	// in one transaction, with the request's key if it has one. A key
	// userID has used before is ErrKeyTaken, and nothing is written.
	Create(ctx context.Context, userID string, key Keyed, o Order, ev OrderCreated) error
	// ByKey returns the ID of the order userID placed with key and that
	// request's fingerprint, or a NotFound error.
	ByKey(ctx context.Context, userID, key string) (orderID, fingerprint string, err error)
	// Get returns order id if userID owns it, else a NotFound error.
	Get(ctx context.Context, userID, id string) (Order, error)
	// List returns userID's orders, newest first, at most 100.
	List(ctx context.Context, userID string) ([]Order, error)
	// Settle moves order id to status with reason if it is pending, and
	// does nothing if it is not; an unknown order is an InvalidArgument
	// error. It runs in the transaction ctx carries, if any.
	Settle(ctx context.Context, id, status, reason string) error
}

// Service is the order service's business logic. Its methods are safe for
// concurrent use.
type Service struct {
	store   Store
	catalog Catalog
}

// NewService returns the service over store, checking products with
// catalog.
func NewService(store Store, catalog Catalog) *Service {
	return &Service{store: store, catalog: catalog}
}

// Create checks the products and prices with the catalog, then writes the
// order (pending) and its orders.created event in ONE transaction. An
// unknown product or a quantity below 1 is InvalidArgument.
//
// With an Idempotency-Key (req.Key), the order is placed at most once per
// user and key, as the IETF draft on the header describes: the key and
// the fingerprint of the items are written in the order's transaction,
// under a unique constraint, so that of two requests racing with one key,
// on any replicas, one places the order and the other answers with it.
// A repeat with the same items answers the order as it was first answered
// (pending, whatever it is now); with other items it is a 422 (see
// KeyReused). A request that failed placed nothing, and its key is free.
func (s *Service) Create(ctx context.Context, req PlaceOrder) (Order, error) {
	if req.UserID == "" {
		return Order{}, errs.Unauthenticated("bearer token required")
	}
	lines, ids, err := merge(req.Items)
	if err != nil {
		return Order{}, err
	}
	key, err := parseKey(req.Key)
	if err != nil {
		return Order{}, err
	}
	keyed := Keyed{Key: key, Fingerprint: fingerprint(req.Items)}
	if key != "" {
		if o, found, err := s.replay(ctx, req.UserID, keyed); found || err != nil {
			return o, err
		}
	}
	products, err := s.catalog(ctx, ids)
	if errs.KindOf(err) == errs.KindNotFound {
		return Order{}, errs.InvalidField("items", err.Error())
	}
	if err != nil {
		return Order{}, err
	}
	if len(products) != len(ids) {
		return Order{}, errs.Internal(fmt.Errorf("catalog answered %d products for %d IDs", len(products), len(ids)))
	}
	o := Order{ID: newID(), Status: Pending, Items: make([]OrderLine, len(ids))}
	ev := OrderCreated{OrderID: o.ID, Items: make([]LineItem, len(ids))}
	for i, p := range products {
		o.Items[i] = OrderLine{ProductID: p.ID, Name: p.Name, Quantity: lines[p.ID], PriceCents: p.PriceCents}
		o.TotalCents += p.PriceCents * int64(lines[p.ID])
		ev.Items[i] = LineItem{ProductID: p.ID, Quantity: lines[p.ID]}
	}
	if err := s.store.Create(ctx, req.UserID, keyed, o, ev); errors.Is(err, ErrKeyTaken) {
		return s.raced(ctx, req.UserID, keyed)
	} else if err != nil {
		return Order{}, err
	}
	return o, nil
}

// merge adds up the quantities of lines naming one product and returns them
// with the product IDs in first-seen order.
func merge(items []OrderItem) (map[string]int, []string, error) {
	if len(items) == 0 {
		return nil, nil, errs.InvalidField("items", "at least one item is required")
	}
	q := map[string]int{}
	var ids []string
	for i, it := range items {
		if it.Quantity <= 0 {
			return nil, nil, errs.InvalidField(fmt.Sprintf("items[%d].quantity", i), "must be at least 1")
		}
		if it.ProductID == "" {
			return nil, nil, errs.InvalidField(fmt.Sprintf("items[%d].product_id", i), "is required")
		}
		if _, seen := q[it.ProductID]; !seen {
			ids = append(ids, it.ProductID)
		}
		q[it.ProductID] += it.Quantity
	}
	return q, ids, nil
}

// Get returns the order if the caller owns it; anyone else's order, like a
// missing one, is NotFound (its existence is not disclosed).
func (s *Service) Get(ctx context.Context, req GetOrder) (Order, error) {
	if req.UserID == "" {
		return Order{}, errs.NotFound("order %q not found", req.ID)
	}
	return s.store.Get(ctx, req.UserID, req.ID)
}

// List returns the caller's orders, newest first (at most 100).
func (s *Service) List(ctx context.Context, req ListOrders) (OrderList, error) {
	os, err := s.store.List(ctx, req.UserID)
	if err != nil {
		return OrderList{}, err
	}
	return OrderList{Items: os}, nil
}

// Settle handles stock.reserved (reserved true → confirmed) and
// stock.rejected (→ rejected). Only a pending order moves, so a duplicate or
// late event changes nothing. It runs in the transaction ctx carries (the
// consumer's, which also records the event as processed). An unknown order
// is a permanent error: dead-lettered.
func (s *Service) Settle(ctx context.Context, res StockResult, reserved bool) error {
	status := Rejected
	if reserved {
		status = Confirmed
	}
	return s.store.Settle(ctx, res.OrderID, status, res.Reason)
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "o" + hex.EncodeToString(b)
}
