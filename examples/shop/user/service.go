package user

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/gantrykit/gantry/errs"
)

// Registration is the body of POST /api/v1/users. bcrypt reads at most
// 72 bytes of a password, hence the bound.
type Registration struct {
	Email    string `json:"email" validate:"required,email,max=254"`
	Password string `json:"password" validate:"required,min=8,max=72"`
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
	Password string `json:"password" validate:"required,max=72"`
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

// claims are what a token says: the user ID as subject, and the scopes.
type claims struct {
	jwt.RegisteredClaims
	Scope string `json:"scope"`
	Email string `json:"email"`
}

// Service is the user service's business logic over its own database. Its
// methods are safe for concurrent use.
type Service struct {
	db       *sql.DB
	signer   *Signer
	issuer   string
	audience string
	ttl      time.Duration
	cost     int
	dummy    []byte // a hash to compare against for unknown emails
	now      func() time.Time
}

// NewService returns the service over db (already migrated), issuing tokens
// signed by signer for issuer and audience, valid for ttl. cost is the bcrypt
// cost (bcrypt.DefaultCost in production).
func NewService(db *sql.DB, signer *Signer, issuer, audience string, ttl time.Duration, cost int) (*Service, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), cost)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, signer: signer, issuer: issuer, audience: audience, ttl: ttl, cost: cost, dummy: dummy, now: time.Now}, nil
}

// Register creates an account; an email already taken is a Conflict.
func (s *Service) Register(ctx context.Context, req Registration) (User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(req.Password), s.cost)
	if err != nil {
		return User{}, err
	}
	u := User{ID: newID(), Email: strings.ToLower(strings.TrimSpace(req.Email)), Name: req.Name}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, hash)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return User{}, errs.Conflict("email %s is already registered", u.Email)
	}
	return u, err
}

// EnsureAdmin creates the account email with password and admin rights, or,
// when it exists, grants it admin rights and sets its password.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, admin) VALUES (?, ?, 'Admin', ?, 1)
		ON CONFLICT (email) DO UPDATE SET admin = 1, password_hash = excluded.password_hash`,
		newID(), strings.ToLower(strings.TrimSpace(email)), hash)
	return err
}

// Login checks the password and returns a signed token; an unknown email and
// a wrong password are the same Unauthenticated error, after the same work.
func (s *Service) Login(ctx context.Context, req Credentials) (Token, error) {
	var u User
	var hash []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, email, admin, password_hash FROM users WHERE email = ?`,
		strings.ToLower(strings.TrimSpace(req.Email))).Scan(&u.ID, &u.Email, &u.Admin, &hash)
	if errors.Is(err, sql.ErrNoRows) {
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
	t.Header["kid"] = s.signer.KeyID()
	signed, err := t.SignedString(s.signer.key)
	if err != nil {
		return Token{}, err
	}
	return Token{Token: signed, ExpiresAt: exp.UTC().Truncate(time.Second)}, nil
}

// Profile returns the caller's account.
func (s *Service) Profile(ctx context.Context, req ProfileRequest) (User, error) {
	var u User
	err := s.db.QueryRowContext(ctx, `SELECT id, email, name, admin FROM users WHERE id = ?`, req.UserID).
		Scan(&u.ID, &u.Email, &u.Name, &u.Admin)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.NotFound("user not found")
	}
	return u, err
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "u" + hex.EncodeToString(b)
}
