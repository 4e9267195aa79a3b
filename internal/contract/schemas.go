package contract

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/message"
)

// Schemas compiles the schemas of one OpenAPI 3.1 document on demand. It
// is not safe for concurrent use.
type Schemas struct {
	c     *jsonschema.Compiler
	cache map[string]*jsonschema.Schema
}

// docURL names the document inside the compiler.
const docURL = "https://contract.invalid/openapi.json"

// NewSchemas loads an OpenAPI 3.1 document (JSON).
func NewSchemas(doc []byte) (*Schemas, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("contract: document: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertVocabs()
	c.RegisterVocabulary(maxBytesVocab())
	if err := c.AddResource(docURL, v); err != nil {
		return nil, fmt.Errorf("contract: document: %w", err)
	}
	return &Schemas{c: c, cache: map[string]*jsonschema.Schema{}}, nil
}

// Pointer makes a JSON pointer fragment ("#/paths/~1v1~1orders/post/...")
// from path tokens, escaping each.
func Pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteByte('#')
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// Schema compiles the schema at the JSON pointer ptr (from Pointer).
func (s *Schemas) Schema(ptr string) (*jsonschema.Schema, error) {
	if sch, ok := s.cache[ptr]; ok {
		return sch, nil
	}
	sch, err := s.c.Compile(docURL + ptr)
	if err != nil {
		return nil, fmt.Errorf("contract: schema %s: %w", ptr, err)
	}
	s.cache[ptr] = sch
	return sch, nil
}

// Validate checks the JSON document b against the schema at ptr.
func (s *Schemas) Validate(ptr string, b []byte) error {
	sch, err := s.Schema(ptr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

// maxBytesVocab asserts x-maxBytes, the most bytes of a string's UTF-8
// form, which Gantry's maxbytes rule states beside maxLength.
func maxBytesVocab() *jsonschema.Vocabulary {
	const url = "https://gantrykit.dev/vocab/max-bytes"
	meta, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"properties":{"x-maxBytes":{"type":"integer","minimum":0}}}`))
	c := jsonschema.NewCompiler()
	_ = c.AddResource(url, meta)
	sch, err := c.Compile(url)
	if err != nil {
		panic(err) // a constant schema
	}
	return &jsonschema.Vocabulary{URL: url, Schema: sch, Compile: func(_ *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
		v, ok := obj["x-maxBytes"]
		if !ok {
			return nil, nil
		}
		n, err := number(v)
		if err != nil {
			return nil, err
		}
		return maxBytes(n), nil
	}}
}

type maxBytes int

func (m maxBytes) Validate(ctx *jsonschema.ValidatorContext, v any) {
	if s, ok := v.(string); ok && len(s) > int(m) {
		ctx.AddError(&tooManyBytes{max: int(m), got: len(s), chars: utf8.RuneCountInString(s)})
	}
}

type tooManyBytes struct{ max, got, chars int }

func (*tooManyBytes) KeywordPath() []string { return []string{"x-maxBytes"} }

func (e *tooManyBytes) LocalizedString(p *message.Printer) string {
	return p.Sprintf("%d bytes (%d characters), want at most %d bytes", e.got, e.chars, e.max)
}

// number reads a JSON number as jsonschema.UnmarshalJSON gives it.
func number(v any) (int, error) {
	var n int
	if _, err := fmt.Sscan(fmt.Sprint(v), &n); err != nil {
		return 0, fmt.Errorf("x-maxBytes: want an integer, got %v", v)
	}
	return n, nil
}
