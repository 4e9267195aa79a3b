package contract

import (
	"encoding/base64"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// gen makes values from the document's schemas with one seeded source, so
// that a run is repeated by its seed.
type gen struct {
	d *document
	r *rand.Rand
}

// scripts are the alphabets strings are drawn from: one byte to four
// bytes a character, combining marks, right-to-left text, zero-width and
// characters JSON must escape.
var scripts = [][]rune{
	[]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_. "),
	[]rune("éüßøåçñÆÐÞ"),
	[]rune("пароль Жёлтый"),
	[]rune("日本語中文한국어"),
	[]rune("🎉🚀😀🧪𝄞"),
	[]rune("e\u0301a\u0308o\u0303"),
	[]rune("שלום مرحبا"),
	[]rune("\u200b\u200d\ufeff\u2028\u2029"),
	[]rune("\"\\/<>&'\t\n\x00\x01\x7f"),
}

// types returns a schema's type names, "" for none given.
func types(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if n, ok := x.(string); ok {
				out = append(out, n)
			}
		}
		return out
	}
	return []string{""}
}

func num(s map[string]any, key string) (float64, bool) {
	f, ok := s[key].(float64)
	return f, ok
}

// value returns a value the schema s accepts. bytesOK makes strings honour
// x-maxBytes too; without it a string may have the most characters
// maxLength allows in a script of many bytes each, which JSON Schema
// accepts and a server must refuse with a 4xx or take.
func (g *gen) value(s any, depth int, bytesOK bool) any {
	m, _ := g.d.resolve(s).(map[string]any)
	if m == nil {
		return "x"
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts := asList(m[k]); len(alts) > 0 {
			return g.value(alts[g.r.IntN(len(alts))], depth, bytesOK)
		}
	}
	if all := asList(m["allOf"]); len(all) > 0 {
		return g.value(all[0], depth, bytesOK)
	}
	if enum := asList(m["enum"]); len(enum) > 0 {
		return enum[g.r.IntN(len(enum))]
	}
	if c, ok := m["const"]; ok {
		return c
	}
	ts := types(m)
	t := ts[g.r.IntN(len(ts))]
	if t == "null" && len(ts) > 1 && g.r.IntN(4) > 0 { // mostly the non-null type
		t = ts[slices.IndexFunc(ts, func(x string) bool { return x != "null" })]
	}
	if t == "" {
		switch {
		case m["properties"] != nil:
			t = "object"
		case m["items"] != nil:
			t = "array"
		default:
			t = []string{"string", "integer", "boolean", "object"}[g.r.IntN(4)]
		}
	}
	switch t {
	case "null":
		return nil
	case "boolean":
		return g.r.IntN(2) == 0
	case "integer", "number":
		return g.number(m, t == "integer")
	case "string":
		return g.str(m, bytesOK)
	case "array":
		lo, hi := 0, 4
		if n, ok := num(m, "minItems"); ok {
			lo = int(n)
		}
		if n, ok := num(m, "maxItems"); ok {
			hi = int(n)
		}
		hi = max(lo, min(hi, lo+4))
		if depth > 4 {
			hi = lo
		}
		out := make([]any, lo+g.r.IntN(hi-lo+1))
		for i := range out {
			out[i] = g.value(m["items"], depth+1, bytesOK)
		}
		return out
	}
	return g.object(m, depth, bytesOK)
}

func (g *gen) object(m map[string]any, depth int, bytesOK bool) map[string]any {
	out := map[string]any{}
	props, _ := m["properties"].(map[string]any)
	required := map[string]bool{}
	for _, r := range asList(m["required"]) {
		if n, ok := r.(string); ok {
			required[n] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(props)) {
		if required[name] || depth < 5 && g.r.IntN(2) == 0 {
			out[name] = g.value(props[name], depth+1, bytesOK)
		}
	}
	if ap, ok := m["additionalProperties"].(map[string]any); ok && depth < 5 {
		for range g.r.IntN(3) {
			out[g.plain(1+g.r.IntN(8))] = g.value(ap, depth+1, bytesOK)
		}
	}
	return out
}

func (g *gen) number(m map[string]any, integer bool) any {
	lo, hasLo := num(m, "minimum")
	hi, hasHi := num(m, "maximum")
	if !hasLo {
		lo = -1e6
	}
	if !hasHi {
		hi = lo + 2e6
	}
	if f, _ := m["format"].(string); f == "int32" {
		lo, hi = max(lo, math.MinInt32), min(hi, math.MaxInt32)
	}
	var v float64
	switch g.r.IntN(4) {
	case 0:
		v = lo
	case 1:
		v = hi
	default:
		v = lo + g.r.Float64()*(hi-lo)
	}
	if integer {
		v = math.Max(math.Ceil(lo), math.Min(math.Floor(hi), math.Round(v)))
		return int64(v)
	}
	return v
}

func (g *gen) str(m map[string]any, bytesOK bool) string {
	switch f, _ := m["format"].(string); f {
	case "email":
		return g.plain(1+g.r.IntN(10)) + "@example.com"
	case "date-time":
		return time.Unix(g.r.Int64N(4e9), 0).UTC().Format(time.RFC3339)
	case "byte":
		return base64.StdEncoding.EncodeToString([]byte(g.plain(g.r.IntN(12))))
	}
	lo, hi := 0, 24
	if n, ok := num(m, "minLength"); ok {
		lo = int(n)
	}
	if n, ok := num(m, "maxLength"); ok {
		hi = int(n)
	}
	hi = max(lo, hi)
	n := lo + g.r.IntN(hi-lo+1)
	if g.r.IntN(3) == 0 {
		n = hi // at the limit: the found case sits here
	}
	script := scripts[g.r.IntN(len(scripts))]
	maxBytes, limited := num(m, "x-maxBytes")
	var b strings.Builder
	for range n {
		c := script[g.r.IntN(len(script))]
		if bytesOK && limited && b.Len()+utf8.RuneLen(c) > int(maxBytes) {
			c = 'a'
			if b.Len()+1 > int(maxBytes) {
				break
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// plain is an ASCII word, for names that must not surprise.
func (g *gen) plain(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[g.r.IntN(len(letters))]
	}
	return string(b)
}

// wild is a string of any script and length up to n runes.
func (g *gen) wild(n int) string {
	var b strings.Builder
	for range g.r.IntN(n + 1) {
		s := scripts[g.r.IntN(len(scripts))]
		b.WriteRune(s[g.r.IntN(len(s))])
	}
	return b.String()
}

// wrong returns a value of another JSON type than the schema's first.
func (g *gen) wrong(s any) any {
	m, _ := g.d.resolve(s).(map[string]any)
	t := ""
	if m != nil {
		t = types(m)[0]
	}
	choices := []any{"text", int64(7), 3.5, true, []any{1}, map[string]any{"x": 1}, nil, strings.Repeat("x", 1<<12), 1e300}
	for {
		v := choices[g.r.IntN(len(choices))]
		switch v.(type) {
		case string:
			if t != "string" {
				return v
			}
		case int64, float64:
			if t != "integer" && t != "number" {
				return v
			}
		case bool:
			if t != "boolean" {
				return v
			}
		case []any:
			if t != "array" {
				return v
			}
		case map[string]any:
			if t != "object" && t != "" {
				return v
			}
		case nil:
			if !slices.Contains(types(m), "null") && m != nil {
				return v
			}
		}
	}
}
