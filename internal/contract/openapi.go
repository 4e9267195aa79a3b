package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// operation is one operation of the document, as the fuzzer uses it.
type operation struct {
	method, path string // path is the template, /v1/items/{id}
	id           string
	params       []parameter
	body         map[string]any // the request body's JSON schema; nil: no JSON body
	bodyRequired bool
	responses    map[string]map[string]any // status ("200", "4XX", "default") → media type → media object
	secured      bool
}

// parameter is a path or query parameter.
type parameter struct {
	name, in string
	required bool
	schema   map[string]any
}

// document is a parsed OpenAPI 3.1 document.
type document struct {
	root map[string]any
	ops  []*operation
	// methods lists the documented methods of each path, upper case.
	methods map[string][]string
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// parseDocument reads the operations of an OpenAPI 3.1 document, in path
// then method order.
func parseDocument(b []byte) (*document, error) {
	d := &document{methods: map[string][]string{}}
	if err := json.Unmarshal(b, &d.root); err != nil {
		return nil, fmt.Errorf("contract: document: %w", err)
	}
	paths, _ := d.root["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	for _, path := range keys {
		item, _ := d.resolve(paths[path]).(map[string]any)
		for _, m := range httpMethods {
			o, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			d.methods[path] = append(d.methods[path], strings.ToUpper(m))
			op := &operation{method: strings.ToUpper(m), path: path, responses: map[string]map[string]any{}}
			op.id, _ = o["operationId"].(string)
			for _, p := range append(asList(item["parameters"]), asList(o["parameters"])...) {
				pm, _ := d.resolve(p).(map[string]any)
				if in, _ := pm["in"].(string); in == "path" || in == "query" {
					prm := parameter{in: in}
					prm.name, _ = pm["name"].(string)
					prm.required, _ = pm["required"].(bool)
					prm.schema, _ = pm["schema"].(map[string]any)
					op.params = append(op.params, prm)
				}
			}
			if rb, ok := d.resolve(o["requestBody"]).(map[string]any); ok {
				op.bodyRequired, _ = rb["required"].(bool)
				if media, ok := mapAt(rb, "content", "application/json"); ok {
					op.body, _ = media["schema"].(map[string]any)
				}
			}
			resp, _ := o["responses"].(map[string]any)
			for code, r := range resp {
				content := map[string]any{}
				if c, ok := mapAt(d.resolve(r).(map[string]any), "content"); ok {
					content = c
				}
				op.responses[code] = content
			}
			sec, hasSec := o["security"].([]any)
			if !hasSec {
				sec, _ = d.root["security"].([]any)
			}
			for _, req := range sec {
				if m, _ := req.(map[string]any); len(m) > 0 {
					op.secured = true
				}
			}
			d.ops = append(d.ops, op)
		}
	}
	return d, nil
}

// resolve follows local $refs ("#/components/...") until a value without
// one; an unresolvable reference gives nil.
func (d *document) resolve(v any) any {
	for range 32 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		v = d.pointer(ref)
	}
	return nil
}

// pointer returns the value at a local JSON pointer reference.
func (d *document) pointer(ref string) any {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	var v any = d.root
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// documented returns the key of the responses object that covers status:
// the code itself, its range ("4XX") or "default"; "" when none does.
func (op *operation) documented(status int) string {
	code := strconv.Itoa(status)
	for _, k := range []string{code, code[:1] + "XX", "default"} {
		if _, ok := op.responses[k]; ok {
			return k
		}
	}
	return ""
}

func asList(v any) []any { l, _ := v.([]any); return l }

// mapAt walks nested objects along keys.
func mapAt(m map[string]any, keys ...string) (map[string]any, bool) {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	return m, true
}
