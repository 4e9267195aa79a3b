package http

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// setter parses s into the value at p, whose type was fixed when the setter
// was built. It returns a short description of what it wanted on failure
// ("want integer"), which the decoder turns into a field violation.
type setter func(p unsafe.Pointer, s string) error

// formatter renders the value at p for a URL; ok is false for a zero value,
// which a client leaves out of the query.
type formatter func(p unsafe.Pointer) (s string, ok bool)

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
	timeType            = reflect.TypeFor[time.Time]()
)

// wantError is a parse failure of one path or query value.
type wantError struct{ want string }

func (e *wantError) Error() string { return "want " + e.want }

// newSetter returns the setter for a path or query field of type t, or an
// error naming the unsupported type. Slices are handled by the caller.
func newSetter(t reflect.Type) (setter, error) {
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return func(p unsafe.Pointer, s string) error {
			u := reflect.NewAt(t, p).Interface().(encoding.TextUnmarshaler)
			if err := u.UnmarshalText([]byte(s)); err != nil {
				return &wantError{want: paramTypeName(t) + " (" + err.Error() + ")"}
			}
			return nil
		}, nil
	}
	if t == durationType {
		return func(p unsafe.Pointer, s string) error {
			d, err := time.ParseDuration(s)
			if err != nil {
				return &wantError{want: "duration such as 1.5s"}
			}
			*(*time.Duration)(p) = d
			return nil
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer, s string) error { *(*string)(p) = s; return nil }, nil
	case reflect.Bool:
		return func(p unsafe.Pointer, s string) error {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return &wantError{want: "boolean"}
			}
			*(*bool)(p) = b
			return nil
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(p unsafe.Pointer, s string) error {
			n, err := strconv.ParseInt(s, 10, bits)
			if err != nil {
				return &wantError{want: "integer"}
			}
			storeInt(p, bits, uint64(n))
			return nil
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := t.Bits()
		return func(p unsafe.Pointer, s string) error {
			n, err := strconv.ParseUint(s, 10, bits)
			if err != nil {
				return &wantError{want: "non-negative integer"}
			}
			storeInt(p, bits, n)
			return nil
		}, nil
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(p unsafe.Pointer, s string) error {
			f, err := strconv.ParseFloat(s, bits)
			if err != nil {
				return &wantError{want: "number"}
			}
			if bits == 32 {
				*(*float32)(p) = float32(f)
			} else {
				*(*float64)(p) = f
			}
			return nil
		}, nil
	case reflect.Pointer:
		elem, err := newSetter(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(p unsafe.Pointer, s string) error {
			v := reflect.New(t.Elem())
			if err := elem(v.UnsafePointer(), s); err != nil {
				return err
			}
			*(*unsafe.Pointer)(p) = v.UnsafePointer()
			return nil
		}, nil
	}
	return nil, fmt.Errorf("unsupported parameter type %v", t)
}

// storeInt writes the low bits of n to the integer of that size at p
// (signed and unsigned integers share their layout).
func storeInt(p unsafe.Pointer, bits int, n uint64) {
	switch bits {
	case 8:
		*(*uint8)(p) = uint8(n)
	case 16:
		*(*uint16)(p) = uint16(n)
	case 32:
		*(*uint32)(p) = uint32(n)
	default:
		*(*uint64)(p) = n
	}
}

// newFormatter is the client-side mirror of newSetter. The formatter always
// renders the value; ok reports whether it is non-zero.
func newFormatter(t reflect.Type) (formatter, error) {
	if t.Kind() == reflect.Pointer {
		elem, err := newFormatter(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(p unsafe.Pointer) (string, bool) {
			q := *(*unsafe.Pointer)(p)
			if q == nil {
				return "", false
			}
			s, _ := elem(q)
			return s, true
		}, nil
	}
	if t.Implements(textMarshalerType) {
		return func(p unsafe.Pointer) (string, bool) {
			v := reflect.NewAt(t, p).Elem()
			b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			return string(b), err == nil && !v.IsZero()
		}, nil
	}
	if t == durationType {
		return func(p unsafe.Pointer) (string, bool) {
			d := *(*time.Duration)(p)
			return d.String(), d != 0
		}, nil
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return func(p unsafe.Pointer) (string, bool) {
			v := reflect.NewAt(t, p).Elem()
			switch v.Kind() {
			case reflect.String:
				return v.String(), !v.IsZero()
			case reflect.Bool:
				return strconv.FormatBool(v.Bool()), v.Bool()
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				return strconv.FormatInt(v.Int(), 10), v.Int() != 0
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				return strconv.FormatUint(v.Uint(), 10), v.Uint() != 0
			default:
				return strconv.FormatFloat(v.Float(), 'g', -1, t.Bits()), v.Float() != 0
			}
		}, nil
	}
	return nil, fmt.Errorf("unsupported parameter type %v", t)
}

// paramTypeName names t the way a JSON Schema would, for error messages.
func paramTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "RFC 3339 date-time"
	case t == durationType:
		return "duration"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return t.String()
}
