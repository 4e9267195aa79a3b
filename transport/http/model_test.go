package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/contract"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Base is embedded through a pointer by member: its fields are members of
// the body, as encoding/json promotes them.
type Base struct {
	Name string `json:"name" validate:"required,max=10"`
}

type member struct {
	*Base
	Team     string   `path:"team" json:"-"`
	Nick     *string  `json:"nick" validate:"max=5"`
	Tags     []string `json:"tags" validate:"required,max=3"`
	Age      int      `json:"age,omitempty" validate:"min=1,max=150"`
	Password string   `json:"password,omitempty" validate:"max=8,maxbytes=8"`
	Pets     []pet    `json:"pets,omitempty"`
}

type pet struct {
	Kind string `json:"kind" validate:"required,oneof=cat dog"`
}

type memberOut struct {
	Team string `json:"team"`
	Name string `json:"name"`
	Age  int    `json:"age"`
	Tags int    `json:"tags"`
}

func memberMux() *httpt.Mux {
	m := httpt.NewMux()
	m.Handle("POST /teams/{team}/members", httpt.NewServer(func(_ context.Context, in member) (memberOut, error) {
		out := memberOut{Team: in.Team, Age: in.Age, Tags: len(in.Tags)}
		if in.Base != nil {
			out.Name = in.Name
		}
		return out, nil
	}))
	m.Handle("GET /openapi.json", m.OpenAPIHandler(httpt.Info{Title: "t", Version: "1"}))
	return m
}

// TestFieldModel: required means present in the document, optional means
// optional, null only where Go has a nil, member names match exactly and
// once, and an embedded pointer's members are members, named as the client
// spells them.
func TestFieldModel(t *testing.T) {
	m := memberMux()
	tests := []struct {
		name, body string
		status     int
		want       string // the answer, or the violations
	}{
		{"minimal", `{"name":"Ada","tags":[]}`, 200, `{"team":"red","name":"Ada","age":0,"tags":0}`},
		{"required but empty", `{"name":"","tags":[]}`, 200, `{"team":"red","name":"","age":0,"tags":0}`},
		{"embedded pointer's required member", `{"tags":["a"]}`, 400, "name: is required"},
		{"required array absent", `{"name":"Ada"}`, 400, "tags: is required"},
		{"absent optional with min", `{"name":"Ada","tags":[],"age":0}`, 400, "age: must be at least 1"},
		{"null for a string", `{"name":null,"tags":[]}`, 400, "name: want string, got null"},
		{"null for an array", `{"name":"Ada","tags":null}`, 400, "tags: want array, got null"},
		{"null for a pointer", `{"name":"Ada","tags":[],"nick":null}`, 200, `{"team":"red","name":"Ada","age":0,"tags":0}`},
		{"pointer's rule", `{"name":"Ada","tags":[],"nick":"toolong"}`, 400, "nick: must have at most 5 characters"},
		{"case-folded name", `{"NAME":"Ada","tags":[]}`, 400, "NAME: unknown field; name: is required"},
		{"duplicate", `{"name":"Ada","name":"Bob","tags":[]}`, 400, "name: appears more than once"},
		{"escaped name", `{"n\u0061me":"Ada","tags":[]}`, 200, `{"team":"red","name":"Ada","age":0,"tags":0}`},
		{"characters, not bytes", `{"name":"ÅÅÅÅÅÅÅÅÅÅ","tags":[]}`, 200, `{"team":"red","name":"ÅÅÅÅÅÅÅÅÅÅ","age":0,"tags":0}`},
		{"bytes too", `{"name":"Ada","tags":[],"password":"пароль"}`, 400, "password: must have at most 8 bytes in UTF-8"},
		{"nested list", `{"name":"Ada","tags":[],"pets":[{"kind":"cat"},{},{"kind":"cow"}]}`, 400,
			"pets[1].kind: is required; pets[2].kind: must be one of cat, dog"},
		{"nested unknown", `{"name":"Ada","tags":[],"pets":[{"kind":"cat","legs":4}]}`, 400, "pets[0].legs: unknown field"},
		{"null element", `{"name":"Ada","tags":[null]}`, 400, "tags[0]: want string, got null"},
		{"path wins, never a member", `{"name":"Ada","tags":[],"Team":"blue"}`, 400, "Team: unknown field"},
		{"empty body", ``, 400, "name: is required; tags: is required"},
		{"null body", `null`, 400, "body: want object, got null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, p := serve(t, m, jsonReq("/teams/red/members", tt.body))
			got := strings.TrimSpace(w.Body.String())
			if w.Code == 400 {
				got = p.Detail
			}
			if w.Code != tt.status || got != tt.want {
				t.Errorf("got %d %s, want %d %s", w.Code, got, tt.status, tt.want)
			}
		})
	}
}

