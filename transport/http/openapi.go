package http

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gantrykit/gantry/errs"
)

// Info is the info object of an OpenAPI document: the API's title and
// version are required by the specification.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

type document struct {
	OpenAPI    string                       `json:"openapi"`
	Info       Info                         `json:"info"`
	Paths      map[string]map[string]*docOp `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type docOp struct {
	OperationID string                  `json:"operationId"`
	Summary     string                  `json:"summary,omitempty"`
	Description string                  `json:"description,omitempty"`
	Tags        []string                `json:"tags,omitempty"`
	Deprecated  bool                    `json:"deprecated,omitempty"`
	Parameters  []docParam              `json:"parameters,omitempty"`
	RequestBody *docBody                `json:"requestBody,omitempty"`
	Responses   map[string]*docResponse `json:"responses"`
}

type docParam struct {
	Name     string  `json:"name"`
	In       string  `json:"in"`
	Required bool    `json:"required,omitempty"`
	Schema   *schema `json:"schema"`
}

type docBody struct {
	Required bool                `json:"required,omitempty"`
	Content  map[string]docMedia `json:"content"`
}

type docMedia struct {
	Schema *schema `json:"schema"`
}

type docResponse struct {
	Description string              `json:"description"`
	Content     map[string]docMedia `json:"content,omitempty"`
}

// OpenAPI returns the OpenAPI 3.1 document (JSON) of the typed routes
// registered so far: one operation per route whose handler is a Describer
// (a *Server), with JSON Schemas of its request body, parameters, answer
// and problem+json errors. Plain handlers are left out.
func (m *Mux) OpenAPI(info Info) ([]byte, error) {
	return json.Marshal(m.document(info))
}

// OpenAPIHandler serves the OpenAPI document of m, built from the routes
// registered when it is asked for. Mount it on the Mux itself (the
// convention the kit runtime follows):
//
//	mux.Handle("GET /openapi.json", mux.OpenAPIHandler(httpt.Info{Title: "orders", Version: "1.0.0"}))
func (m *Mux) OpenAPIHandler(info Info) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := m.OpenAPI(info)
		if err != nil {
			WriteProblem(w, r, errs.Internal(err), 0)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
}

func (m *Mux) document(info Info) *document {
	d := &document{OpenAPI: "3.1.0", Info: info, Paths: map[string]map[string]*docOp{}}
	g := newSchemaGen()
	type entry struct {
		op           *Operation
		req          *model
		method, path string
		answer       *schema
	}
	var ops []entry
	for _, rt := range m.Routes() {
		if rt.Operation == nil {
			continue
		}
		req, err := newModel(rt.Operation.Request)
		if err != nil {
			continue // Handle already built this model; it cannot fail here
		}
		e := entry{op: rt.Operation, req: req, method: strings.ToLower(rt.Method), path: openAPIPath(rt.Path)}
		if e.method == "" {
			e.method = "get"
			if req.hasBody() {
				e.method = "post"
			}
		}
		ops = append(ops, e)
	}
	// Answers first: a type that is both received and sent keeps its own
	// name for what is sent.
	for i, e := range ops {
		if e.op.Status != http.StatusNoContent {
			ops[i].answer = g.of(e.op.Response, toClient)
		}
	}
	ids := map[string]int{}
	for _, e := range ops {
		op, p, method, path := e.op, e.req, e.method, e.path
		o := &docOp{
			OperationID: op.ID, Summary: op.Summary, Description: op.Description,
			Tags: op.Tags, Deprecated: op.Deprecated, Responses: map[string]*docResponse{},
		}
		if o.OperationID == "" {
			o.OperationID = operationID(method, path)
		}
		if n := ids[o.OperationID]; n > 0 {
			o.OperationID += strconv.Itoa(n + 1)
		}
		ids[o.OperationID]++
		for _, f := range p.path {
			o.Parameters = append(o.Parameters, docParam{Name: f.name, In: "path", Required: true, Schema: paramSchema(f)})
		}
		for _, name := range wildcards(path) {
			if !slices.ContainsFunc(p.path, func(f *field) bool { return f.name == name }) {
				// A wildcard the request does not read is still part of the path.
				o.Parameters = append(o.Parameters, docParam{Name: name, In: "path", Required: true, Schema: &schema{Type: typ("string")}})
			}
		}
		for _, f := range p.query {
			o.Parameters = append(o.Parameters, docParam{Name: f.name, In: "query", Required: f.rules.required, Schema: paramSchema(f)})
		}
		problem := docMedia{Schema: &schema{Ref: "#/components/schemas/Problem"}}
		fail := func(code int) {
			o.Responses[strconv.Itoa(code)] = &docResponse{
				Description: http.StatusText(code),
				Content:     map[string]docMedia{errs.ProblemContentType: problem},
			}
		}
		if p.hasBody() && method != "get" && method != "head" {
			dir := fromClient
			if op.AllowUnknown {
				dir = fromClientLoose
			}
			body := g.of(op.Request, dir)
			o.RequestBody = &docBody{Required: p.bodyRequired(), Content: map[string]docMedia{"application/json": {Schema: body}}}
			fail(http.StatusRequestEntityTooLarge)
			fail(http.StatusUnsupportedMediaType)
		}
		fail(http.StatusBadRequest)
		fail(http.StatusInternalServerError)
		o.Responses["default"] = &docResponse{Description: "Error", Content: map[string]docMedia{errs.ProblemContentType: problem}}
		ok := &docResponse{Description: http.StatusText(op.Status)}
		if e.answer != nil {
			ok.Content = map[string]docMedia{"application/json": {Schema: e.answer}}
		}
		o.Responses[strconv.Itoa(op.Status)] = ok
		if d.Paths[path] == nil {
			d.Paths[path] = map[string]*docOp{}
		}
		d.Paths[path][method] = o
	}
	g.components["Problem"] = problemSchema()
	d.Components.Schemas = g.components
	return d
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

// openAPIPath turns a ServeMux path pattern into an OpenAPI path template:
// {name...} becomes {name}, {$} is dropped, a host prefix is cut.
func openAPIPath(p string) string {
	if i := strings.IndexByte(p, '/'); i > 0 {
		p = p[i:]
	}
	p = strings.ReplaceAll(p, "...}", "}")
	p = strings.ReplaceAll(p, "{$}", "")
	return p
}

// operationID derives an ID like getV1OrdersId from a method and path.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(method)
	for seg := range strings.FieldsFuncSeq(path, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

// wildcards lists the {names} of an OpenAPI path template.
func wildcards(path string) []string {
	var names []string
	for {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path, '}')
		if i < 0 || j < i {
			return names
		}
		names = append(names, path[i+1:j])
		path = path[j+1:]
	}
}
