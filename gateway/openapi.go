package gateway

import (
	"errors"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

var errNoInstance = errors.New("no healthy instance")

// mergeSpecs builds one OpenAPI 3.1 document from the services' documents,
// with each upstream path rewritten to the public path(s) its routes expose.
// Operations without tags are tagged with their service's name. Where two
// routes expose the same public path, the first route's wins.
//
// Schemas (components.schemas) are merged service by service in route order;
// a service behind several routes counts once, at its first route:
//   - a schema whose name is still free keeps its name;
//   - a same-named schema equal to the one already merged (reflect.DeepEqual
//     of the decoded JSON, after the renames below) is shared under that name;
//   - a same-named schema that differs is kept as "<service>.<Name>", any
//     character outside [A-Za-z0-9._-] replaced by '_' so the key is a valid
//     component name; if that is taken too (by a merged schema or one of the
//     service's own names) it becomes "<service>.<Name>_2", "_3", and so on.
//
// Every "$ref" to "#/components/schemas/<Name>" (and every
// discriminator mapping) in the renamed service's path items and schemas is
// rewritten to the new name, so its operations keep pointing at its own
// schemas. The walk does not tell schema keywords from example data: a
// "$ref" string inside an example value is rewritten too. specs is not
// modified; whatever changes is copied. Other component kinds are dropped:
// gantry services emit only schemas.
func mergeSpecs(routes []RouteConfig, specs map[string]map[string]any) map[string]any {
	paths := map[string]any{}
	schemas := map[string]any{}
	renames := map[string]map[string]string{}
	for _, rc := range routes {
		spec := specs[rc.Service]
		if spec == nil {
			continue
		}
		ren, done := renames[rc.Service]
		if !done {
			ren = mergeSchemas(schemas, rc.Service, schemasOf(spec))
			renames[rc.Service] = ren
		}
		src, _ := spec["paths"].(map[string]any)
		for up, item := range src {
			pub, ok := publicPath(rc, up)
			if !ok {
				continue
			}
			if _, dup := paths[pub]; dup {
				continue
			}
			paths[pub] = tagged(rewriteRefs(item, ren), rc.Service)
		}
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "API", "version": "gateway"},
		"paths":   paths,
	}
	if len(schemas) > 0 {
		doc["components"] = map[string]any{"schemas": schemas}
	}
	return doc
}

func schemasOf(spec map[string]any) map[string]any {
	comps, _ := spec["components"].(map[string]any)
	sc, _ := comps["schemas"].(map[string]any)
	return sc
}

