// Package items is the business logic of the service: what an item is, the
// rules for creating one, and where items are kept. It imports no toolkit
// package; transports, events and storage adapt to it, never the other way.
package items

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Errors the service returns. Transports map them to status codes (see
// internal/api); wrap them with fmt.Errorf("%w: ...") to add detail.
var (
	ErrNotFound = errors.New("item not found")
	ErrInvalid  = errors.New("invalid item")
)

// Item is one thing the service keeps.
type Item struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// CreateRequest is the body of POST /v1/items. The validate tags are read by
// the HTTP transport (and published in the OpenAPI document); Create checks
// the same rules for every other caller.
type CreateRequest struct {
	Name string `json:"name" validate:"required,min=1,max=100"`
}

// GetRequest names one item; the ID comes from the path.
type GetRequest struct {
	ID string `path:"id" json:"-"`
}

// ListRequest asks for the most recent items.
type ListRequest struct {
	Limit int `query:"limit" json:"-" validate:"min=0,max=100"`
}

// List is a page of items, newest first.
type List struct {
	Items []Item `json:"items"`
}

// Created is the fact announced after an item is stored.
type Created struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Repository keeps items. Get returns an error wrapping ErrNotFound for an
// unknown ID. Implementations must be safe for concurrent use.
type Repository interface {
	Create(ctx context.Context, it Item) error
	Get(ctx context.Context, id string) (Item, error)
	List(ctx context.Context, limit int) ([]Item, error)
}

// Notifier is told about each created item (the events publisher, or nil).
type Notifier interface {
	ItemCreated(ctx context.Context, ev Created) error
}

// Service is the items API. Its methods are safe for concurrent use; set
// DefaultLimit before the first call.
type Service struct {
	// DefaultLimit is how many items List returns when the request names
	// no limit (NewService sets 20).
	DefaultLimit int

	repo   Repository
	notify Notifier
	now    func() time.Time

	observed atomic.Int64
}

// NewService returns a Service over repo. notify may be nil.
func NewService(repo Repository, notify Notifier) *Service {
	return &Service{DefaultLimit: 20, repo: repo, notify: notify, now: time.Now}
}

// Create stores a new item and announces it.
func (s *Service) Create(ctx context.Context, req CreateRequest) (Item, error) {
	name := strings.TrimSpace(req.Name)
	// Characters, as the schema counts; NUL is not text to PostgreSQL.
	if name == "" || utf8.RuneCountInString(name) > 100 || strings.ContainsRune(name, 0) {
		return Item{}, fmt.Errorf("%w: name must have 1 to 100 characters, none of them NUL", ErrInvalid)
	}
	it := Item{ID: newID(), Name: name, Created: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.repo.Create(ctx, it); err != nil {
		return Item{}, err
	}
	if s.notify != nil {
		// Stored but not announced if this fails: the caller sees the
		// error. Use an outbox table when every event must go out.
		if err := s.notify.ItemCreated(ctx, Created{ID: it.ID, Name: it.Name}); err != nil {
			return Item{}, fmt.Errorf("announce item %s: %w", it.ID, err)
		}
	}
	return it, nil
}

// Get returns one item, or an error wrapping ErrNotFound.
func (s *Service) Get(ctx context.Context, req GetRequest) (Item, error) {
	if req.ID == "" {
		return Item{}, fmt.Errorf("%w: id is empty", ErrInvalid)
	}
	if !utf8.ValidString(req.ID) || strings.ContainsRune(req.ID, 0) {
		// No ID is like this, and a database would refuse to compare it.
		return Item{}, fmt.Errorf("%w: %q", ErrNotFound, req.ID)
	}
	return s.repo.Get(ctx, req.ID)
}

// List returns up to req.Limit items (default DefaultLimit), newest first.
func (s *Service) List(ctx context.Context, req ListRequest) (List, error) {
	limit := req.Limit
	if limit < 0 || limit > 100 {
		return List{}, fmt.Errorf("%w: limit must be between 0 and 100", ErrInvalid)
	}
	if limit == 0 {
		limit = s.DefaultLimit
	}
	its, err := s.repo.List(ctx, limit)
	if err != nil {
		return List{}, err
	}
	return List{Items: its}, nil
}

// Observe reacts to an announced item. Here it only checks the event and
// counts it; replace it with what the service does when another one (or
// itself) announces something. An invalid event is an error wrapping
// ErrInvalid: retrying cannot fix it.
func (s *Service) Observe(_ context.Context, ev Created) error {
	if ev.ID == "" || ev.Name == "" {
		return fmt.Errorf("%w: event without id or name", ErrInvalid)
	}
	s.observed.Add(1)
	return nil
}

// Observed returns how many events Observe has accepted.
func (s *Service) Observed() int64 { return s.observed.Load() }

// newID returns a random ID of 26 base32 characters (130 bits).
func newID() string { return strings.ToLower(rand.Text()) }
