package http

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// schema is a JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1)
// limited to the keywords Gantry emits.
type schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 schemaType         `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	AnyOf                []*schema          `json:"anyOf,omitempty"`
	Properties           map[string]*schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties any                `json:"additionalProperties,omitempty"` // *schema, or false
	Items                *schema            `json:"items,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	MinLength            *int               `json:"minLength,omitempty"`
	MaxLength            *int               `json:"maxLength,omitempty"`
	MinItems             *int               `json:"minItems,omitempty"`
	MaxItems             *int               `json:"maxItems,omitempty"`
	MinProperties        *int               `json:"minProperties,omitempty"`
	MaxProperties        *int               `json:"maxProperties,omitempty"`
	// MaxBytes is the maxbytes rule: the most bytes of a string's UTF-8
	// form, which no JSON Schema keyword states (maxLength counts
	// characters); an extension keyword, which validators ignore.
	MaxBytes *int  `json:"x-maxBytes,omitempty"`
	Examples []any `json:"examples,omitempty"`
}

// schemaType is the type keyword: one name, or several (["string",
// "null"]).
type schemaType []string

func (t schemaType) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return json.Marshal(t[0])
	}
	return json.Marshal([]string(t))
}

func typ(name string) schemaType { return schemaType{name} }

// direction says which way a schema describes values: what a server
// accepts differs from what it sends (which members are required, whether
// null can appear, whether other members are allowed).
type direction uint8

const (
	// toClient: what the server sends. A member is required unless
	// omitempty (or omitzero) can leave it out; a pointer, slice, map or
	// interface that can be nil can be null; other members may be added
	// later, so additionalProperties is left open.
	toClient direction = iota
	// fromClient: what the server accepts. A member is required when its
	// validate tag says so; null is a value only of pointers and
	// interfaces; a member the type lacks is refused
	// (additionalProperties: false).
	fromClient
	// fromClientLoose is fromClient for an operation that allows unknown
	// members (AllowUnknownFields).
	fromClientLoose
)

// schemaGen turns models into schemas; named struct types become
// components referenced with $ref, so recursive types terminate. It builds
// its models with one builder, once per type.
type schemaGen struct {
	components map[string]*schema
	names      map[compKey]string
	b          *builder
}

type compKey struct {
	t   reflect.Type
	dir direction
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: map[string]*schema{}, names: map[compKey]string{}, b: &builder{models: map[reflect.Type]*model{}}}
}

var jsonMarshalerType = reflect.TypeFor[json.Marshaler]()

// of returns the schema of a whole request body or answer of type t.
func (g *schemaGen) of(t reflect.Type, dir direction) *schema {
	sh, err := g.b.shape(t)
	if err != nil {
		return &schema{} // NewServer built this type already; it cannot fail here
	}
	// A nil slice or map answer is written as [] or {} (see respond).
	return g.shape(sh, dir, sh.kind == pointer || t.Kind() == reflect.Interface)
}

// shape returns the schema of values of shape sh; null is one of them
// when nullOK is set.
func (g *schemaGen) shape(sh *shape, dir direction, nullOK bool) *schema {
	var s *schema
	switch sh.kind {
	case pointer:
		s = g.shape(sh.elem, dir, false)
	case object:
		if sh.typ.Name() == "" {
			s = g.object(sh.obj, dir)
		} else {
			s = &schema{Ref: "#/components/schemas/" + g.component(sh.obj, dir)}
		}
	case list:
		s = &schema{Type: typ("array"), Items: g.shape(sh.elem, dir, g.elemNull(sh.elem, dir))}
		if sh.typ.Kind() == reflect.Array {
			n := sh.typ.Len()
			s.MaxItems = &n
		}
	case dict:
		s = &schema{Type: typ("object"), AdditionalProperties: g.shape(sh.elem, dir, g.elemNull(sh.elem, dir))}
	default:
		s = leafSchema(sh.typ)
	}
	if nullOK {
		s = nullable(s)
	}
	return s
}

// elemNull reports whether null can appear as an element of shape sh.
func (g *schemaGen) elemNull(sh *shape, dir direction) bool {
	if dir == toClient {
		return canBeNil(sh.typ)
	}
	return sh.nullable()
}

// canBeNil reports whether encoding/json may write a value of type t as
// null.
func canBeNil(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// nullable adds null to the values s allows.
func nullable(s *schema) *schema {
	switch {
	case s.Ref != "" || len(s.AnyOf) > 0:
		return &schema{AnyOf: []*schema{s, {Type: typ("null")}}}
	case len(s.Type) == 0: // any value, null included
		return s
	}
	s.Type = append(s.Type, "null")
	return s
}

// leafSchema is the schema of a type encoding/json reads and writes as one
// value: scalars, and types with their own JSON or text form.
func leafSchema(t reflect.Type) *schema {
	switch {
	case t == timeType:
		return &schema{Type: typ("string"), Format: "date-time"}
	case t == durationType:
		return &schema{Type: typ("integer"), Format: "int64", Description: "nanoseconds"}
	case t.Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(jsonMarshalerType):
		return &schema{}
	case t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType):
		return &schema{Type: typ("string")}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &schema{Type: typ("boolean")}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return &schema{Type: typ("integer"), Format: "int32"}
	case reflect.Int, reflect.Int64:
		return &schema{Type: typ("integer"), Format: "int64"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		zero := 0.0
		return &schema{Type: typ("integer"), Minimum: &zero}
	case reflect.Float32:
		return &schema{Type: typ("number"), Format: "float"}
	case reflect.Float64:
		return &schema{Type: typ("number"), Format: "double"}
	case reflect.String:
		return &schema{Type: typ("string")}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return &schema{Type: typ("string"), Format: "byte"}
		}
	case reflect.Map: // keys that are not strings
		return &schema{Type: typ("object")}
	}
	return &schema{} // interfaces and the rest: any JSON value
}

