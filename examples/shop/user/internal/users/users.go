// Package users is the user service's business logic: accounts, their
// bcrypt password hashes, login that issues RS256 tokens, and the signing
// key. It knows nothing of HTTP or SQL: the store is given to it.
package users

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/gantrykit/gantry/errs"
)

// Registration is the body of POST /api/v1/users. bcrypt reads at most
// 72 bytes of a password, hence the bound in bytes (maxbytes) beside the
// one in characters (max) that JSON Schema can state.
type Registration struct {
	Email    string `json:"email" validate:"required,email,max=254"`
	Password string `json:"password" validate:"required,min=8,max=72,maxbytes=72"`
	Name     string `json:"name" validate:"required,max=100"`
}

// User is an account as clients see it.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Admin bool   `json:"admin,omitempty"`
}

// Credentials is the body of POST /api/v1/auth/login.
type Credentials struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=72,maxbytes=72"`
}

// Token is a signed access token and when it expires.
type Token struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ProfileRequest names the caller, taken from its validated token.
type ProfileRequest struct {
	UserID string `json:"-"`
}

// ErrNoUser is what a Store returns for an unknown account.
var ErrNoUser = errors.New("users: no such user")

// Store keeps accounts. Emails are stored as given (Service lower-cases
// them). Implementations are safe for concurrent use.
type Store interface {
	// Insert adds u with the password hash; an email already taken is a
	// Conflict error.
	Insert(ctx context.Context, u User, hash []byte) error
	// UpsertAdmin creates the account email (named Admin, with ID id) with
	// the hash and admin rights, or grants an existing one admin rights
	// and sets its hash.
	UpsertAdmin(ctx context.Context, id, email string, hash []byte) error
	// ByEmail returns the account (ID, email and admin only) and its
	// password hash, or ErrNoUser.
	ByEmail(ctx context.Context, email string) (User, []byte, error)
	// ByID returns the account, or ErrNoUser.
	ByID(ctx context.Context, id string) (User, error)
}

// claims are what a token says: the user ID as subject, and the scopes.
type claims struct {
	jwt.RegisteredClaims
	Scope string `json:"scope"`
	Email string `json:"email"`
}

// Service is the user service's business logic. Its methods are safe for
// concurrent use.
type Service struct {
	store    Store
	keys     *KeyRing
	issuer   string
	audience string
	ttl      time.Duration
	cost     int
	dummy    []byte // a hash to compare against for unknown emails
	now      func() time.Time
}

// NewService returns the service over store, issuing tokens signed by the
// current key of keys for issuer and audience, valid for ttl. cost is the
// bcrypt cost (bcrypt.DefaultCost in production).
func NewService(store Store, keys *KeyRing, issuer, audience string, ttl time.Duration, cost int) (*Service, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), cost)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, keys: keys, issuer: issuer, audience: audience, ttl: ttl, cost: cost, dummy: dummy, now: time.Now}, nil
}

// Register creates an account; an email already taken is a Conflict.
func (s *Service) Register(ctx context.Context, req Registration) (User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(req.Password), s.cost)
	if err != nil {
		return User{}, err
	}
	u := User{ID: newID(), Email: normal(req.Email), Name: req.Name}
	if err := s.store.Insert(ctx, u, hash); err != nil {
		return User{}, err
	}
	return u, nil
}

// EnsureAdmin creates the account email with password and admin rights, or,
// when it exists, grants it admin rights and sets its password.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return err
	}
	return s.store.UpsertAdmin(ctx, newID(), normal(email), hash)
}

// Login checks the password and returns a signed token; an unknown email and
// a wrong password are the same Unauthenticated error, after the same work.
func (s *Service) Login(ctx context.Context, req Credentials) (Token, error) {
	u, hash, err := s.store.ByEmail(ctx, normal(req.Email))
	if errors.Is(err, ErrNoUser) {
		hash = s.dummy
	} else if err != nil {
		return Token{}, err
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(req.Password)) != nil || u.ID == "" {
		return Token{}, errs.Unauthenticated("wrong email or password")
	}
	now := s.now()
	exp := now.Add(s.ttl)
	scope := "shop"
	if u.Admin {
		scope += " admin"
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: u.ID, Issuer: s.issuer, Audience: jwt.ClaimStrings{s.audience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp), ID: newID(),
		},
		Scope: scope, Email: u.Email,
	})
	kid, key, err := s.keys.Signer()
	if err != nil {
		return Token{}, err
	}
	t.Header["kid"] = kid
	signed, err := t.SignedString(key)
	if err != nil {
		return Token{}, err
	}
	return Token{Token: signed, ExpiresAt: exp.UTC().Truncate(time.Second)}, nil
}

// Profile returns the caller's account.
func (s *Service) Profile(ctx context.Context, req ProfileRequest) (User, error) {
	u, err := s.store.ByID(ctx, req.UserID)
	if errors.Is(err, ErrNoUser) {
		return User{}, errs.NotFound("user not found")
	}
	return u, err
}

// normal is an email as stored: trimmed and lower-case.
func normal(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "u" + hex.EncodeToString(b)
}
