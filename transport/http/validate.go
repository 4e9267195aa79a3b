package http

import (
	"fmt"
	"net/mail"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

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

// rules is one field's `validate:"..."` tag: a small rule set that the
// decoder enforces and the OpenAPI schema advertises.
//
//	required        non-zero (non-empty string, slice or map; non-nil pointer)
//	min=N, max=N    bounds on numbers; on the length of strings (in
//	                characters), slices and maps
//	email           a bare address such as ada@example.com
//	oneof=a b c     one of the space-separated values (strings, integers)
//
// email and oneof accept the zero value unless required is given too.
type rules struct {
	required       bool
	hasMin, hasMax bool
	min, max       float64
	email          bool
	oneof          []string
}

func (r rules) empty() bool {
	return !r.required && !r.hasMin && !r.hasMax && !r.email && r.oneof == nil
}

func parseRules(tag string) (rules, error) {
	var r rules
	if tag == "" || tag == "-" {
		return r, nil
	}
	for part := range strings.SplitSeq(tag, ",") {
		key, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case key == "required" && !hasVal:
			r.required = true
		case key == "email" && !hasVal:
			r.email = true
		case key == "oneof" && hasVal && strings.TrimSpace(val) != "":
			r.oneof = strings.Fields(val)
		case (key == "min" || key == "max") && hasVal:
			n, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return r, fmt.Errorf("validate tag %q: %s wants a number", tag, key)
			}
			if key == "min" {
				r.hasMin, r.min = true, n
			} else {
				r.hasMax, r.max = true, n
			}
		default:
			return r, fmt.Errorf("validate tag %q: unknown rule %q", tag, part)
		}
	}
	return r, nil
}

// fits reports an error if the rules make no sense for t.
func (r rules) fits(t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	k := t.Kind()
	isNum := k >= reflect.Int && k <= reflect.Float64
	hasLen := k == reflect.String || k == reflect.Slice || k == reflect.Map || k == reflect.Array
	switch {
	case (r.hasMin || r.hasMax) && !isNum && !hasLen:
		return fmt.Errorf("min/max do not apply to %v", t)
	case r.email && k != reflect.String:
		return fmt.Errorf("email applies to strings, not %v", t)
	case r.oneof != nil && k != reflect.String && !(isNum && k < reflect.Float32):
		return fmt.Errorf("oneof applies to strings and integers, not %v", t)
	}
	return nil
}

