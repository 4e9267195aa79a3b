package http

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unsafe"
)

// model is the one walk of a Go type that this package makes. Every reader
// of a request or response type goes through it and nothing else: the
// server's decoder (path, query, body), the body's check (presence, null,
// unknown and duplicate members, validate rules), the client's encoder,
// the OpenAPI schemas and the field names in errors. It is built once, by
// newModel, when a Server, Client or document is made, and is read-only
// afterwards, so it is safe for concurrent use.
type model struct {
	typ reflect.Type
	// members are the JSON members of a struct, resolved as encoding/json
	// resolves them (promotion through embedded structs and pointers to
	// structs, the shallowest name winning, a tagged one breaking a tie),
	// in declaration order; path and query fields are not members.
	members []*field
	byName  map[string]*field // members by exact JSON name
	// path, query and header are the parameters of a top-level request
	// type; a header field's name is in canonical form (Idempotency-Key).
	path, query, header []*field
	queryIdx            map[string]int // query name → index in query
	// paramsInJSON: some parameter field is visible to encoding/json too
	// (it lacks json:"-"), so a body member could set it; the decoder
	// clears those before applying the URL.
	paramsInJSON bool
	validates    bool   // *T implements Validator
	self         *shape // the whole type, for the body check
}

// location says where a field's value travels.
type location uint8

const (
	locBody location = iota
	locPath
	locQuery
	locHeader
)

// field is one member or parameter of a struct model.
type field struct {
	name   string // as the client spells it: JSON member or parameter name
	goName string // the Go field name, for messages about wiring
	in     location
	typ    reflect.Type
	off    uintptr    // from the innermost struct reached through embeds
	embeds []embedded // embedded pointers crossed on the way, outermost first
	index  []int      // reflect index path, for ordering
	// Members: how encoding/json treats the field, and its value's shape.
	omitEmpty, quoted, jsonVisible bool
	shape                          *shape
	rules                          rules
	bit                            int // position among the members
	param                          *param

	sf     reflect.StructField // as declared
	depth  int                 // of embedding, for encoding/json's rules
	tagged bool                // the json tag names it
}

// embedded is an embedded pointer to a struct on the way to a field.
type embedded struct {
	off uintptr      // of the pointer, within the struct that holds it
	typ reflect.Type // the struct it points to
}

// addr returns the address of f's value within the struct at base. When
// an embedded pointer on the way is nil, addr allocates it if alloc is set
// and returns nil otherwise.
func (f *field) addr(base unsafe.Pointer, alloc bool) unsafe.Pointer {
	for _, e := range f.embeds {
		pp := (*unsafe.Pointer)(unsafe.Add(base, e.off))
		if *pp == nil {
			if !alloc {
				return nil
			}
			*pp = reflect.New(e.typ).UnsafePointer()
		}
		base = *pp
	}
	return unsafe.Add(base, f.off)
}

// shapeKind is how the body check walks a JSON value.
type shapeKind uint8

const (
	leaf    shapeKind = iota // decoded by encoding/json alone
	object                   // a struct: its model's members
	list                     // a slice or array of elem
	dict                     // a map with string keys, of elem
	pointer                  // a pointer to elem
)

// shape is the structure of a Go type as JSON, as far as the body check and
// the schemas need it.
type shape struct {
	typ  reflect.Type
	kind shapeKind
	obj  *model // object
	elem *shape // list, dict, pointer
}

// nullable reports whether JSON null is a value of the shape: pointers and
// interfaces; anything else has a type that null is not.
func (s *shape) nullable() bool {
	return s.kind == pointer || s.typ.Kind() == reflect.Interface
}

// nested reports whether the body check has anything to look at inside a
// value of shape s: members, elements, or the value a pointer points to.
func (s *shape) nested() bool {
	for s.kind == pointer {
		s = s.elem
	}
	return s.kind != leaf
}

// builder makes the models of one type and the types it holds, once each,
// so that recursive types terminate.
type builder struct{ models map[reflect.Type]*model }

