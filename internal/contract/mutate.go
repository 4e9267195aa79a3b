package contract

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// request is one generated request, before it is sent.
type request struct {
	op          *operation
	method      string
	path        string // escaped
	query       url.Values
	body        []byte
	contentType string
	auth        string // Authorization value; "" for none
	kind        string // what the generator meant: "valid", "invalid: ...", "credentials: ..."
}

// build makes a request for op: valid unless invalid is set, in which case
// one thing about it is wrong (and kind says what).
func (g *gen) build(op *operation, invalid bool) *request {
	r := &request{op: op, method: op.method, query: url.Values{}, kind: "valid"}
	bytesOK := g.r.IntN(2) == 0
	pathVals := map[string]string{}
	for _, p := range op.params {
		v := g.paramValue(p.schema, bytesOK)
		if p.in == "path" {
			pathVals[p.name] = v
		} else if p.required || g.r.IntN(2) == 0 {
			r.query.Set(p.name, v)
		}
	}
	var body any
	if op.body != nil && (op.bodyRequired || g.r.IntN(4) > 0) {
		body = g.value(op.body, 0, bytesOK)
		r.contentType = "application/json"
	}
	if invalid {
		g.spoil(r, pathVals, &body)
	}
	r.path = op.path
	for name, v := range pathVals {
		r.path = strings.ReplaceAll(r.path, "{"+name+"}", url.PathEscape(v))
	}
	if r.body == nil && body != nil {
		r.body, _ = json.Marshal(body)
	}
	return r
}

// paramValue is a parameter's value as it travels in the URL.
func (g *gen) paramValue(s map[string]any, bytesOK bool) string {
	v := g.value(s, 0, bytesOK)
	for {
		var out string
		switch x := v.(type) {
		case string:
			out = x
		case []any: // a repeated query parameter: its first value here
			if len(x) == 0 {
				return "a"
			}
			v = x[0]
			continue
		default:
			b, _ := json.Marshal(x)
			out = string(b)
		}
		if out == "" || out == "." || out == ".." {
			return "a" // not a path segment a URL can carry
		}
		return out
	}
}

// spoil makes one thing about r wrong.
func (g *gen) spoil(r *request, pathVals map[string]string, body *any) {
	var path []parameter
	for _, p := range r.op.params {
		if p.in == "path" {
			path = append(path, p)
		}
	}
	choices := []string{"query type", "unknown query"}
	if len(path) > 0 {
		choices = append(choices, "path value", "path value")
	}
	if r.op.body != nil {
		choices = append(choices, "member type", "member type", "missing member", "unknown member", "case-folded member",
			"duplicate member", "long string", "out of range", "malformed JSON", "content type", "empty body",
			"top-level type", "huge body", "deep nesting", "invalid UTF-8", "huge number", "null member")
	}
	what := choices[g.r.IntN(len(choices))]
	r.kind = "invalid: " + what
	obj, _ := (*body).(map[string]any)
	members := slices.Sorted(maps.Keys(obj))
	pick := func() string { return members[g.r.IntN(len(members))] }
	if *body == nil && r.op.body != nil {
		*body = g.value(r.op.body, 0, true)
		r.contentType = "application/json"
		obj, _ = (*body).(map[string]any)
		members = slices.Sorted(maps.Keys(obj))
	}
	switch what {
	case "path value":
		p := path[g.r.IntN(len(path))]
		pathVals[p.name] = []string{g.wild(12), "%2F..%2F", "12abc", "-1", "9999999999999999999999", "\x00", strings.Repeat("ж", 3000),
			"\xff\xfe"}[g.r.IntN(8)]
		if v := pathVals[p.name]; v == "" || v == "." || v == ".." {
			pathVals[p.name] = "x."
		}
	case "query type":
		qs := slices.DeleteFunc(slices.Clone(r.op.params), func(p parameter) bool { return p.in != "query" })
		if len(qs) == 0 {
			r.query.Set(g.plain(5), g.wild(10))
			break
		}
		q := qs[g.r.IntN(len(qs))]
		r.query.Set(q.name, []string{"abc", "-1e999", g.wild(20), "%zz", "true"}[g.r.IntN(5)])
	case "unknown query":
		r.query.Add(g.wild(6)+"x", g.wild(10))
	case "member type", "null member":
		if len(members) == 0 {
			*body = []any{}
			break
		}
		m := pick()
		if what == "null member" {
			obj[m] = nil
		} else {
			obj[m] = g.wrong(g.memberSchema(r.op.body, m))
		}
	case "missing member":
		if len(members) > 0 {
			delete(obj, pick())
		}
	case "unknown member":
		if obj != nil {
			obj["zz"+g.wild(6)] = g.value(map[string]any{}, 3, true)
		}
	case "case-folded member":
		if len(members) > 0 {
			m := pick()
			v := obj[m]
			delete(obj, m)
			folded := strings.ToUpper(m)
			if folded == m {
				folded = strings.ToLower(m)
			}
			obj[folded] = v
		}
	case "duplicate member":
		b, _ := json.Marshal(*body)
		if len(members) > 0 && len(b) > 2 {
			m := pick()
			dup, _ := json.Marshal(map[string]any{m: obj[m]})
			r.body = append(append(b[:len(b)-1:len(b)-1], ','), dup[1:]...)
		}
	case "long string":
		if len(members) > 0 {
			obj[pick()] = strings.Repeat("ü", 1+g.r.IntN(5000))
		}
	case "out of range":
		if len(members) > 0 {
			obj[pick()] = []any{-1e18, 1e18, -1, 0, 1 << 53}[g.r.IntN(5)]
		}
	case "malformed JSON":
		b, _ := json.Marshal(*body)
		r.body = b[:g.r.IntN(len(b))]
		if len(r.body) == 0 {
			r.body = []byte("{")
		}
	case "content type":
		r.contentType = []string{"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"}[g.r.IntN(4)]
	case "empty body":
		*body, r.body = nil, []byte{}
	case "top-level type":
		*body = []any{nil, "x", int64(1), []any{}, true}[g.r.IntN(5)]
	case "huge body":
		r.body = []byte(`{"x":"` + strings.Repeat("x", 2<<20) + `"}`)
	case "deep nesting":
		r.body = append(bytes.Repeat([]byte("["), 100000), bytes.Repeat([]byte("]"), 100000)...)
	case "invalid UTF-8":
		b, _ := json.Marshal(*body)
		if i := bytes.IndexByte(b, '"'); i >= 0 {
			r.body = append(append(b[:i+1:i+1], 0xff, 0xfe), b[i+1:]...)
		}
	case "huge number":
		if len(members) > 0 {
			b, _ := json.Marshal(*body)
			m, _ := json.Marshal(pick())
			r.body = bytes.Replace(b, append(m, ':'), append(m, []byte(":1e400,\"zz\":")...), 1)
		}
	}
}

// memberSchema is the schema of member name of the object schema s.
func (g *gen) memberSchema(s any, name string) any {
	m, _ := g.d.resolve(s).(map[string]any)
	if m == nil {
		return nil
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		for _, alt := range asList(m[k]) {
			if sub := g.memberSchema(alt, name); sub != nil {
				return sub
			}
		}
	}
	props, _ := m["properties"].(map[string]any)
	return props[name]
}
