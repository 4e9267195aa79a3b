package http

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gantrykit/gantry/errs"
)

// Mux is a router over net/http.ServeMux (Go 1.22 patterns such as
// "GET /v1/orders/{id}") that answers unknown routes with a 404 and known
// paths with the wrong method with a 405, both as problem+json. It records
// the routes it is given so that an OpenAPI document can be built from them.
//
// Register routes before serving; Handle is safe for concurrent use, as is
// ServeHTTP.
type Mux struct {
	obs   *observer // nil without WithTracing
	mux   *http.ServeMux
	paths *http.ServeMux // every registered path without its method, to tell 405 from 404

	mu       sync.Mutex
	routes   []Route
	errors   []errs.Kind // documented for every typed route
	seen     map[string]bool
	fallback atomic.Pointer[http.Handler] // the handler registered for "/", if any
}

// Route is one registered pattern and its handler.
type Route struct {
	Method  string // "" when the pattern matches every method
	Path    string // the pattern without its method, e.g. "/v1/orders/{id}"
	Pattern string // the pattern as given to Handle
	Handler http.Handler
	// Operation describes a typed route (a handler implementing Describer);
	// nil for plain handlers, which the OpenAPI document leaves out.
	Operation *Operation
}

// NewMux returns an empty Mux.
func NewMux(opts ...MuxOption) *Mux {
	m := &Mux{mux: http.NewServeMux(), paths: http.NewServeMux(), seen: map[string]bool{}}
	for _, o := range opts {
		if m.obs == nil {
			m.obs = &observer{}
		}
		o(m.obs)
	}
	if m.obs != nil && m.obs.tracer == nil {
		m.obs = nil
	}
	m.mux.Handle("/", m.observe("", "", http.HandlerFunc(m.miss)))
	return m
}

// observe wraps h in the WithTracing observer, if any.
func (m *Mux) observe(method, path string, h http.Handler) http.Handler {
	if m.obs == nil {
		return h
	}
	return m.obs.wrap(method, routePath(path), h)
}

// Handle registers h for pattern, a net/http.ServeMux pattern. It panics,
// as ServeMux does, if the pattern is invalid or conflicts with another, and
// if h is a Describer whose request has a path field the pattern lacks a
// wildcard for.
//
// The pattern "/" (every method, every path) takes the place of the Mux's
// problem+json 404 and 405: h then answers every request that no other
// pattern matches, as with a plain ServeMux. A proxy mounts itself so.
func (m *Mux) Handle(pattern string, h http.Handler) {
	method, path := splitPattern(pattern)
	rt := Route{Method: method, Path: path, Pattern: pattern, Handler: h}
	if pattern == "/" {
		m.mu.Lock()
		defer m.mu.Unlock()
		if !m.fallback.CompareAndSwap(nil, &h) {
			panic(`httpt: pattern "/" registered twice`)
		}
		m.routes = append(m.routes, rt)
		return
	}
	if d, ok := h.(Describer); ok {
		op := d.Operation()
		if err := checkWildcards(path, op.Request); err != nil {
			panic(fmt.Sprintf("httpt: route %q: %v", pattern, err))
		}
		rt.Operation = &op
	}
	m.mux.Handle(pattern, m.observe(method, path, h))
	m.mu.Lock()
	defer m.mu.Unlock()
	m.routes = append(m.routes, rt)
	if !m.seen[path] {
		m.seen[path] = true
		m.paths.Handle(path, http.NotFoundHandler())
	}
}

// Errors declares kinds of error every typed route of m may answer with,
// beyond those each route knows of: the kinds its middleware chain can
// return (the kit runtime declares its default chain's). The OpenAPI
// document lists their statuses on every operation.
func (m *Mux) Errors(kinds ...errs.Kind) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range kinds {
		if !slices.Contains(m.errors, k) {
			m.errors = append(m.errors, k)
		}
	}
}

// HandleFunc registers f for pattern.
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(f))
}

// Routes returns a copy of the registered routes, in registration order.
func (m *Mux) Routes() []Route {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Route(nil), m.routes...)
}

// ServeHTTP dispatches r to the handler whose pattern matches best. A
// request with a HeaderTimeout gets that deadline on its context.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.obs != nil {
		m.mux.ServeHTTP(w, r) // the route's observer applies the deadline
		return
	}
	r, cancel := headerDeadline(r)
	if cancel != nil {
		defer cancel()
	}
	m.mux.ServeHTTP(w, r)
}

// miss answers a request no pattern matched: 405 with an Allow header when
// the path is known under other methods, else 404.
func (m *Mux) miss(w http.ResponseWriter, r *http.Request) {
	if fallback := m.fallback.Load(); fallback != nil {
		(*fallback).ServeHTTP(w, r)
		return
	}
	if _, p := m.paths.Handler(r); p != "" {
		var allow []string
		m.mu.Lock()
		for _, rt := range m.routes {
			if rt.Path == p && rt.Method != "" && !slices.Contains(allow, rt.Method) {
				allow = append(allow, rt.Method)
				if rt.Method == http.MethodGet && !slices.Contains(allow, http.MethodHead) {
					allow = append(allow, http.MethodHead) // ServeMux serves HEAD with GET's handler
				}
			}
		}
		m.mu.Unlock()
		w.Header().Set("Allow", strings.Join(allow, ", "))
		WriteProblem(w, r, &errs.Error{Kind: errs.KindInvalidArgument, Message: "method " + r.Method + " not allowed"}, http.StatusMethodNotAllowed)
		return
	}
	WriteProblem(w, r, errs.NotFound("no route for %s %s", r.Method, r.URL.Path), 0)
}

func splitPattern(p string) (method, path string) {
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		return p[:i], strings.TrimLeft(p[i:], " \t")
	}
	return "", p
}

// checkWildcards reports a path field of req with no wildcard in path.
func checkWildcards(path string, req reflect.Type) error {
	if req == nil {
		return nil
	}
	p, err := newModel(req)
	if err != nil {
		return err
	}
	for _, pr := range p.path {
		if !strings.Contains(path, "{"+pr.name+"}") && !strings.Contains(path, "{"+pr.name+"...}") {
			return fmt.Errorf("field %s wants wildcard {%s}, which the pattern lacks", pr.goName, pr.name)
		}
	}
	return nil
}
