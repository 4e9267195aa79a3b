package gateway

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	httpt "github.com/gantrykit/gantry/transport/http"
)

// pathParam is an OpenAPI path template's parameter: {id}.
var pathParam = regexp.MustCompile(`\{[^}/]*\}`)

// edgeAnswers adds to each operation of the merged document doc what the
// gateway itself answers for it, found by the route t matches for the
// operation's method and path (a sample value in each path parameter):
//   - on a jwt route without a "security" of its own, the requirement of
//     a bearer JWT with the route's scopes (the securitySchemes entry
//     bearerAuth, or gateway.bearerAuth when a service took that name for
//     another scheme), and the 401 (and, with scopes, 403) answers;
//   - on any other route, an operation without "security" gets an empty
//     one: no credentials are asked for, said explicitly, as linters want;
//   - 400 for a path with parameters (the edge refuses a path whose decoded
//     form holds control bytes or an encoded slash), 413 for an operation
//     with a body (the route's max_body), 429 on a rate-limited route, and
//     502, 503 and 504, which any upstream can cause.
//
// It returns a copy of doc with the answers added (doc itself is not
// modified). Answers an operation already documents are kept. The added ones are
// problem+json, with the schema transport/http writes them with
// (components.schemas.Problem, or gateway.Problem when a service's Problem
// differs). Operations no route serves are left as they are.
func edgeAnswers(doc map[string]any, t *table) map[string]any {
	// doc's operations may be shared between the paths of two routes:
	// annotate a copy of it.
	b, err := json.Marshal(doc)
	if err != nil {
		return doc
	}
	var cp map[string]any
	if err := json.Unmarshal(b, &cp); err != nil {
		return doc
	}
	doc = cp
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 || t == nil {
		return doc
	}
	comps, _ := doc["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
	}
	var problemRef, bearer string // component names, claimed when first used
	for path, v := range paths {
		item, _ := v.(map[string]any)
		sample := pathParam.ReplaceAllString(path, "x")
		for method, o := range item {
			op, ok := o.(map[string]any)
			if !ok || !isMethod(method) {
				continue
			}
			rt, _ := t.match(request{method: strings.ToUpper(method), path: sample})
			if rt == nil {
				continue
			}
			codes := []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
			if sample != path {
				codes = append(codes, http.StatusBadRequest)
			}
			if _, body := op["requestBody"]; body {
				codes = append(codes, http.StatusRequestEntityTooLarge)
			}
			if rt.limiter != nil {
				codes = append(codes, http.StatusTooManyRequests)
			}
			if !rt.jwt {
				if _, has := op["security"]; !has {
					op["security"] = []any{} // public, said explicitly: neither gateway nor service asks for credentials
				}
			}
			if rt.jwt {
				codes = append(codes, http.StatusUnauthorized)
				if len(rt.scopes) > 0 {
					codes = append(codes, http.StatusForbidden)
				}
				if _, has := op["security"]; !has {
					if bearer == "" {
						bearer = claim(comps, "securitySchemes", "bearerAuth", bearerScheme())
					}
					op["security"] = []any{map[string]any{bearer: anySlice(rt.scopes)}}
				}
			}
			responses, _ := op["responses"].(map[string]any)
			if responses == nil {
				responses = map[string]any{}
				op["responses"] = responses
			}
			for _, c := range codes {
				code := strconv.Itoa(c)
				if _, has := responses[code]; has {
					continue
				}
				if problemRef == "" {
					var s map[string]any
					_ = json.Unmarshal(httpt.ProblemSchema(), &s)
					problemRef = "#/components/schemas/" + claim(comps, "schemas", "Problem", s)
				}
				responses[code] = map[string]any{
					"description": http.StatusText(c),
					"content":     map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": problemRef}}},
				}
			}
		}
	}
	if len(comps) > 0 {
		doc["components"] = comps
	}
	return doc
}

// claim returns the name under which components of kind holds value: the
// first of name, "gateway."+name, "gateway."+name+"_2", ... that is free
// (value is put there) or holds an equal value.
func claim(comps map[string]any, kind, name string, value map[string]any) string {
	m, _ := comps[kind].(map[string]any)
	if m == nil {
		m = map[string]any{}
		comps[kind] = m
	}
	for i := 0; ; i++ {
		n := name
		switch {
		case i == 1:
			n = "gateway." + name
		case i > 1:
			n = "gateway." + name + "_" + strconv.Itoa(i)
		}
		have, ok := m[n]
		if !ok {
			m[n] = value
			return n
		}
		if reflect.DeepEqual(have, value) {
			return n
		}
	}
}

// bearerScheme is the security scheme of a JWT bearer token, as
// transport/http's BearerJWT documents it.
func bearerScheme() map[string]any {
	var m map[string]any
	b, _ := json.Marshal(httpt.BearerJWT())
	_ = json.Unmarshal(b, &m)
	return m
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
