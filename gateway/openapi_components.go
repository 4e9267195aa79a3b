package gateway

import (
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// componentKinds lists the OpenAPI 3.1 component kinds in the order
// mergeComponents goes through them. Each kind is its own namespace.
func componentKinds() [10]string {
	return [...]string{"schemas", "responses", "parameters", "examples", "requestBodies",
		"headers", "securitySchemes", "links", "callbacks", "pathItems"}
}

// components holds a document's components by kind, then name.
type components map[string]map[string]any

// renames maps a component kind, then a service's own component name, to
// the name that component has in the merged document.
type renames map[string]map[string]string

// serviceParts returns spec's paths and components as mergeSpecs merges
// them: a top-level "security" is copied onto each operation of the paths
// and of components.pathItems that has no "security" of its own, since the
// merged document has no top-level requirement. spec is not modified.
func serviceParts(spec map[string]any) (map[string]any, components) {
	paths, _ := spec["paths"].(map[string]any)
	all, _ := spec["components"].(map[string]any)
	own := components{}
	for _, kind := range componentKinds() {
		if m, ok := all[kind].(map[string]any); ok && len(m) > 0 {
			own[kind] = m
		}
	}
	sec, _ := spec["security"].([]any)
	if len(sec) == 0 {
		return paths, own
	}
	paths = maps.Clone(paths)
	for k, item := range paths {
		paths[k] = withSecurity(item, sec)
	}
	if items := own["pathItems"]; items != nil {
		items = maps.Clone(items)
		for k, item := range items {
			items[k] = withSecurity(item, sec)
		}
		own["pathItems"] = items
	}
	return paths, own
}

// withSecurity returns path item item with sec set on each of its
// operations that has no security of its own.
func withSecurity(item any, sec []any) any {
	item, _ = editMap(item, func(k string, op any) (any, bool) {
		m, ok := op.(map[string]any)
		if _, has := m["security"]; !ok || has || !isMethod(k) {
			return op, false
		}
		m = maps.Clone(m)
		m["security"] = sec
		return m, true
	})
	return item
}

// mergeComponents adds service's components own to merged as mergeSpecs
// describes and returns the renames it made, with links: the renames of
// the service's operationIds and upstream paths (opIDKey, pathKey), which
// its components follow too before they are compared.
func mergeComponents(merged components, service string, own components, links renames) renames {
	ren, targets := maps.Clone(links), map[string]map[string]bool{}
	if ren == nil {
		ren = renames{}
	}
	names := map[string][]string{}
	for kind, m := range own {
		names[kind] = slices.Sorted(maps.Keys(m))
	}
	// A component equal to a merged one may differ once the components it
	// refers to are renamed, of its kind or another, which may rename the
	// components referring to it: repeat until no more renames.
	for changed := true; changed; {
		changed = false
		for _, kind := range componentKinds() {
			for _, n := range names[kind] {
				have, taken := merged[kind][n]
				if _, done := ren[kind][n]; done || !taken || reflect.DeepEqual(have, rewriteComponent(kind, own[kind][n], ren)) {
					continue
				}
				to := freeName(service+"."+n, func(s string) bool {
					_, m := merged[kind][s]
					_, o := own[kind][s]
					return m || o || targets[kind][s]
				})
				if ren[kind] == nil {
					ren[kind], targets[kind] = map[string]string{}, map[string]bool{}
				}
				ren[kind][n], targets[kind][to] = to, true
				changed = true
			}
		}
	}
	for kind, m := range own {
		for n, c := range m {
			to, renamed := ren[kind][n]
			if _, taken := merged[kind][n]; !renamed && taken {
				continue // shared
			}
			if !renamed {
				to = n
			}
			if merged[kind] == nil {
				merged[kind] = map[string]any{}
			}
			merged[kind][to] = rewriteComponent(kind, c, ren)
		}
	}
	return ren
}

// freeName makes name a valid component name (characters outside
// [A-Za-z0-9._-] become '_') that used does not report, adding "_2", "_3"...
// if it must.
func freeName(name string, used func(string) bool) string {
	base := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
	name = base
	for i := 2; used(name); i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	return name
}

// rewriteComponent returns v, a component of the given kind (a path item of
// paths counts as kind "pathItems"), with its references and the scheme
// names of its operations' security requirements following ren. Only the
// maps and slices on the way to a change are copied; v is never modified.
func rewriteComponent(kind string, v any, ren renames) any {
	if len(ren) == 0 {
		return v
	}
	v, _ = rewrite(v, ren)
	if schemes := ren["securitySchemes"]; len(schemes) > 0 {
		switch kind {
		case "pathItems":
			v, _ = itemSecurity(v, schemes)
		case "callbacks":
			v, _ = callbackSecurity(v, schemes)
		}
	}
	return v
}

// rewrite rewrites the "$ref"s, discriminator mappings, and Links'
// operationIds and operationRefs in v, reporting whether anything changed. It does not tell keywords from example data: a
// "$ref" string inside an example value is rewritten too.
func rewrite(v any, ren renames) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		return editMap(v, func(k string, e any) (any, bool) {
			var ch bool
			s, isStr := e.(string)
			switch {
			case isStr && (k == "$ref" || k == "operationRef"):
				e, ch = renamePointer(s, ren)
			case isStr && k == "operationId":
				if to, ok := ren[opIDKey][s]; ok {
					e, ch = to, true
				}
			default:
				e, ch = rewrite(e, ren)
			}
			if k == "discriminator" {
				var mch bool
				e, mch = rewriteMapping(e, ren["schemas"])
				ch = ch || mch
			}
			return e, ch
		})
	case []any:
		var cp []any
		for i, e := range v {
			if e, ch := rewrite(e, ren); ch {
				if cp == nil {
					cp = slices.Clone(v)
				}
				cp[i] = e
			}
		}
		if cp != nil {
			return cp, true
		}
	}
	return v, false
}

