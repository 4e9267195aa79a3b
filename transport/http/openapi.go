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
	ids := map[string]int{}
	for _, rt := range m.Routes() {
		if rt.Operation == nil {
			continue
		}
		op := rt.Operation
		p, err := newPlan(op.Request)
		if err != nil {
			continue // Handle already built this plan; it cannot fail here
		}
		method := strings.ToLower(rt.Method)
		if method == "" {
			method = "get"
			if p.hasBody() {
				method = "post"
			}
		}
		path := openAPIPath(rt.Path)
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
		for _, pr := range p.path {
			o.Parameters = append(o.Parameters, docParam{Name: pr.name, In: "path", Required: true, Schema: paramSchema(g, pr)})
		}
		for _, name := range wildcards(path) {
			if !slices.ContainsFunc(p.path, func(pr param) bool { return pr.name == name }) {
				// A wildcard the request does not read is still part of the path.
				o.Parameters = append(o.Parameters, docParam{Name: name, In: "path", Required: true, Schema: &schema{Type: "string"}})
			}
		}
		for _, pr := range p.query {
			o.Parameters = append(o.Parameters, docParam{Name: pr.name, In: "query", Required: pr.rules.required, Schema: paramSchema(g, pr)})
		}
		problem := docMedia{Schema: &schema{Ref: "#/components/schemas/Problem"}}
		fail := func(code int) {
			o.Responses[strconv.Itoa(code)] = &docResponse{
				Description: http.StatusText(code),
				Content:     map[string]docMedia{errs.ProblemContentType: problem},
			}
		}
		if p.hasBody() && method != "get" && method != "head" {
			body := g.of(op.Request)
			o.RequestBody = &docBody{Required: g.hasRequired(body, op.Request), Content: map[string]docMedia{"application/json": {Schema: body}}}
			fail(http.StatusRequestEntityTooLarge)
			fail(http.StatusUnsupportedMediaType)
		}
		fail(http.StatusBadRequest)
		fail(http.StatusInternalServerError)
		o.Responses["default"] = &docResponse{Description: "Error", Content: map[string]docMedia{errs.ProblemContentType: problem}}
		ok := &docResponse{Description: http.StatusText(op.Status)}
		if op.Status != http.StatusNoContent {
			ok.Content = map[string]docMedia{"application/json": {Schema: g.of(op.Response)}}
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

func paramSchema(g *schemaGen, pr param) *schema {
	t := pr.typ
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var s *schema
	if t == durationType {
		s = &schema{Type: "string", Description: "a Go duration such as 1.5s or 250ms"}
	} else {
		s = g.of(t)
	}
	if pr.multi && t.Elem() == durationType {
		s.Items = &schema{Type: "string", Description: "a Go duration such as 1.5s or 250ms"}
	}
	hint(s, pr.typ, pr.rules)
	return s
}

// hasRequired reports whether a body of schema s (of type t) must be
// sent: it is not an object, or the object has a required member.
func (g *schemaGen) hasRequired(s *schema, t reflect.Type) bool {
	if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
		s = g.components[name]
	}
	return s.Type != "object" || len(s.Required) > 0 || t.Kind() != reflect.Struct
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
