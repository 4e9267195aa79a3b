package http

import (
	"reflect"
	"unsafe"
)

// param is how a path or query field's values are parsed and rendered.
type param struct {
	multi   bool      // a slice: every query value is appended
	stringy bool      // the (element) kind is string: an empty value counts
	set     setter    // parses one value (the element's, for slices)
	fmt     formatter // renders one value (the element's, for slices)
}

func newParam(f *field) (*param, error) {
	pr := &param{}
	elem := f.typ
	if f.typ.Kind() == reflect.Slice && !reflect.PointerTo(f.typ).Implements(textUnmarshalerType) {
		pr.multi, elem = true, f.typ.Elem()
	}
	pr.stringy = elem.Kind() == reflect.String
	var err error
	if pr.set, err = newSetter(elem); err != nil {
		return nil, err
	}
	if pr.fmt, err = newFormatter(elem); err != nil {
		return nil, err
	}
	return pr, nil
}

// setParam stores one raw value into the field f of the struct at base,
// appending for slices.
func (f *field) setParam(base unsafe.Pointer, s string) error {
	p := f.addr(base, true)
	pr := f.param
	if !pr.multi {
		return pr.set(p, s)
	}
	sv := reflect.NewAt(f.typ, p).Elem()
	n := sv.Len()
	sv.Grow(1)
	sv.SetLen(n + 1)
	if err := pr.set(sv.Index(n).Addr().UnsafePointer(), s); err != nil {
		sv.SetLen(n)
		return err
	}
	return nil
}

// appendParam appends the URL forms of the value(s) of field f of the
// struct at base to dst.
func (f *field) appendParam(dst []string, base unsafe.Pointer) []string {
	p := f.addr(base, false)
	if p == nil {
		return dst
	}
	if !f.param.multi {
		if s, ok := f.param.fmt(p); ok {
			dst = append(dst, s)
		}
		return dst
	}
	sv := reflect.NewAt(f.typ, p).Elem()
	for i := range sv.Len() {
		s, _ := f.param.fmt(sv.Index(i).Addr().UnsafePointer())
		dst = append(dst, s)
	}
	return dst
}

// clear sets field f of the struct at base to its zero value.
func (f *field) clear(base unsafe.Pointer) {
	if p := f.addr(base, false); p != nil {
		reflect.NewAt(f.typ, p).Elem().SetZero()
	}
}

// hasBody reports whether the type has fields that come from a JSON body:
// members, or, for a type that is not a struct, the whole value.
func (m *model) hasBody() bool { return m.typ.Kind() != reflect.Struct || len(m.members) > 0 }
