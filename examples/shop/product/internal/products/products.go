// Package products is the product service's business logic: the catalog,
// the lookup the order service uses, and the reservation of an order's
// stock. It knows nothing of HTTP, gRPC, NATS or SQL: the store is given
// to it.
package products

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/gantrykit/gantry/errs"
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
	PriceCents int64  `json:"price_cents" validate:"required,min=1,max=100000000"`
	Stock      int    `json:"stock" validate:"min=0,max=1000000"`
}

// LookupRequest names the products an order wants (the gRPC GetProducts).
type LookupRequest struct{ IDs []string }

// LookupReply holds one Product per requested ID, in request order.
type LookupReply struct{ Products []Product }

// Store keeps the catalog and its stock. Implementations are safe for
// concurrent use.
type Store interface {
	// List returns the catalog ordered by ID.
	List(ctx context.Context) ([]Product, error)
	// Get returns one product, or a NotFound error.
	Get(ctx context.Context, id string) (Product, error)
	// Create adds p.
	Create(ctx context.Context, p Product) error
	// Reserve takes the stock of every line of ev, or none of it, and
	// records the outcome (stock.reserved, or stock.rejected with the
	// reason) as an event, in one transaction: the one ctx carries, if
	// any.
	Reserve(ctx context.Context, ev OrderCreated) error
}

// Service is the product service's business logic. Its methods are safe
// for concurrent use.
type Service struct {
	store Store
}

// NewService returns the service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// List returns the catalog ordered by ID.
func (s *Service) List(ctx context.Context, _ ListProducts) (ProductList, error) {
	ps, err := s.store.List(ctx)
	if err != nil {
		return ProductList{}, err
	}
	return ProductList{Items: ps}, nil
}

// Get returns one product, or a NotFound error.
func (s *Service) Get(ctx context.Context, req GetProduct) (Product, error) {
	return s.store.Get(ctx, req.ID)
}

// Create adds a product with a new ID.
func (s *Service) Create(ctx context.Context, req NewProduct) (Product, error) {
	p := Product{ID: newID(), Name: req.Name, PriceCents: req.PriceCents, Stock: req.Stock}
	return p, s.store.Create(ctx, p)
}

// Lookup returns the products named by req, or NotFound naming the first
// unknown ID, or InvalidArgument for an empty list.
func (s *Service) Lookup(ctx context.Context, req LookupRequest) (LookupReply, error) {
	if len(req.IDs) == 0 || len(req.IDs) > 100 {
		return LookupReply{}, errs.InvalidArgument("between 1 and 100 product IDs are required")
	}
	out := LookupReply{Products: make([]Product, 0, len(req.IDs))}
	for _, id := range req.IDs {
		p, err := s.store.Get(ctx, id)
		if err != nil {
			return LookupReply{}, err
		}
		out.Products = append(out.Products, p)
	}
	return out, nil
}

// Reserve handles orders.created: it takes the whole order's stock or none
// of it, and records the outcome as a stock.reserved or stock.rejected
// event, all in one transaction — the consumer's, so that the event is
// marked processed in it too. Stock never goes negative.
func (s *Service) Reserve(ctx context.Context, ev OrderCreated) error {
	if ev.OrderID == "" {
		return errs.InvalidArgument("orders.created without order_id")
	}
	return s.store.Reserve(ctx, ev)
}

func newID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "p" + strings.ToLower(hex.EncodeToString(b))
}
