package http

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/gantrykit/gantry/errs"
)

// Validator is implemented by request types that check themselves after
// decoding. An error without a kind becomes an InvalidArgument whose message
// is the error's text, so write it for the client; return errs.InvalidField
// to name the field.
type Validator interface {
	Validate() error
}

var validatorType = reflect.TypeFor[Validator]()

// fieldPath is the name of a nested field, built into a string only when
// it is reported, so that checking a valid request allocates nothing.
type fieldPath struct {
	parent *fieldPath
	name   string // of a member
	index  int    // of a list element, or -1 for a member
}

// String is the path as a client reads it, such as items[2].product_id.
// It walks the parents twice, measuring then writing, and keeps no pointer
// to them, so that a path can live on its checker's stack.
func (fp *fieldPath) String() string {
	n := 0
	for p := fp; p != nil; p = p.parent {
		n += p.size()
	}
	b := make([]byte, n)
	for p := fp; p != nil; p = p.parent {
		n -= p.size()
		if p.index >= 0 {
			b[n] = '['
			strconv.AppendInt(b[n+1:n+1], int64(p.index), 10)
			b[n+p.size()-1] = ']'
		} else {
			b[n] = '.'
			copy(b[n+1:], p.name)
		}
	}
	return strings.TrimPrefix(string(b), ".")
}

// size is the length of fp's own part of the path: .name or [index].
func (fp *fieldPath) size() int {
	if fp.index >= 0 {
		return len(strconv.Itoa(fp.index)) + 2
	}
	return len(fp.name) + 1
}

// invalid turns violations into the error a client sees.
func invalid(v []errs.FieldViolation) *errs.Error {
	parts := make([]string, len(v))
	for i, fv := range v {
		parts[i] = fv.Field + ": " + fv.Description
	}
	return &errs.Error{Kind: errs.KindInvalidArgument, Message: strings.Join(parts, "; "), Fields: v}
}