// check returns what is wrong with the value of type t at p, or "".
func (r *rules) check(t reflect.Type, p unsafe.Pointer) string {
	switch t.Kind() { // the common cases, without reflect.Value
	case reflect.String:
		if s := *(*string)(p); s != "" && !r.email && r.oneof == nil &&
			(!r.hasMin || float64(utf8.RuneCountInString(s)) >= r.min) && (!r.hasMax || float64(len(s)) <= r.max) {
			return "" // len(s) bounds the character count from above
		}
	case reflect.Int:
		if n := float64(*(*int)(p)); n != 0 && r.oneof == nil && (!r.hasMin || n >= r.min) && (!r.hasMax || n <= r.max) {
			return ""
		}
	}
	v := reflect.NewAt(t, p).Elem()
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if r.required {
				return "is required"
			}
			return ""
		}
		v = v.Elem()
	}
	if r.required {
		switch v.Kind() {
		case reflect.Slice, reflect.Map:
			if v.Len() == 0 {
				return "is required"
			}
		default:
			if v.IsZero() {
				return "is required"
			}
		}
	}
	var n float64
	unit := ""
	switch v.Kind() {
	case reflect.String:
		n, unit = float64(utf8.RuneCountInString(v.String())), " characters"
	case reflect.Slice, reflect.Map, reflect.Array:
		n, unit = float64(v.Len()), " items"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = float64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n = float64(v.Uint())
	case reflect.Float32, reflect.Float64:
		n = v.Float()
	}
	if r.hasMin && n < r.min {
		if unit != "" {
			return "must have at least " + ftoa(r.min) + unit
		}
		return "must be at least " + ftoa(r.min)
	}
	if r.hasMax && n > r.max {
		if unit != "" {
			return "must have at most " + ftoa(r.max) + unit
		}
		return "must be at most " + ftoa(r.max)
	}
	if v.IsZero() { // not required: email and oneof accept an absent value
		return ""
	}
	if r.email && !isEmail(v.String()) {
		return "must be an email address"
	}
	if r.oneof != nil {
		s := v.String()
		if v.Kind() != reflect.String {
			s = ftoa(n)
		}
		for _, o := range r.oneof {
			if s == o {
				return ""
			}
		}
		return "must be one of " + strings.Join(r.oneof, ", ")
	}
	return ""
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func isEmail(s string) bool {
	if s == "" || strings.ContainsAny(s, " <>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// structCheck enforces the validate tags of a struct type, nested structs
// included.
type structCheck struct{ fields []fieldCheck }

type nesting uint8

const (
	nestNone nesting = iota
	nestValue
	nestPointer
	nestSlice
)

type fieldCheck struct {
	name   string // as the client spells it: JSON name or parameter name
	off    uintptr
	typ    reflect.Type
	rules  rules
	nest   nesting
	nested *structCheck
}

// newStructCheck builds the checks of t, or returns nil if t and the
// structs it holds have no validate tags.
func newStructCheck(t reflect.Type) (*structCheck, error) {
	return buildCheck(t, map[reflect.Type]*structCheck{})
}

func buildCheck(t reflect.Type, seen map[reflect.Type]*structCheck) (*structCheck, error) {
	if c, ok := seen[t]; ok {
		return c, nil
	}
	c := &structCheck{}
	seen[t] = c
	if err := c.add(t, 0, seen); err != nil {
		return nil, err
	}
	if len(c.fields) == 0 {
		seen[t] = nil
		return nil, nil
	}
	return c, nil
}

func (c *structCheck) add(t reflect.Type, base uintptr, seen map[reflect.Type]*structCheck) error {
	for i := range t.NumField() {
		f := t.Field(i)
		name, named := jsonName(f)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && !named {
			if err := c.add(f.Type, base+f.Offset, seen); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if n, ok := f.Tag.Lookup("path"); ok {
			name = paramName(n, f.Name)
		} else if n, ok := f.Tag.Lookup("query"); ok {
			name = paramName(n, f.Name)
		}
		r, err := parseRules(f.Tag.Get("validate"))
		if err == nil {
			err = r.fits(f.Type)
		}
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		fc := fieldCheck{name: name, off: base + f.Offset, typ: f.Type, rules: r}
		if st, nest := structElem(f.Type); nest != nestNone {
			if fc.nested, err = buildCheck(st, seen); err != nil {
				return err
			}
			if fc.nested != nil {
				fc.nest = nest
			}
		}
		if !r.empty() || fc.nest != nestNone {
			c.fields = append(c.fields, fc)
		}
	}
	return nil
}

func paramName(tag, field string) string {
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return field
	}
	return name
}

// structElem reports the struct type a field holds (directly, through a
// pointer or as slice elements). Types that decode themselves (time.Time)
// are leaves.
func structElem(t reflect.Type) (reflect.Type, nesting) {
	nest := nestValue
	switch t.Kind() {
	case reflect.Pointer:
		t, nest = t.Elem(), nestPointer
	case reflect.Slice:
		t, nest = t.Elem(), nestSlice
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(textUnmarshalerType) ||
		reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return nil, nestNone
	}
	return t, nest
}

// fieldPath is the name of a nested field, built into a string only when
// it is reported, so that checking a valid request allocates nothing.
type fieldPath struct {
	parent *fieldPath
	name   string
	index  int // >= 0 for a slice element
}

func (fp *fieldPath) join(name string) string {
	if fp == nil {
		return name
	}
	s := fp.name
	if fp.index >= 0 {
		s += "[" + strconv.Itoa(fp.index) + "]"
	}
	return fp.parent.join(s) + "." + name
}

// run appends the violations of the struct at p to out; at is the path of
// the struct within the request, nil at the top.
func (c *structCheck) run(p unsafe.Pointer, at *fieldPath, out []errs.FieldViolation) []errs.FieldViolation {
	for i := range c.fields {
		f := &c.fields[i]
		fp := unsafe.Add(p, f.off)
		if d := f.rules.check(f.typ, fp); d != "" {
			out = append(out, errs.FieldViolation{Field: at.join(f.name), Description: d})
			continue
		}
		switch f.nest {
		case nestValue:
			out = f.nested.run(fp, &fieldPath{parent: at, name: f.name, index: -1}, out)
		case nestPointer:
			if q := *(*unsafe.Pointer)(fp); q != nil {
				out = f.nested.run(q, &fieldPath{parent: at, name: f.name, index: -1}, out)
			}
		case nestSlice:
			sv := reflect.NewAt(f.typ, fp).Elem()
			for j := range sv.Len() {
				out = f.nested.run(sv.Index(j).Addr().UnsafePointer(), &fieldPath{parent: at, name: f.name, index: j}, out)
			}
		}
	}
	return out
}

// invalid turns violations into the error a client sees.
func invalid(v []errs.FieldViolation) *errs.Error {
	parts := make([]string, len(v))
	for i, fv := range v {
		parts[i] = fv.Field + ": " + fv.Description
	}
	return &errs.Error{Kind: errs.KindInvalidArgument, Message: strings.Join(parts, "; "), Fields: v}
}