// newModel builds the model of a request or response type t. Parameters
// (path and query tags) are read on t itself and the structs it embeds.
func newModel(t reflect.Type) (*model, error) {
	b := &builder{models: map[reflect.Type]*model{}}
	m, err := b.model(t, true)
	if err == nil {
		m.self = &shape{typ: t, kind: object, obj: m}
		if t.Kind() != reflect.Struct {
			m.self, err = b.shape(t)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("httpt: type %v: %w", t, err)
	}
	return m, nil
}

func (b *builder) model(t reflect.Type, top bool) (*model, error) {
	if m, ok := b.models[t]; ok && !top {
		return m, nil
	}
	m := &model{typ: t, byName: map[string]*field{}, queryIdx: map[string]int{}}
	m.validates = reflect.PointerTo(t).Implements(validatorType)
	if t.Kind() != reflect.Struct {
		return m, nil
	}
	if !top {
		b.models[t] = m
	}
	for _, f := range jsonFields(t) {
		if top && f.isParam() {
			continue // a parameter, found again below
		}
		if err := b.member(m, f); err != nil {
			return nil, err
		}
	}
	if top {
		if err := m.params(t); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// member adds the JSON member f to m.
func (b *builder) member(m *model, f *field) error {
	r, err := compileRules(f.tag("validate"), f.typ)
	if err != nil {
		return fmt.Errorf("field %s: %w", f.goName, err)
	}
	f.rules, f.bit = r, len(m.members)
	if f.shape, err = b.shape(f.typ); err != nil {
		return err
	}
	if f.quoted {
		f.shape = &shape{typ: f.typ}
	}
	m.members = append(m.members, f)
	m.byName[f.name] = f
	return nil
}

// shape returns the shape of t, building the models of the structs in it.
func (b *builder) shape(t reflect.Type) (*shape, error) {
	s := &shape{typ: t}
	if decodesItself(t) {
		return s, nil
	}
	var err error
	switch t.Kind() {
	case reflect.Pointer:
		s.kind = pointer
		s.elem, err = b.shape(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // []byte is a base64 string
			return s, nil
		}
		s.kind = list
		s.elem, err = b.shape(t.Elem())
	case reflect.Array:
		s.kind = list
		s.elem, err = b.shape(t.Elem())
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			s.kind = dict
			s.elem, err = b.shape(t.Elem())
		}
	case reflect.Struct:
		s.kind = object
		s.obj, err = b.model(t, false)
	}
	return s, err
}

// decodesItself reports whether encoding/json hands t's values to a method
// of t (time.Time, json.RawMessage, netip.Addr...): a leaf for the model.
func decodesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(jsonUnmarshalerType) || pt.Implements(textUnmarshalerType) ||
		t.Kind() != reflect.Pointer && t.Implements(jsonUnmarshalerType)
}

// isParam reports whether f carries a path, query or header tag.
func (f *field) isParam() bool { return f.hasTag("path") || f.hasTag("query") || f.hasTag("header") }

// tag and hasTag read the struct tag of the Go field.
func (f *field) tag(key string) string { return f.sf.Tag.Get(key) }

func (f *field) hasTag(key string) bool { _, ok := f.sf.Tag.Lookup(key); return ok }

// jsonFields lists the fields encoding/json decodes a struct of type t into
// (its typeFields rules), with the fields it hides through json:"-" left
// out; path and query fields are in the list, as encoding/json sees them.
func jsonFields(t reflect.Type) []*field {
	out := walkFields(t)
	slices.SortStableFunc(out, func(a, b *field) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.depth, b.depth), boolFirst(a.tagged, b.tagged),
			slices.Compare(a.index, b.index))
	})
	kept := out[:0]
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[j].name == out[i].name {
			j++
		}
		if f := dominant(out[i:j]); f != nil {
			kept = append(kept, f)
		}
		i = j
	}
	slices.SortFunc(kept, func(a, b *field) int { return slices.Compare(a.index, b.index) })
	return kept
}

// dominant is encoding/json's dominantField: of fields sharing a name
// (sorted by depth, tagged first), the shallowest wins if it is alone at
// its depth or the only tagged one there; otherwise none does.
func dominant(fs []*field) *field {
	if len(fs) > 1 && fs[0].depth == fs[1].depth && fs[0].tagged == fs[1].tagged {
		return nil
	}
	return fs[0]
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}