// mergeSchemas adds service's schemas sc to merged as mergeSpecs describes
// and returns the renames it made (original name to merged name).
func mergeSchemas(merged map[string]any, service string, sc map[string]any) map[string]string {
	names := slices.Sorted(maps.Keys(sc))
	ren := map[string]string{}
	targets := map[string]bool{}
	used := func(s string) bool {
		_, m := merged[s]
		_, o := sc[s]
		return m || o || targets[s]
	}
	// A schema equal to a merged one may differ once the schemas it refers
	// to are renamed, which may rename the schemas referring to it: repeat
	// until no more renames.
	for changed := true; changed; {
		changed = false
		for _, n := range names {
			have, taken := merged[n]
			if _, done := ren[n]; done || !taken || reflect.DeepEqual(have, rewriteRefs(sc[n], ren)) {
				continue
			}
			ren[n] = freeName(service+"."+n, used)
			targets[ren[n]] = true
			changed = true
		}
	}
	for _, n := range names {
		if to, ok := ren[n]; ok {
			merged[to] = rewriteRefs(sc[n], ren)
		} else if _, taken := merged[n]; !taken {
			merged[n] = rewriteRefs(sc[n], ren)
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

// publicPath maps an upstream path to the public one for route rc, and
// reports whether rc exposes it at all.
func publicPath(rc RouteConfig, up string) (string, bool) {
	prefix := rc.Prefix
	if rc.Pattern != "" {
		prefix = staticPrefix(rc.Pattern)
	}
	ver := ""
	if rc.Version != "" {
		ver = "/" + rc.Version
	}
	switch {
	case rc.StripPrefix:
		if up == "/" {
			return ver + prefix, true
		}
		return ver + strings.TrimSuffix(prefix, "/") + up, true
	case rc.Rewrite != "":
		if !hasPathPrefix(up, rc.Rewrite) {
			return "", false
		}
		return ver + strings.TrimSuffix(prefix, "/") + up[len(strings.TrimSuffix(rc.Rewrite, "/")):], true
	}
	if ver != "" {
		if v, rest := splitVersion(up); v == rc.Version && hasPathPrefix(rest, prefix) {
			return up, true
		}
		return "", false
	}
	return up, hasPathPrefix(up, prefix)
}

// tagged copies a path item, adding tag to operations that have none.
func tagged(item any, tag string) any {
	m, ok := item.(map[string]any)
	if !ok {
		return item
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if op, ok := v.(map[string]any); ok && isMethod(k) {
			if _, has := op["tags"]; !has {
				cp := make(map[string]any, len(op)+1)
				for kk, vv := range op {
					cp[kk] = vv
				}
				cp["tags"] = []any{tag}
				v = cp
			}
		}
		out[k] = v
	}
	return out
}

func isMethod(k string) bool {
	switch k {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

const schemaRef = "#/components/schemas/"

// rewriteRefs returns v with its references to the schemas ren renames
// pointing at their new names. Only the maps and slices on the way to a
// change are copied; v itself is never modified.
func rewriteRefs(v any, ren map[string]string) any {
	if len(ren) == 0 {
		return v
	}
	v, _ = rewrite(v, ren)
	return v
}

// rewrite is rewriteRefs, also reporting whether anything changed.
func rewrite(v any, ren map[string]string) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		var cp map[string]any
		for k, e := range v {
			var ch bool
			if s, ok := e.(string); ok && k == "$ref" {
				e, ch = renameRef(s, ren)
			} else {
				e, ch = rewrite(e, ren)
			}
			if k == "discriminator" {
				var mch bool
				e, mch = rewriteMapping(e, ren)
				ch = ch || mch
			}
			if ch {
				if cp == nil {
					cp = maps.Clone(v)
				}
				cp[k] = e
			}
		}
		if cp != nil {
			return cp, true
		}
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
func rewriteMapping(d any, ren map[string]string) (any, bool) {
	dm, _ := d.(map[string]any)
	mapping, _ := dm["mapping"].(map[string]any)
	var cp map[string]any
	for k, e := range mapping {
		s, ok := e.(string)
		if !ok {
			continue
		}
		to, ch := renameRef(s, ren)
		if n, bare := ren[s]; bare && !strings.HasPrefix(s, "#") {
			to, ch = n, true
		}
		if ch {
			if cp == nil {
				cp = maps.Clone(mapping)
			}
			cp[k] = to
		}
	}
	if cp == nil {
		return d, false
	}
	dm = maps.Clone(dm)
	dm["mapping"] = cp
	return dm, true
}

// renameRef rewrites ref if it points into a schema ren renames, keeping
// any pointer below the schema ("#/components/schemas/A/properties/b").
// As RFC 6901 reads a URI fragment, the name may be percent-encoded and is
// JSON Pointer escaped ("a~1b" names the schema "a/b").
func renameRef(ref string, ren map[string]string) (string, bool) {
	rest, ok := strings.CutPrefix(ref, schemaRef)
	if !ok {
		return ref, false
	}
	end := len(rest) // the name's end: a '/', or a percent-encoded one
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
	tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~") // in this order
	to, ok := ren[tok]
	if !ok {
		return ref, false
	}
	// to has only [A-Za-z0-9._-]: nothing to escape.
	return schemaRef + to + rest[end:], true
}
