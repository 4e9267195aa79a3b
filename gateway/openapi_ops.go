package gateway

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Keys of renames that are not component kinds: a kind never holds a '/',
// so no "$ref" can name these.
const (
	opIDKey = "/operationId" // a service's operationId: its merged id
	pathKey = "/paths"       // a service's upstream path: its public path
)

// mergeService is one service's part of a merge.
type mergeService struct {
	name  string
	paths map[string]any // upstream path: path item
	own   components
	ops   map[string]string // operationId: its merged id at its first exposure
	pub   map[string]string // upstream path: its first public path
	ren   renames           // set once the service's components are merged
}

// mergeStep is one step of a merge in route order: merging a service's
// components (comps), or exposing one of its path items under pub, its
// operations renamed to ids (in eachOp order).
type mergeStep struct {
	svc   *mergeService
	comps bool
	pub   string
	item  any
	ids   []string
}

// opIDs hands out the operationIds of a merged document.
type opIDs map[string]bool

// claim returns id if no operation has it yet, else "<qual>.<id>" made a
// valid component-like name by freeName, numbered if taken too, and marks
// the result taken.
func (used opIDs) claim(id, qual string) string {
	if used[id] {
		id = freeName(qual+"."+id, func(s string) bool { return used[s] })
	}
	used[id] = true
	return id
}

// claimComponents claims the ids of the operations of svc's path item and
// callback components, in name order, as each keeps its id in every
// exposure.
func (used opIDs) claimComponents(svc *mergeService) {
	for _, kind := range [...]string{"pathItems", "callbacks"} {
		m := svc.own[kind]
		for _, n := range slices.Sorted(maps.Keys(m)) {
			claim := func(id string) string {
				svc.first(id, used.claim(id, svc.name))
				return id
			}
			if kind == "callbacks" {
				eachCallback(map[string]any{n: m[n]}, claim)
			} else {
				eachOp(m[n], claim)
			}
		}
	}
}

// expose plans exposing svc's path item up under pub for route rc, and
// claims the ids of its operations: "<service>.<id>" on a clash at the
// first exposure of up, "<route>.<id>" at a later one (another route's
// copy of the same operations). A later exposure of a path item that
// refers to one of svc's path item components is a copy of that
// component, so that its operations can have ids of their own.
func (used opIDs) expose(svc *mergeService, rc RouteConfig, up, pub string) mergeStep {
	item, qual := svc.paths[up], svc.name
	_, again := svc.pub[up]
	if again {
		item, qual = svc.inline(item), rc.Name
	} else {
		svc.pub[up] = pub
	}
	st := mergeStep{svc: svc, pub: pub, item: item}
	for _, id := range opIDsOf(item) {
		to := used.claim(id, qual)
		if !again {
			svc.first(id, to)
		}
		st.ids = append(st.ids, to)
	}
	return st
}

// inline returns path item item, if it is a reference to one of svc's path
// item components, as a copy of that component with the reference's other
// members (a summary, a description) over it; else item itself.
func (svc *mergeService) inline(item any) any {
	m, _ := item.(map[string]any)
	ref, _ := m["$ref"].(string)
	rest, ok := strings.CutPrefix(ref, "#/components/pathItems/")
	tok, end := pointerToken(rest)
	comp, found := svc.own["pathItems"][tok].(map[string]any)
	if !ok || end != len(rest) || !found {
		return item
	}
	out := maps.Clone(comp)
	for k, v := range m {
		if k != "$ref" {
			out[k] = v
		}
	}
	return out
}

// first records to as the merged id of svc's operation id, unless an
// operation with that id was merged before.
func (svc *mergeService) first(id, to string) {
	if _, ok := svc.ops[id]; !ok {
		svc.ops[id] = to
	}
}

// links returns the renames of svc's operationIds and upstream paths that
// the references of its document must follow.
func (svc *mergeService) links() renames {
	ren := renames{}
	for k, m := range map[string]map[string]string{opIDKey: svc.ops, pathKey: svc.pub} {
		for from, to := range m {
			if from != to {
				if ren[k] == nil {
					ren[k] = map[string]string{}
				}
				ren[k][from] = to
			}
		}
	}
	return ren
}

// opIDsOf lists the string operationIds of path item item's operations,
// callbacks included, in eachOp order.
func opIDsOf(item any) []string {
	var ids []string
	eachOp(item, func(id string) string { ids = append(ids, id); return id })
	return ids
}

// withOpIDs returns path item item with its operations' string
// operationIds, in eachOp order, replaced by ids.
func withOpIDs(item any, ids []string) any {
	item, _ = eachOp(item, func(id string) string {
		if len(ids) == 0 {
			return id
		}
		id, ids = ids[0], ids[1:]
		return id
	})
	return item
}

// eachOp calls f on the string operationId of each operation of path item
// item, in a fixed order: methods as methodOrder lists them, each followed
// by the operations of its callbacks (callbacks by name, then each
// callback's path items by expression), and returns item with the ids f
// returns. Only what changes is copied.
func eachOp(item any, f func(id string) string) (any, bool) {
	m, ok := item.(map[string]any)
	if !ok {
		return item, false
	}
	var cp map[string]any
	for _, method := range methodOrder() {
		op, ok := m[method].(map[string]any)
		if !ok {
			continue
		}
		var nop map[string]any
		if id, ok := op["operationId"].(string); ok {
			if to := f(id); to != id {
				nop = maps.Clone(op)
				nop["operationId"] = to
			}
		}
		if cbs, ok := op["callbacks"].(map[string]any); ok {
			if ncbs, ch := eachCallback(cbs, f); ch {
				if nop == nil {
					nop = maps.Clone(op)
				}
				nop["callbacks"] = ncbs
			}
		}
		if nop != nil {
			if cp == nil {
				cp = maps.Clone(m)
			}
			cp[method] = nop
		}
	}
	if cp == nil {
		return item, false
	}
	return cp, true
}

// eachCallback is eachOp for the path items of an operation's callbacks.
func eachCallback(cbs map[string]any, f func(id string) string) (map[string]any, bool) {
	var out map[string]any
	for _, n := range slices.Sorted(maps.Keys(cbs)) {
		cb, ok := cbs[n].(map[string]any)
		if !ok {
			continue
		}
		var ncb map[string]any
		for _, expr := range slices.Sorted(maps.Keys(cb)) {
			if item, ch := eachOp(cb[expr], f); ch {
				if ncb == nil {
					ncb = maps.Clone(cb)
				}
				ncb[expr] = item
			}
		}
		if ncb != nil {
			if out == nil {
				out = maps.Clone(cbs)
			}
			out[n] = ncb
		}
	}
	return out, out != nil
}

// methodOrder lists the operations of a path item in the order eachOp
// visits them.
func methodOrder() [8]string {
	return [...]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
}

// renamePointer rewrites ref, a "$ref" or a Link's operationRef, if it
// points into a renamed component or into an upstream path that has a
// public one ("#/paths/~1api~1items/get" becomes
// "#/paths/~1v1~1items/get").
func renamePointer(ref string, ren renames) (string, bool) {
	if to, ok := renameRef(ref, ren); ok {
		return to, true
	}
	rest, ok := strings.CutPrefix(ref, "#/paths/")
	if !ok || ren[pathKey] == nil {
		return ref, false
	}
	tok, end := pointerToken(rest)
	to, ok := ren[pathKey][tok]
	if !ok {
		return ref, false
	}
	esc := strings.NewReplacer("~", "~0", "/", "~1").Replace(to)
	return "#/paths/" + url.PathEscape(esc) + rest[end:], true
}
