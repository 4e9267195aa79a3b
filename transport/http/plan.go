package http

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// param is one path or query field of a request type.
type param struct {
	name    string // the wildcard or query key
	field   string // the Go field name, for messages about wiring
	off     uintptr
	typ     reflect.Type // the field's type
	multi   bool         // a slice: every query value is appended
	stringy bool         // the (element) kind is string: an empty value counts
	set     setter       // parses one value (the element's, for slices)
	fmt     formatter    // renders one value (the element's, for slices)
	rules   rules
}

// plan is everything the transport needs to know about a request type,
// computed once by reflection when a server or client is built.
type plan struct {
	typ       reflect.Type
	path      []param
	query     []param
	queryIdx  map[string]int // query key → index in query
	bodyKeys  []string       // JSON names of the body fields, in order
	validator *structCheck   // validate tags; nil when there are none
	validates bool           // *T has a Validate() error method
}

// hasBody reports whether the type has fields that come from a JSON body.
func (p *plan) hasBody() bool { return len(p.bodyKeys) > 0 }

// newPlan builds the plan for t. Types that are not structs have no path or
// query fields and are decoded from the whole body.
func newPlan(t reflect.Type) (*plan, error) {
	p := &plan{typ: t, queryIdx: map[string]int{}}
	p.validates = reflect.PointerTo(t).Implements(validatorType)
	if t.Kind() != reflect.Struct {
		p.bodyKeys = []string{""}
		return p, nil
	}
	if err := p.walk(t, 0); err != nil {
		return nil, fmt.Errorf("httpt: request type %v: %w", t, err)
	}
	v, err := newStructCheck(t)
	if err != nil {
		return nil, fmt.Errorf("httpt: request type %v: %w", t, err)
	}
	p.validator = v
	return p, nil
}

func (p *plan) walk(t reflect.Type, base uintptr) error {
	for i := range t.NumField() {
		f := t.Field(i)
		pathName, inPath := f.Tag.Lookup("path")
		queryName, inQuery := f.Tag.Lookup("query")
		if f.Anonymous && f.Type.Kind() == reflect.Struct && !inPath && !inQuery {
			if _, named := jsonName(f); !named {
				if err := p.walk(f.Type, base+f.Offset); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		switch {
		case inPath && inQuery:
			return fmt.Errorf("field %s has both path and query tags", f.Name)
		case inPath, inQuery:
			name := pathName
			if inQuery {
				name = queryName
			}
			name, _, _ = strings.Cut(name, ",")
			if name == "" {
				name = f.Name
			}
			pr, err := newParam(f, name, base)
			if err != nil {
				return err
			}
			if inPath {
				if pr.multi {
					return fmt.Errorf("path field %s cannot be a slice", f.Name)
				}
				p.path = append(p.path, pr)
			} else {
				p.queryIdx[name] = len(p.query)
				p.query = append(p.query, pr)
			}
		default:
			if name, _ := jsonName(f); name != "-" {
				p.bodyKeys = append(p.bodyKeys, name)
			}
		}
	}
	return nil
}

func newParam(f reflect.StructField, name string, base uintptr) (param, error) {
	r, err := parseRules(f.Tag.Get("validate"))
	if err != nil {
		return param{}, fmt.Errorf("field %s: %w", f.Name, err)
	}
	pr := param{name: name, field: f.Name, off: base + f.Offset, typ: f.Type, rules: r}
	elem := f.Type
	if f.Type.Kind() == reflect.Slice && !reflect.PointerTo(f.Type).Implements(textUnmarshalerType) {
		pr.multi, elem = true, f.Type.Elem()
	}
	pr.stringy = elem.Kind() == reflect.String
	if pr.set, err = newSetter(elem); err != nil {
		return param{}, fmt.Errorf("field %s: %w", f.Name, err)
	}
	if pr.fmt, err = newFormatter(elem); err != nil {
		return param{}, fmt.Errorf("field %s: %w", f.Name, err)
	}
	return pr, nil
}

// jsonName returns the JSON member name of f and whether its tag names it.
func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name, false
	}
	return name, true
}

// setParam stores one raw value into the field at base+pr.off, appending
// for slices.
func (pr *param) setParam(base unsafe.Pointer, s string) error {
	p := unsafe.Add(base, pr.off)
	if !pr.multi {
		return pr.set(p, s)
	}
	sv := reflect.NewAt(pr.typ, p).Elem()
	n := sv.Len()
	sv.Grow(1)
	sv.SetLen(n + 1)
	if err := pr.set(sv.Index(n).Addr().UnsafePointer(), s); err != nil {
		sv.SetLen(n)
		return err
	}
	return nil
}

// appendParam appends the URL forms of the field's value(s) to dst.
func (pr *param) appendParam(dst []string, base unsafe.Pointer) []string {
	p := unsafe.Add(base, pr.off)
	if !pr.multi {
		if s, ok := pr.fmt(p); ok {
			dst = append(dst, s)
		}
		return dst
	}
	sv := reflect.NewAt(pr.typ, p).Elem()
	for i := range sv.Len() {
		s, _ := pr.fmt(sv.Index(i).Addr().UnsafePointer())
		dst = append(dst, s)
	}
	return dst
}