// TestSchemaAgreesWithServer is the field model's contract: for every body,
// the request schema the document publishes accepts it exactly when the
// server does (JSON Schema draft 2020-12, santhosh-tekuri/jsonschema).
func TestSchemaAgreesWithServer(t *testing.T) {
	m := memberMux()
	validate := requestValidator(t, m, "/teams/{team}/members")
	bodies := []string{
		`{"name":"Ada","tags":[]}`, `{"name":"","tags":[]}`, `{"tags":["a"]}`, `{"name":"Ada"}`,
		`{"name":"Ada","tags":[],"age":0}`, `{"name":"Ada","tags":[],"age":1}`, `{"name":"Ada","tags":[],"age":151}`,
		`{"name":null,"tags":[]}`, `{"name":"Ada","tags":null}`, `{"name":"Ada","tags":[],"nick":null}`,
		`{"name":"Ada","tags":[],"nick":"abcde"}`, `{"name":"Ada","tags":[],"nick":"abcdef"}`,
		`{"NAME":"Ada","tags":[]}`, `{"name":"Ada","tags":[],"x":1}`, `{"name":"ÅÅÅÅÅÅÅÅÅÅ","tags":[]}`,
		`{"name":"ÅÅÅÅÅÅÅÅÅÅÅ","tags":[]}`, `{"name":"Ada","tags":["a","b","c","d"]}`, `{"name":"Ada","tags":[1]}`,
		`{"name":"Ada","tags":[],"password":"12345678"}`, `{"name":"Ada","tags":[],"password":"123456789"}`,
		`{"name":"Ada","tags":[],"pets":[{"kind":"cat"}]}`, `{"name":"Ada","tags":[],"pets":[{"kind":"cow"}]}`,
		`{"name":"Ada","tags":[],"pets":[{}]}`, `{"name":"Ada","tags":[],"pets":[null]}`, `[]`, `"x"`, `{"name":5,"tags":[]}`,
	}
	for _, body := range bodies {
		w, _ := serve(t, m, jsonReq("/teams/red/members", body))
		schemaOK := validate(body) == nil
		if serverOK := w.Code == 200; serverOK != schemaOK {
			t.Errorf("%s: server %d, schema valid %v: %v", body, w.Code, schemaOK, validate(body))
		}
	}
}

// requestValidator compiles the request body schema of the POST at path
// from the Mux's served document, x-maxBytes included.
func requestValidator(t *testing.T, m http.Handler, path string) func(body string) error {
	t.Helper()
	w := httptest.NewRecorder()
	m.ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
	s, err := contract.NewSchemas(w.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	ptr := contract.Pointer("paths", path, "post", "requestBody", "content", "application/json", "schema")
	if _, err := s.Schema(ptr); err != nil {
		t.Fatal(err)
	}
	return func(body string) error { return s.Validate(ptr, []byte(body)) }
}

// TestModelDocumentsEmbedded: the schema lists the embedded pointer's
// member as required, and the answer's members as the Go type sends them.
func TestModelDocumentsEmbedded(t *testing.T) {
	w := httptest.NewRecorder()
	memberMux().ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
	var d doc
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path []string
		want string
	}{
		{[]string{"components", "schemas", "member", "required"}, `["name","tags"]`},
		{[]string{"components", "schemas", "member", "properties", "name", "maxLength"}, `10`},
		{[]string{"components", "schemas", "member", "properties", "nick", "type"}, `["string","null"]`},
		{[]string{"components", "schemas", "member", "properties", "password", "x-maxBytes"}, `8`},
		{[]string{"components", "schemas", "memberOut", "required"}, `["team","name","age","tags"]`},
	} {
		if got, _ := json.Marshal(get(d, tt.path...)); string(got) != tt.want {
			t.Errorf("%s = %s, want %s", strings.Join(tt.path, "."), got, tt.want)
		}
	}
}

// FuzzSchemaAgreesWithServer: for arbitrary bodies, the published request
// schema and the server agree on what is valid.
func FuzzSchemaAgreesWithServer(f *testing.F) {
	for _, b := range []string{`{"name":"Ada","tags":[]}`, `{"name":"Ada","tags":["a"],"pets":[{"kind":"dog"}],"nick":null}`,
		`{"name":"ÅÅ","tags":[],"age":3,"password":"ü"}`, `{"Name":"x","tags":[]}`, `{"name":"a","name":"b","tags":[]}`} {
		f.Add([]byte(b))
	}
	m := memberMux()
	var validate func(string) error
	f.Fuzz(func(t *testing.T, body []byte) {
		if validate == nil {
			validate = requestValidator(t, m, "/teams/{team}/members")
		}
		if !json.Valid(body) || hasDuplicateKeys(body) {
			// Malformed JSON is the parser's business, not the schema's;
			// the server refuses a repeated member, which JSON Schema
			// cannot see (its parser keeps one of them).
			return
		}
		w, _ := serve(t, m, jsonReq("/teams/red/members", string(body)))
		if w.Code >= 500 {
			t.Fatalf("%s: %d %s", body, w.Code, w.Body)
		}
		err := validate(string(body))
		if serverOK := w.Code == 200; serverOK != (err == nil) {
			t.Fatalf("%s: server %d %s, schema: %v", body, w.Code, w.Body, err)
		}
	})
}

// hasDuplicateKeys reports whether a valid JSON document repeats a member
// name within one object.
func hasDuplicateKeys(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		top := len(stack) - 1
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{keys: map[string]bool{}, object: true, key: true})
				continue
			case '[':
				stack = append(stack, frame{})
				continue
			default:
				stack = stack[:top]
			}
		case string:
			if top >= 0 && stack[top].object && stack[top].key {
				if stack[top].keys[v] {
					return true
				}
				stack[top].keys[v] = true
				stack[top].key = false
				continue
			}
		}
		if top = len(stack) - 1; top >= 0 && stack[top].object {
			stack[top].key = true
		}
	}
}
