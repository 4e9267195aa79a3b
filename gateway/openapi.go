package gateway

import (
	"errors"
	"strings"
)

var errNoInstance = errors.New("no healthy instance")

// mergeSpecs builds one OpenAPI 3.1 document from the services' documents,
// with each upstream path rewritten to the public path(s) its routes expose.
// Operations without tags are tagged with their service's name. The first
// schema of a given name wins.
func mergeSpecs(routes []RouteConfig, specs map[string]map[string]any) map[string]any {
	paths := map[string]any{}
	schemas := map[string]any{}
	for _, rc := range routes {
		spec := specs[rc.Service]
		if spec == nil {
			continue
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
			paths[pub] = tagged(item, rc.Service)
		}
		if comps, ok := spec["components"].(map[string]any); ok {
			if sc, ok := comps["schemas"].(map[string]any); ok {
				for k, v := range sc {
					if _, dup := schemas[k]; !dup {
						schemas[k] = v
					}
				}
			}
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
