package product

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// Product is a catalog entry as clients see it.
type Product struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
	Stock      int    `json:"stock"`
}

// ListProducts asks for the whole catalog.
type ListProducts struct{}

// ProductList is the answer of GET /api/v1/products.
type ProductList struct {
	Items []Product `json:"items"`
}

// GetProduct names one product.
type GetProduct struct {
	ID string `path:"id" json:"-"`
}

// NewProduct is the body of POST /api/v1/products.
type NewProduct struct {
	Name       string `json:"name" validate:"required,max=200"`
	PriceCents int64  `json:"price_cents" validate:"min=1"`
	Stock      int    `json:"stock" validate:"min=0,max=1000000"`
}

// LookupRequest names the products an order wants (the gRPC GetProducts).
type LookupRequest struct{ IDs []string }

// LookupReply holds one Product per requested ID, in request order.
type LookupReply struct{ Products []Product }

// Service is the product service's business logic over its own database. It
// knows nothing of HTTP, gRPC or NATS. Its methods are safe for concurrent use.
type Service struct {
	db *sql.DB
	// committed is called after a transaction that wrote to the outbox.
	committed func()
}

// NewService returns the service over db (already migrated). committed, if
// not nil, is called after each commit that added an outbox row.
func NewService(db *sql.DB, committed func()) *Service {
	if committed == nil {
		committed = func() {}
	}
	return &Service{db: db, committed: committed}
}

// List returns the catalog ordered by ID.
func (s *Service) List(ctx context.Context, _ ListProducts) (ProductList, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, price_cents, stock FROM products ORDER BY id`)
	if err != nil {
		return ProductList{}, err
	}
	defer rows.Close()
	out := ProductList{Items: []Product{}}
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock); err != nil {
			return ProductList{}, err
		}
		out.Items = append(out.Items, p)
	}
	return out, rows.Err()
}

// Get returns one product, or a NotFound error.
func (s *Service) Get(ctx context.Context, req GetProduct) (Product, error) {
	var p Product
	err := s.db.QueryRowContext(ctx, `SELECT id, name, price_cents, stock FROM products WHERE id = ?`, req.ID).
		Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock)
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, errs.NotFound("product %q not found", req.ID)
	}
	return p, err
}

// Create adds a product with a new ID.
func (s *Service) Create(ctx context.Context, req NewProduct) (Product, error) {
	p := Product{ID: newID(), Name: req.Name, PriceCents: req.PriceCents, Stock: req.Stock}
	_, err := s.db.ExecContext(ctx, `INSERT INTO products (id, name, price_cents, stock) VALUES (?, ?, ?, ?)`,
		p.ID, p.Name, p.PriceCents, p.Stock)
	return p, err
}

// Lookup returns the products named by req, or NotFound naming the first
// unknown ID, or InvalidArgument for an empty list.
func (s *Service) Lookup(ctx context.Context, req LookupRequest) (LookupReply, error) {
	if len(req.IDs) == 0 || len(req.IDs) > 100 {
		return LookupReply{}, errs.InvalidArgument("between 1 and 100 product IDs are required")
	}
	out := LookupReply{Products: make([]Product, 0, len(req.IDs))}
	for _, id := range req.IDs {
		p, err := s.Get(ctx, GetProduct{ID: id})
		if err != nil {
			return LookupReply{}, err
		}
		out.Products = append(out.Products, p)
	}
	return out, nil
}

// Reserve handles orders.created: it takes the whole order's stock or none
// of it, and records the outcome as a stock.reserved or stock.rejected event
// in the outbox, all in one transaction — the one ctx carries when called
// through sqldb.Processed, so that the event is marked processed in it too.
// Stock never goes negative: each line decrements only WHERE stock >= its
// quantity, and a CHECK constraint backs that up.
func (s *Service) Reserve(ctx context.Context, ev OrderCreated) error {
	if ev.OrderID == "" {
		return errs.InvalidArgument("orders.created without order_id")
	}
	reason := ""
	err := sqldb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		if reason, err = reserve(ctx, tx, ev); err != nil {
			return err
		}
		result := StockResult{OrderID: ev.OrderID, Reason: reason}
		subject := SubjectStockReserved
		if reason != "" {
			subject = SubjectStockRejected
		}
		// One outcome per order: the ID is derived from the order, so even a
		// second orders.created for it could not add a second outcome.
		return outbox.Add(ctx, tx, "stock-"+ev.OrderID, subject, result)
	})
	if err == nil && sqldb.TxFrom(ctx) == nil {
		s.committed() // in a caller's transaction, the caller wakes the relay after its commit
	}
	return err
}

// reserve takes stock for every line inside a savepoint, and rolls back to
// it (returning the reason) when one line cannot be served.
func reserve(ctx context.Context, tx *sql.Tx, ev OrderCreated) (reason string, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT reserve`); err != nil {
		return "", err
	}
	for _, l := range ev.Items {
		if reason, err = lineProblem(ctx, tx, ev.OrderID, l); err != nil {
			return "", err // a database error: the event is retried
		}
		if reason != "" {
			break
		}
	}
	if reason != "" {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO reserve`); err != nil {
			return "", err
		}
	}
	_, err = tx.ExecContext(ctx, `RELEASE reserve`)
	return reason, err
}

// lineProblem reserves one line and returns "" or why it cannot; err is
// a database failure.
func lineProblem(ctx context.Context, tx *sql.Tx, orderID string, l OrderLine) (string, error) {
	if l.Quantity <= 0 {
		return fmt.Sprintf("quantity %d of %s", l.Quantity, l.ProductID), nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE products SET stock = stock - ?, reserved = reserved + ?
		WHERE id = ? AND stock >= ?`, l.Quantity, l.Quantity, l.ProductID, l.Quantity)
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return "not enough stock of " + l.ProductID, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO reservations (order_id, product_id, quantity) VALUES (?, ?, ?)
		ON CONFLICT (order_id, product_id) DO UPDATE SET quantity = quantity + excluded.quantity`,
		orderID, l.ProductID, l.Quantity)
	return "", err
}

func newID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "p" + strings.ToLower(hex.EncodeToString(b))
}
