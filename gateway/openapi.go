package gateway

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

var errNoInstance = errors.New("no healthy instance")

// mergeSpecs builds one OpenAPI 3.1 document from the services' documents,
// with each upstream path rewritten to the public path(s) its routes expose.
// Operations without tags are tagged with their service's name. Where two
// routes expose the same public path, the first route's wins.
//
// Components of every OpenAPI 3.1 kind (schemas, responses, parameters,
// examples, requestBodies, headers, securitySchemes, links, callbacks,
// pathItems) are merged service by service in route order, each kind a
// namespace of its own; a service behind several routes counts once, at its
// first route:
//   - a component whose name is still free keeps its name;
//   - a same-named component equal to the one already merged
//     (reflect.DeepEqual of the decoded JSON, after the renames below) is
//     shared under that name;
//   - a same-named component that differs is kept as "<service>.<Name>",
//     any character outside [A-Za-z0-9._-] replaced by '_' so the key is a
//     valid component name; if that is taken too (by a merged component of
//     its kind or one of the service's own names) it becomes
//     "<service>.<Name>_2", "_3", and so on.
//
// Every "$ref" to "#/components/<kind>/<Name>" (and every discriminator
// mapping) in the renamed service's path items and components of every kind
// is rewritten to the new name, so its operations keep pointing at its own
// components, and so does a component pointing at another (a response at a
// schema, a path item at a parameter). A renamed security scheme is renamed
// too in the security requirements of the service's operations, callbacks
// included.
//
// Every operationId of the merged document is unique, as OpenAPI requires
// (Swagger UI's deep links and code generators rely on it). Ids are handed
// out in route order: at a service's first route the operations of its
// pathItems and callbacks components (by name), then for each route the
// operations of the path items it exposes, by upstream path, then method
// (get, put, post, delete, options, head, patch, trace), each followed by
// those of its callbacks:
//   - the first operation with an id keeps it;
//   - a later, different operation with that id becomes "<service>.<id>",
//     named as a component is above ("_2", "_3"... if taken);
//   - a later exposure of the same upstream operation, under a public path
//     of another route of its service, becomes "<route>.<id>" likewise
//     ("orders_v2.getOrder"); a path item there that refers to a path item
//     component is replaced by a copy of it, so that its operations can
//     have ids of their own.
//
// A Link's operationId (in responses and components.links) follows its
// service's renamed operation, to its first exposure. A "$ref" or a Link's
// operationRef pointing into a service's upstream path
// ("#/paths/~1api~1items/get") is rewritten to that path's first public
// path, and one pointing into a renamed component to its new name; a
// pointer to a path no route exposes is left as it is. The walk does not
// tell keywords from example data: a "$ref", "operationRef" or
// "operationId" string inside an example value is rewritten too.
//
// The merged document has no top-level "security": a service's top-level
// requirement is copied onto each of its operations (in paths and
// components.pathItems) that has no "security" of its own. Webhooks and
// the services' other top-level fields are dropped. specs is not modified;
// whatever changes is copied.
func mergeSpecs(routes []RouteConfig, specs map[string]map[string]any) map[string]any {
	// First plan the merge and hand out the operationIds in route order, so
	// that each service's references can follow its renamed operations and
	// paths wherever they are.
	services := map[string]*mergeService{}
	exposed := map[string]bool{}
	ids := opIDs{}
	var steps []mergeStep
	for _, rc := range routes {
		spec := specs[rc.Service]
		if spec == nil {
			continue
		}
		svc := services[rc.Service]
		if svc == nil {
			p, own := serviceParts(spec)
			svc = &mergeService{name: rc.Service, paths: p, own: own, ops: map[string]string{}, pub: map[string]string{}}
			services[rc.Service] = svc
			ids.claimComponents(svc)
			steps = append(steps, mergeStep{svc: svc, comps: true})
		}
		for _, up := range slices.Sorted(maps.Keys(svc.paths)) {
			pub, ok := publicPath(rc, up)
			if !ok || exposed[pub] {
				continue
			}
			exposed[pub] = true
			steps = append(steps, ids.expose(svc, rc, up, pub))
		}
	}
	paths := map[string]any{}
	merged := components{}
	for _, st := range steps {
		if st.comps {
			st.svc.ren = mergeComponents(merged, st.svc.name, st.svc.own, st.svc.links())
			continue
		}
		item := withOpIDs(rewriteComponent("pathItems", st.item, st.svc.ren), st.ids)
		paths[st.pub] = tagged(item, st.svc.name)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "API", "version": "gateway"},
		"paths":   paths,
	}
	if len(merged) > 0 {
		comps := make(map[string]any, len(merged))
		for kind, m := range merged {
			comps[kind] = m
		}
		doc["components"] = comps
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
