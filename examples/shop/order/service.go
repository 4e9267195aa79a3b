package order

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
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
// caller's token.
type PlaceOrder struct {
	UserID string      `json:"-"`
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

// Service is the order service's business logic over its own database. Its
// methods are safe for concurrent use.
type Service struct {
	db        *sql.DB
	catalog   Catalog
	committed func()
}

// NewService returns the service over db (already migrated), checking
// products with catalog. committed, if not nil, is called after each commit
// that wrote to the outbox (to wake the relay).
func NewService(db *sql.DB, catalog Catalog, committed func()) *Service {
	if committed == nil {
		committed = func() {}
	}
	return &Service{db: db, catalog: catalog, committed: committed}
}

// Create checks the products and prices with the catalog, then writes the
// order (pending) and its orders.created event to the outbox in ONE
// transaction. An unknown product or a quantity below 1 is InvalidArgument.
func (s *Service) Create(ctx context.Context, req PlaceOrder) (Order, error) {
	if req.UserID == "" {
		return Order{}, errs.Unauthenticated("bearer token required")
	}
	lines, ids, err := merge(req.Items)
	if err != nil {
		return Order{}, err
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
	err = sqldb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, user_id, status, total_cents) VALUES (?, ?, ?, ?)`,
			o.ID, req.UserID, o.Status, o.TotalCents); err != nil {
			return err
		}
		for _, l := range o.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_items (order_id, product_id, name, quantity, price_cents)
				VALUES (?, ?, ?, ?, ?)`, o.ID, l.ProductID, l.Name, l.Quantity, l.PriceCents); err != nil {
				return err
			}
		}
		return outbox.Add(ctx, tx, "order-created-"+o.ID, SubjectOrderCreated, ev)
	})
	if err != nil {
		return Order{}, err
	}
	s.committed()
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
	o := Order{ID: req.ID}
	err := s.db.QueryRowContext(ctx, `SELECT status, reason, total_cents FROM orders WHERE id = ? AND user_id = ?`,
		req.ID, req.UserID).Scan(&o.Status, &o.Reason, &o.TotalCents)
	if errors.Is(err, sql.ErrNoRows) || req.UserID == "" {
		return Order{}, errs.NotFound("order %q not found", req.ID)
	}
	if err != nil {
		return Order{}, err
	}
	o.Items, err = s.lines(ctx, o.ID)
	return o, err
}

// List returns the caller's orders, newest first (at most 100).
func (s *Service) List(ctx context.Context, req ListOrders) (OrderList, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, status, reason, total_cents FROM orders
		WHERE user_id = ? ORDER BY created_at DESC, id LIMIT 100`, req.UserID)
	if err != nil {
		return OrderList{}, err
	}
	out := OrderList{Items: []Order{}}
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Status, &o.Reason, &o.TotalCents); err != nil {
			rows.Close()
			return OrderList{}, err
		}
		out.Items = append(out.Items, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return OrderList{}, err
	}
	for i := range out.Items {
		if out.Items[i].Items, err = s.lines(ctx, out.Items[i].ID); err != nil {
			return OrderList{}, err
		}
	}
	return out, nil
}

func (s *Service) lines(ctx context.Context, orderID string) ([]OrderLine, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT product_id, name, quantity, price_cents FROM order_items
		WHERE order_id = ? ORDER BY rowid`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ls := []OrderLine{}
	for rows.Next() {
		var l OrderLine
		if err := rows.Scan(&l.ProductID, &l.Name, &l.Quantity, &l.PriceCents); err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, rows.Err()
}

// Settle handles stock.reserved (reserved true → confirmed) and
// stock.rejected (→ rejected). Only a pending order moves, so a duplicate or
// late event changes nothing. It runs in the transaction ctx carries (see
// sqldb.Processed). An unknown order is a permanent error: dead-lettered.
func (s *Service) Settle(ctx context.Context, res StockResult, reserved bool) error {
	status := Rejected
	if reserved {
		status = Confirmed
	}
	return sqldb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, reason = ?,
			updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ? AND status = 'pending'`,
			status, res.Reason, res.OrderID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE id = ?`, res.OrderID).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return errs.InvalidArgument("stock result for unknown order %q", res.OrderID)
			}
		}
		return nil
	})
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "o" + hex.EncodeToString(b)
}