// rewriteMapping renames the schemas a discriminator's mapping names, given
// either as references or as bare schema names.
func rewriteMapping(d any, schemas map[string]string) (any, bool) {
	return editMap(d, func(k string, mapping any) (any, bool) {
		if k != "mapping" {
			return mapping, false
		}
		return editMap(mapping, func(_ string, e any) (any, bool) {
			s, ok := e.(string)
			if !ok {
				return e, false
			}
			if n, bare := schemas[s]; bare && !strings.HasPrefix(s, "#") {
				return n, true
			}
			return renameRef(s, renames{"schemas": schemas})
		})
	})
}

// renameRef rewrites ref if it points into a component ren renames
// ("#/components/<kind>/<name>"), keeping any pointer below the component
// ("#/components/schemas/A/properties/b"). As RFC 6901 reads a URI
// fragment, the name may be percent-encoded and is JSON Pointer escaped
// ("a~1b" names the component "a/b").
func renameRef(ref string, ren renames) (string, bool) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	kind, rest, slash := strings.Cut(rest, "/")
	if !ok || !slash || ren[kind] == nil {
		return ref, false
	}
	tok, end := pointerToken(rest)
	to, ok := ren[kind][tok]
	if !ok {
		return ref, false
	}
	// to has only [A-Za-z0-9._-]: nothing to escape.
	return "#/components/" + kind + "/" + to + rest[end:], true
}

// pointerToken decodes the first reference token of rest, the part of a
// URI fragment after a '/' of its JSON Pointer, and returns it with its
// end in rest: the next '/', or percent-encoded one. As RFC 6901 reads a
// fragment, the token may be percent-encoded and is JSON Pointer escaped.
func pointerToken(rest string) (string, int) {
	end := len(rest)
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' || rest[i] == '%' && i+2 < len(rest) && strings.EqualFold(rest[i+1:i+3], "2f") {
			end = i
			break
		}
	}
	tok := rest[:end]
	if u, err := url.PathUnescape(tok); err == nil {
		tok = u
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~"), end // in this order
}

// itemSecurity renames the security schemes named by the security
// requirements of path item item's operations and of their callbacks.
func itemSecurity(item any, schemes map[string]string) (any, bool) {
	return editMap(item, func(k string, op any) (any, bool) {
		if !isMethod(k) {
			return op, false
		}
		return editMap(op, func(k string, e any) (any, bool) {
			switch k {
			case "security":
				return requirementsSecurity(e, schemes)
			case "callbacks":
				return editMap(e, func(_ string, cb any) (any, bool) { return callbackSecurity(cb, schemes) })
			}
			return e, false
		})
	})
}

// callbackSecurity is itemSecurity for each path item of callback cb.
func callbackSecurity(cb any, schemes map[string]string) (any, bool) {
	return editMap(cb, func(_ string, item any) (any, bool) { return itemSecurity(item, schemes) })
}

// requirementsSecurity renames the keys, scheme names, of a list of
// security requirement objects.
func requirementsSecurity(v any, schemes map[string]string) (any, bool) {
	reqs, _ := v.([]any)
	var cp []any
	for i, r := range reqs {
		m, _ := r.(map[string]any)
		hit := false
		for k := range m {
			if _, hit = schemes[k]; hit {
				break
			}
		}
		if !hit {
			continue
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if to, ok := schemes[k]; ok {
				k = to
			}
			out[k] = e
		}
		if cp == nil {
			cp = slices.Clone(reqs)
		}
		cp[i] = out
	}
	if cp == nil {
		return v, false
	}
	return cp, true
}

// editMap returns v, if it is an object, with f applied to each member,
// copying v only if f reports a change.
func editMap(v any, f func(k string, e any) (any, bool)) (any, bool) {
	m, ok := v.(map[string]any)
	var cp map[string]any
	for k, e := range m {
		if e, ch := f(k, e); ch {
			if cp == nil {
				cp = maps.Clone(m)
			}
			cp[k] = e
		}
	}
	if !ok || cp == nil {
		return v, false
	}
	return cp, true
}
