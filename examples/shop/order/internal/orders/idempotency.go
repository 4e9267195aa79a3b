package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gantrykit/gantry/errs"
)

// Keyed is a request's Idempotency-Key (empty: none) and the fingerprint
// of what it asks for, which a repeat with the key must match.
type Keyed struct{ Key, Fingerprint string }

// ErrKeyTaken is what Store.Create returns for a key the user has used
// already (the database's unique constraint refused it).
var ErrKeyTaken = errors.New("orders: idempotency key already used")

// maxKey bounds a key's length, in bytes once unquoted.
const maxKey = 255

// keyField names the header in errors.
const keyField = "Idempotency-Key"

// parseKey reads an Idempotency-Key header value. The draft makes it an
// RFC 8941 sf-string ("..." with \" and \\ escapes, printable ASCII);
// since many clients send the key bare, as Stripe's API takes it, a value
// without quotes is the key itself if it is printable ASCII without
// spaces, quotes or backslashes. Either way the key is 1 to maxKey bytes;
// anything else is a 400 naming the header.
func parseKey(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	key, ok := raw, true
	if raw[0] == '"' {
		key, ok = unquote(raw)
	} else {
		for _, c := range []byte(raw) {
			ok = ok && c > ' ' && c < 0x7f && c != '"' && c != '\\'
		}
	}
	switch {
	case !ok:
		return "", errs.InvalidField(keyField, `must be a string such as "8e03978e-40d5-43e8-bc93-6894a57f9324" (RFC 8941), or bare printable ASCII`)
	case key == "" || len(key) > maxKey:
		return "", errs.InvalidField(keyField, "must be 1 to 255 characters")
	}
	return key, nil
}

// unquote parses an RFC 8941 sf-string (section 4.2.5), the whole of s.
func unquote(s string) (string, bool) {
	if len(s) < 2 || s[len(s)-1] != '"' {
		return "", false
	}
	b := make([]byte, 0, len(s)-2)
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++
			if i == len(s)-1 || s[i] != '"' && s[i] != '\\' {
				return "", false
			}
			b = append(b, s[i])
		case c == '"' || c < ' ' || c > '~':
			return "", false
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

// fingerprint identifies what an order request asks for: its items as
// given (products, quantities and their order), whatever the JSON's
// spacing or member order.
func fingerprint(items []OrderItem) string {
	b, _ := json.Marshal(items)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// KeyReused is the error of a key sent again with other items: the draft
// answers it 422 Unprocessable Content, which the error table has no kind
// for, so it is an InvalidArgument with that status (go-kit's StatusCoder,
// which the HTTP transport reads).
type KeyReused struct{ err *errs.Error }

func (e KeyReused) Error() string { return e.err.Error() }

// Unwrap returns the InvalidArgument error the problem document shows.
func (e KeyReused) Unwrap() error { return e.err }

// StatusCode is 422.
func (KeyReused) StatusCode() int { return http.StatusUnprocessableEntity }

// replay answers a request whose key userID has used: the order it placed
// as it was answered then, or KeyReused if the items differ. found is
// false if the key is unused.
func (s *Service) replay(ctx context.Context, userID string, k Keyed) (Order, bool, error) {
	id, fp, err := s.store.ByKey(ctx, userID, k.Key)
	if errs.KindOf(err) == errs.KindNotFound {
		return Order{}, false, nil
	}
	if err != nil {
		return Order{}, false, err
	}
	if fp != k.Fingerprint {
		return Order{}, true, KeyReused{errs.InvalidField(keyField,
			"already used for an order with other items: send a new key for a new order")}
	}
	o, err := s.store.Get(ctx, userID, id)
	if err != nil {
		return Order{}, true, err
	}
	o.Status, o.Reason = Pending, "" // as placed: the order's answer then
	return o, true, nil
}

// raced answers a request that lost the race for its key to another one:
// the winner has committed (the constraint waited for it), so it is a
// repeat. Should the winner not be visible, the draft's 409 says to retry.
func (s *Service) raced(ctx context.Context, userID string, k Keyed) (Order, error) {
	o, found, err := s.replay(ctx, userID, k)
	if err == nil && !found {
		return Order{}, errs.Conflict("a request with this Idempotency-Key is in progress: retry it")
	}
	return o, err
}