// component registers the schema of m's type in direction dir under a
// unique name and returns the name. What the server accepts and what it
// sends differ, so a type met both ways has two components: the answer's
// under the type's name, the request's under the name + "Input" (build
// answers first for stable names).
func (g *schemaGen) component(m *model, dir direction) string {
	key := compKey{m.typ, dir}
	if n, ok := g.names[key]; ok {
		return n
	}
	t := m.typ
	base := componentName(t.Name())
	switch {
	case dir == fromClientLoose:
		base += "Loose"
	case dir == fromClient && g.names[compKey{t, toClient}] != "":
		base += "Input"
	}
	name := base
	if _, taken := g.components[name]; taken {
		pkg := t.PkgPath()
		pkg = componentName(pkg[strings.LastIndex(pkg, "/")+1:])
		name = pkg + "." + base
		for i := 2; g.components[name] != nil; i++ {
			name = pkg + "." + base + strconv.Itoa(i)
		}
	}
	g.names[key] = name
	g.components[name] = &schema{} // placeholder for recursive references
	*g.components[name] = *g.object(m, dir)
	return name
}

// componentName keeps the characters OpenAPI allows in component keys.
func componentName(s string) string {
	if i := strings.IndexByte(s, '['); i >= 0 { // generic: Page[pkg.Item] → Page_Item
		args := s[i+1 : len(s)-1]
		var b strings.Builder
		b.WriteString(s[:i])
		for a := range strings.SplitSeq(args, ",") {
			b.WriteByte('_')
			b.WriteString(a[strings.LastIndex(a, ".")+1:])
		}
		s = b.String()
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// object is the schema of a struct's JSON members, from its model: path
// and query fields are not members, they travel in the URL.
func (g *schemaGen) object(m *model, dir direction) *schema {
	s := &schema{Type: typ("object"), Properties: map[string]*schema{}}
	if dir == fromClient {
		s.AdditionalProperties = false
	}
	for _, f := range m.members {
		var p *schema
		nullOK := f.shape.nullable()
		if dir == toClient {
			nullOK = canBeNil(f.typ) && !f.omitEmpty
		}
		if f.quoted {
			p = &schema{Type: typ("string")}
			if nullOK {
				p = nullable(p)
			}
		} else {
			p = g.shape(f.shape, dir, nullOK)
		}
		if dir != toClient {
			f.rules.schema(constrained(p))
		}
		if ex, ok := f.sf.Tag.Lookup("example"); ok {
			p.Examples = []any{exampleValue(ex)}
		}
		if dir == toClient && !f.omitEmpty || dir != toClient && f.rules.required {
			s.Required = append(s.Required, f.name)
		}
		s.Properties[f.name] = p
	}
	return s
}

// constrained returns the schema a member's rules constrain: the non-null
// branch of a nullable $ref.
func constrained(s *schema) *schema {
	if len(s.AnyOf) == 2 && s.AnyOf[1].Type[0] == "null" {
		return s.AnyOf[0]
	}
	return s
}

// exampleValue reads an example tag: JSON when it parses, else a string.
func exampleValue(s string) any {
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		return v
	}
	return s
}

// paramSchema is the schema of a path, query or header parameter.
func paramSchema(f *field) *schema {
	t := f.typ
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	elem := t
	if f.param.multi {
		elem = t.Elem()
	}
	var s *schema
	if elem == durationType {
		s = &schema{Type: typ("string"), Description: "a Go duration such as 1.5s or 250ms"}
	} else {
		s = leafSchema(elem)
	}
	if f.param.multi {
		s = &schema{Type: typ("array"), Items: s}
	}
	f.rules.schema(s)
	if ex, ok := f.sf.Tag.Lookup("example"); ok {
		s.Examples = []any{exampleValue(ex)}
	}
	return s
}

// problemSchema is the RFC 9457 document every error answer carries.
func problemSchema() *schema {
	str := func(d string) *schema { return &schema{Type: typ("string"), Description: d} }
	return &schema{
		Type:     typ("object"),
		Required: []string{"title", "status", "code"},
		Properties: map[string]*schema{
			"type":     str("URI of the problem type; about:blank for the generic ones"),
			"title":    str("short summary of the status"),
			"status":   {Type: typ("integer"), Format: "int32", Description: "HTTP status"},
			"detail":   str("what went wrong, for humans"),
			"instance": str("the request path"),
			"code":     str("the error kind, such as not_found or invalid_argument"),
			"errors": {Type: typ("array"), Description: "the request fields that were wrong", Items: &schema{
				Type:     typ("object"),
				Required: []string{"field", "description"},
				Properties: map[string]*schema{
					"field":       str("JSON member or parameter name"),
					"description": str("what is wrong with it"),
				},
			}},
		},
	}
}
