package http

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gantrykit/gantry/errs"
)

// alwaysErrors are the kinds any typed route can answer with, whatever its
// endpoint: a panic or an Internal error (500), and the deadline a caller
// sets with the Gantry-Timeout header that Mux honours (504).
var alwaysErrors = []errs.Kind{errs.KindInternal, errs.KindDeadlineExceeded}

// route is one typed route on its way into the document.
type route struct {
	op           *Operation
	req          *model
	method, path string
	answer       *schema
}

func (m *Mux) document(info Info) *document {
	d := &document{OpenAPI: "3.1.0", Info: info, Paths: map[string]map[string]*docOp{}}
	g := newSchemaGen()
	var routes []route
	for _, rt := range m.Routes() {
		if rt.Operation == nil {
			continue
		}
		req, err := newModel(rt.Operation.Request)
		if err != nil {
			continue // Handle already built this model; it cannot fail here
		}
		r := route{op: rt.Operation, req: req, method: strings.ToLower(rt.Method), path: openAPIPath(rt.Path)}
		if r.method == "" {
			r.method = "get"
			if req.hasBody() {
				r.method = "post"
			}
		}
		routes = append(routes, r)
	}
	// Answers first: a type that is both received and sent keeps its own
	// name for what is sent.
	for i, r := range routes {
		if r.op.Status != http.StatusNoContent {
			routes[i].answer = g.of(r.op.Response, toClient)
		}
	}
	m.mu.Lock()
	common := slices.Clone(m.errors)
	m.mu.Unlock()
	ids := map[string]int{}
	for _, r := range routes {
		o := r.operation(g, common)
		if n := ids[o.OperationID]; n > 0 {
			o.OperationID += strconv.Itoa(n + 1)
		}
		ids[o.OperationID]++
		for _, req := range r.op.Security {
			if d.Components.SecuritySchemes == nil {
				d.Components.SecuritySchemes = map[string]SecurityScheme{}
			}
			d.Components.SecuritySchemes[req.Scheme.Name] = req.Scheme
		}
		if d.Paths[r.path] == nil {
			d.Paths[r.path] = map[string]*docOp{}
		}
		d.Paths[r.path][r.method] = o
	}
	g.components["Problem"] = problemSchema()
	d.Components.Schemas = g.components
	return d
}

// operation is the Operation Object of r; common are the error kinds the
// Mux says every route may answer with.
func (r *route) operation(g *schemaGen, common []errs.Kind) *docOp {
	op, p := r.op, r.req
	o := &docOp{
		OperationID: op.ID, Summary: op.Summary, Description: op.Description,
		Tags: op.Tags, Deprecated: op.Deprecated, Responses: map[string]*docResponse{},
	}
	switch {
	case o.OperationID != "":
	case op.Name != "":
		o.OperationID = lowerCamel(op.Name)
	default:
		o.OperationID = operationID(r.method, r.path)
	}
	for _, f := range p.path {
		o.Parameters = append(o.Parameters, docParam{Name: f.name, In: "path", Required: true, Schema: paramSchema(f)})
	}
	for _, name := range wildcards(r.path) {
		if !slices.ContainsFunc(p.path, func(f *field) bool { return f.name == name }) {
			// A wildcard the request does not read is still part of the path.
			o.Parameters = append(o.Parameters, docParam{Name: name, In: "path", Required: true, Schema: &schema{Type: typ("string")}})
		}
	}
	for _, f := range p.query {
		o.Parameters = append(o.Parameters, docParam{Name: f.name, In: "query", Required: f.rules.required, Schema: paramSchema(f)})
	}
	for _, f := range p.header {
		o.Parameters = append(o.Parameters, docParam{Name: f.name, In: "header", Required: f.rules.required,
			Description: f.tag("description"), Schema: paramSchema(f)})
	}
	statuses := map[int]bool{}
	for _, k := range slices.Concat(alwaysErrors, common, op.Errors) {
		statuses[k.HTTPStatus()] = true
	}
	for _, code := range op.ErrorStatuses {
		statuses[code] = true
	}
	if p.decodes() {
		statuses[http.StatusBadRequest] = true
	}
	if p.hasBody() && r.method != "get" && r.method != "head" {
		dir := fromClient
		if op.AllowUnknown {
			dir = fromClientLoose
		}
		media := docMedia{Schema: g.of(op.Request, dir), Example: op.ExampleRequest}
		o.RequestBody = &docBody{Required: p.bodyRequired(), Content: map[string]docMedia{"application/json": media}}
		statuses[http.StatusRequestEntityTooLarge] = true
		statuses[http.StatusUnsupportedMediaType] = true
	}
	for _, req := range op.Security {
		o.Security = append(o.Security, map[string][]string{req.Scheme.Name: req.Scopes})
		statuses[http.StatusUnauthorized] = true
		if len(req.Scopes) > 0 {
			statuses[http.StatusForbidden] = true
		}
	}
	problem := docMedia{Schema: &schema{Ref: "#/components/schemas/Problem"}}
	for code := range statuses {
		if code == errs.StatusClientClosedRequest {
			continue // nobody is left to read it
		}
		o.Responses[strconv.Itoa(code)] = &docResponse{
			Description: http.StatusText(code),
			Content:     map[string]docMedia{errs.ProblemContentType: problem},
		}
	}
	ok := &docResponse{Description: http.StatusText(op.Status)}
	if r.answer != nil {
		ok.Content = map[string]docMedia{"application/json": {Schema: r.answer, Example: op.ExampleAnswer}}
	}
	o.Responses[strconv.Itoa(op.Status)] = ok
	return o
}

// decodes reports whether a request of model m can be refused as
// malformed or invalid (400): it has a body, query parameters, path
// parameters that parse or have rules, or a Validate method.
func (m *model) decodes() bool {
	if m.hasBody() || len(m.query) > 0 || len(m.header) > 0 || m.validates {
		return true
	}
	for _, f := range m.path {
		if f.typ.Kind() != reflect.String || len(f.rules.checks) > 0 || reflect.PointerTo(f.typ).Implements(textUnmarshalerType) {
			return true
		}
	}
	return false
}

// bodyRequired reports whether a request of model m must carry a body: it
// is not a struct, or a member is required.
func (m *model) bodyRequired() bool {
	if m.typ.Kind() != reflect.Struct {
		return true
	}
	for _, f := range m.members {
		if f.rules.required {
			return true
		}
	}
	return false
}
