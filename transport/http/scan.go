package http

import (
	"bytes"
	"encoding/json"
	"reflect"
	"unsafe"

	"github.com/gantrykit/gantry/errs"
)

// bodyCheck walks a JSON body that encoding/json has already decoded (so
// the bytes are one valid JSON value) beside the Go value it filled, and
// enforces what the schema says and encoding/json lets pass: a member name
// must match exactly (encoding/json also takes "SKU" for "sku"), may appear
// once, may be null only where the Go type is a pointer or interface; a
// required member must be present; and a present value must pass its
// validate rules. It reports every violation, named as the client spells
// it (items[2].product_id).
type bodyCheck struct {
	buf          []byte
	i            int
	allowUnknown bool
	out          []errs.FieldViolation
}

func (c *bodyCheck) fail(at *fieldPath, desc string) {
	name := at.String()
	if name == "" {
		name = "body"
	}
	c.out = append(c.out, errs.FieldViolation{Field: name, Description: desc})
}

// value checks the JSON value at c.i against sh, whose Go value is at p,
// and moves past it.
func (c *bodyCheck) value(sh *shape, p unsafe.Pointer, at *fieldPath) {
	c.space()
	if c.buf[c.i] == 'n' {
		if !sh.nullable() {
			c.fail(at, "want "+paramTypeName(sh.typ)+", got null")
		}
		c.i += len("null")
		return
	}
	switch sh.kind {
	case pointer:
		c.value(sh.elem, *(*unsafe.Pointer)(p), at)
	case object:
		if c.buf[c.i] == '{' {
			c.object(sh.obj, p, at)
			return
		}
		c.skip()
	case list:
		if c.buf[c.i] == '[' {
			c.list(sh, p, at)
			return
		}
		c.skip()
	case dict:
		if c.buf[c.i] == '{' {
			c.dict(sh, p, at)
			return
		}
		c.skip()
	default:
		c.skip()
	}
}

// object checks a JSON object decoded into the struct of model m at base.
func (c *bodyCheck) object(m *model, base unsafe.Pointer, at *fieldPath) {
	var small [2]uint64
	seen := small[:]
	if n := len(m.members); n > 128 {
		seen = make([]uint64, (n+63)/64)
	}
	c.i++ // {
	for c.more('}') {
		key := c.key()
		f := m.byName[string(key)]
		node := fieldPath{parent: at, index: -1}
		switch {
		case f == nil:
			if !c.allowUnknown {
				node.name = string(key)
				c.fail(&node, "unknown field")
			}
			c.skip()
			continue
		case seen[f.bit/64]&(1<<(f.bit%64)) != 0:
			node.name = f.name
			c.fail(&node, "appears more than once")
			c.skip()
			continue
		}
		seen[f.bit/64] |= 1 << (f.bit % 64)
		node.name = f.name
		c.space()
		if c.buf[c.i] == 'n' {
			if !f.shape.nullable() {
				c.fail(&node, "want "+paramTypeName(f.typ)+", got null")
			}
			c.i += len("null")
			continue
		}
		p := f.addr(base, false)
		if msg := f.rules.run(f.typ, p); msg != "" {
			c.fail(&node, msg)
			c.skip()
			continue
		}
		if !f.shape.nested() {
			c.skip()
			continue
		}
		// Only a nested value's path outlives this loop (the recursion
		// moves it to the heap): leaf members cost no allocation.
		c.value(f.shape, p, &fieldPath{parent: at, name: f.name, index: -1})
	}
	c.missing(m, seen, at)
}

// missing reports the required members of m not marked in seen.
func (c *bodyCheck) missing(m *model, seen []uint64, at *fieldPath) {
	for _, f := range m.members {
		if f.rules.required && (f.bit/64 >= len(seen) || seen[f.bit/64]&(1<<(f.bit%64)) == 0) {
			c.fail(&fieldPath{parent: at, name: f.name, index: -1}, "is required")
		}
	}
}

// list checks a JSON array decoded into the slice or array at p.
func (c *bodyCheck) list(sh *shape, p unsafe.Pointer, at *fieldPath) {
	t := sh.typ
	size := t.Elem().Size()
	data, limit := p, 0
	if t.Kind() == reflect.Slice {
		sv := reflect.NewAt(t, p).Elem()
		data, limit = sv.UnsafePointer(), sv.Len()
	} else {
		limit = t.Len()
	}
	c.i++ // [
	for i := 0; c.more(']'); i++ {
		if i >= limit { // an array's extra elements are dropped by encoding/json
			c.skip()
			continue
		}
		node := fieldPath{parent: at, index: i}
		c.value(sh.elem, unsafe.Add(data, uintptr(i)*size), &node)
	}
}

// dict checks a JSON object decoded into the map at p, through copies of
// its values (map values cannot be addressed).
func (c *bodyCheck) dict(sh *shape, p unsafe.Pointer, at *fieldPath) {
	mv := reflect.NewAt(sh.typ, p).Elem()
	c.i++ // {
	for c.more('}') {
		key := string(c.key())
		v := reflect.New(sh.typ.Elem()).Elem()
		if e := mv.MapIndex(reflect.ValueOf(key).Convert(sh.typ.Key())); e.IsValid() {
			v.Set(e)
		}
		node := fieldPath{parent: at, name: key, index: -1}
		c.value(sh.elem, v.Addr().UnsafePointer(), &node)
	}
}

// more moves past spaces and a comma, and reports whether another element
// follows before close (which it moves past when not).
func (c *bodyCheck) more(close byte) bool {
	c.space()
	if c.buf[c.i] == ',' {
		c.i++
		c.space()
	}
	if c.buf[c.i] == close {
		c.i++
		return false
	}
	return true
}

// key reads a member name and the colon after it. The name is a view of
// the buffer when it has no escapes.
func (c *bodyCheck) key() []byte {
	c.space()
	start := c.i
	c.skipString()
	raw := c.buf[start:c.i]
	c.space()
	c.i++ // :
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return []byte(s)
}

func (c *bodyCheck) space() {
	for c.i < len(c.buf) {
		switch c.buf[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// skip moves past one value.
func (c *bodyCheck) skip() {
	c.space()
	switch c.buf[c.i] {
	case '"':
		c.skipString()
	case '{', '[':
		depth := 0
		for {
			switch c.buf[c.i] {
			case '"':
				c.skipString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			c.i++
			if depth == 0 {
				return
			}
		}
	default: // a number or a literal
		for c.i < len(c.buf) {
			switch c.buf[c.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			c.i++
		}
	}
}

// skipString moves past the string that starts at c.i.
func (c *bodyCheck) skipString() {
	c.i++
	for {
		switch c.buf[c.i] {
		case '\\':
			c.i += 2
			continue
		case '"':
			c.i++
			return
		}
		c.i++
	}
}
