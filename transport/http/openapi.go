package http

import (
	"encoding/json"
	"net/http"
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
		Schemas         map[string]*schema        `json:"schemas"`
		SecuritySchemes map[string]SecurityScheme `json:"securitySchemes,omitempty"`
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
	Security    []map[string][]string   `json:"security,omitempty"`
}

type docParam struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *schema `json:"schema"`
}

type docBody struct {
	Required bool                `json:"required,omitempty"`
	Content  map[string]docMedia `json:"content"`
}

type docMedia struct {
	Schema  *schema `json:"schema"`
	Example any     `json:"example,omitempty"`
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

// ProblemSchema returns the JSON Schema of the problem+json answers
// WriteProblem writes, the one an OpenAPI document of a Mux names
// components.schemas.Problem. A proxy that answers with WriteProblem
// documents its own answers with it.
func ProblemSchema() []byte {
	b, _ := json.Marshal(problemSchema()) // a fixed value of plain types: cannot fail
	return b
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
func operationID(method, path string) string { return lowerCamel(method + " " + path) }

// lowerCamel joins the letter-and-digit runs of s in lower camel case:
// place_order → placeOrder, products.get → productsGet.
func lowerCamel(s string) string {
	var b strings.Builder
	for seg := range strings.FieldsFuncSeq(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if b.Len() == 0 {
			b.WriteString(strings.ToLower(seg[:1]) + seg[1:])
		} else {
			b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
		}
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
