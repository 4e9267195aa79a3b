// Package oascheck validates OpenAPI 3.1 documents against the official
// JSON Schemas of the specification (schemas/, from the OpenAPI Initiative,
// Apache 2.0/MIT as in schemas/LICENSE), including every Schema Object
// against the 3.1 base dialect. Tests use it; it loads nothing from the
// network.
//
// One fix to the published files: schema-base.json (2021-04-15) spells a key
// "$ref\"" where "$ref" is meant, which silently turns off the dialect check
// of Schema Objects; our copy has it corrected, as later releases of the
// specification's schemas do.
package oascheck

import (
	"bytes"
	"embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schemas
var files embed.FS

// The schema documents by the IDs they refer to each other with.
var resources = map[string]string{
	"https://spec.openapis.org/oas/3.1/schema-base/2021-04-15": "schemas/schema-base.json",
	"https://spec.openapis.org/oas/3.1/schema/2021-04-15":      "schemas/schema.json",
	"https://spec.openapis.org/oas/3.1/dialect/base":           "schemas/dialect/base.schema.json",
	"https://spec.openapis.org/oas/3.1/meta/base":              "schemas/meta/base.schema.json",
}

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	for url, name := range resources {
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile("https://spec.openapis.org/oas/3.1/schema-base/2021-04-15")
})

// Validate reports whether doc, a JSON document, is a valid OpenAPI 3.1
// description. The error lists every violation with its location.
func Validate(doc []byte) error {
	s, err := compiled()
	if err != nil {
		return fmt.Errorf("oascheck: compiling the OpenAPI 3.1 schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("oascheck: not JSON: %w", err)
	}
	return s.Validate(v)
}
