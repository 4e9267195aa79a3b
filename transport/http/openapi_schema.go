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
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Properties           map[string]*schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *schema            `json:"additionalProperties,omitempty"`
	Items                *schema            `json:"items,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	MinLength            *int               `json:"minLength,omitempty"`
	MaxLength            *int               `json:"maxLength,omitempty"`
	MinItems             *int               `json:"minItems,omitempty"`
	MaxItems             *int               `json:"maxItems,omitempty"`
}

// schemaGen turns Go types into schemas; named struct types become
// components referenced with $ref, so recursive types terminate.
type schemaGen struct {
	components map[string]*schema
	names      map[reflect.Type]string
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: map[string]*schema{}, names: map[reflect.Type]string{}}
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
)

// of returns the schema of values of type t as encoding/json writes them.
func (g *schemaGen) of(t reflect.Type) *schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return &schema{Type: "string", Format: "date-time"}
	case t == durationType:
		return &schema{Type: "integer", Format: "int64", Description: "nanoseconds"}
	case t.Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(jsonMarshalerType):
		return &schema{}
	case t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType):
		return &schema{Type: "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &schema{Type: "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return &schema{Type: "integer", Format: "int32"}
	case reflect.Int, reflect.Int64:
		return &schema{Type: "integer", Format: "int64"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		zero := 0.0
		return &schema{Type: "integer", Minimum: &zero}
	case reflect.Float32:
		return &schema{Type: "number", Format: "float"}
	case reflect.Float64:
		return &schema{Type: "number", Format: "double"}
	case reflect.String:
		return &schema{Type: "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return &schema{Type: "string", Format: "byte"}
		}
		return &schema{Type: "array", Items: g.of(t.Elem())}
	case reflect.Map:
		return &schema{Type: "object", AdditionalProperties: g.of(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		return &schema{Ref: "#/components/schemas/" + g.component(t)}
	}
	return &schema{} // interfaces and the rest: any JSON value
}

// component registers t's schema under a unique name and returns the name.
func (g *schemaGen) component(t reflect.Type) string {
	if n, ok := g.names[t]; ok {
		return n
	}
	name := componentName(t.Name())
	if _, taken := g.components[name]; taken {
		pkg := t.PkgPath()
		pkg = componentName(pkg[strings.LastIndex(pkg, "/")+1:])
		name = pkg + "." + name
		for i := 2; g.components[name] != nil; i++ {
			name = pkg + "." + componentName(t.Name()) + strconv.Itoa(i)
		}
	}
	g.names[t] = name
	g.components[name] = &schema{} // placeholder for recursive references
	*g.components[name] = *g.object(t)
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

// object is the schema of a struct's JSON members. Path and query fields
// are not members: they travel in the URL.
func (g *schemaGen) object(t reflect.Type) *schema {
	s := &schema{Type: "object", Properties: map[string]*schema{}}
	g.fields(t, s)
	return s
}

func (g *schemaGen) fields(t reflect.Type, s *schema) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, named := jsonName(f)
		_, inPath := f.Tag.Lookup("path")
		_, inQuery := f.Tag.Lookup("query")
		if inPath || inQuery || name == "-" {
			continue
		}
		if f.Anonymous && !named {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				g.fields(et, s)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		var p *schema
		if strings.Contains(f.Tag.Get("json"), ",string") {
			p = &schema{Type: "string"}
		} else {
			p = g.of(f.Type)
		}
		r, _ := parseRules(f.Tag.Get("validate"))
		hint(p, f.Type, r)
		if r.required {
			s.Required = append(s.Required, name)
		}
		s.Properties[name] = p
	}
}

// hint adds the validate rules to a schema, so clients learn the limits
// the server enforces.
func hint(s *schema, t reflect.Type, r rules) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	k := t.Kind()
	intp := func(f float64) *int { n := int(f); return &n }
	fp := func(f float64) *float64 { return &f }
	switch {
	case k == reflect.String:
		if r.hasMin {
			s.MinLength = intp(r.min)
		}
		if r.hasMax {
			s.MaxLength = intp(r.max)
		}
	case k == reflect.Slice || k == reflect.Array:
		if r.hasMin {
			s.MinItems = intp(r.min)
		}
		if r.hasMax {
			s.MaxItems = intp(r.max)
		}
	case k >= reflect.Int && k <= reflect.Float64:
		if r.hasMin {
			s.Minimum = fp(r.min)
		}
		if r.hasMax {
			s.Maximum = fp(r.max)
		}
	}
	if r.email {
		s.Format = "email"
	}
	for _, o := range r.oneof {
		if k == reflect.String {
			s.Enum = append(s.Enum, o)
		} else if n, err := strconv.ParseFloat(o, 64); err == nil {
			s.Enum = append(s.Enum, n)
		}
	}
}

// problemSchema is the RFC 9457 document every error answer carries.
func problemSchema() *schema {
	str := func(d string) *schema { return &schema{Type: "string", Description: d} }
	return &schema{
		Type:     "object",
		Required: []string{"title", "status", "code"},
		Properties: map[string]*schema{
			"type":     str("URI of the problem type; about:blank for the generic ones"),
			"title":    str("short summary of the status"),
			"status":   {Type: "integer", Format: "int32", Description: "HTTP status"},
			"detail":   str("what went wrong, for humans"),
			"instance": str("the request path"),
			"code":     str("the error kind, such as not_found or invalid_argument"),
			"errors": {Type: "array", Description: "the request fields that were wrong", Items: &schema{
				Type:     "object",
				Required: []string{"field", "description"},
				Properties: map[string]*schema{
					"field":       str("JSON member or parameter name"),
					"description": str("what is wrong with it"),
				},
			}},
		},
	}
}
