package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	httpt "github.com/gantrykit/gantry/transport/http"
)

// keyed is a request whose Key comes from the Idempotency-Key header and
// whose Trace, required, from X-Trace.
type keyed struct {
	Key   string `header:"idempotency-key" json:"-" validate:"max=8" description:"The client's key for this request"`
	Trace int    `header:"X-Trace" json:"-" validate:"required"`
	Note  string `json:"note"`
}

// echoed is keyed as the server saw it.
type echoed struct {
	Key   string `json:"key"`
	Trace int    `json:"trace"`
	Note  string `json:"note"`
}

func keyedServer(t *testing.T) (*httptest.Server, *httpt.Mux) {
	t.Helper()
	m := httpt.NewMux()
	m.Handle("POST /notes", httpt.NewServer(func(_ context.Context, r keyed) (echoed, error) { return echoed(r), nil },
		httpt.ErrorStatuses(http.StatusUnprocessableEntity)))
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return srv, m
}

// TestServerHeaderFields sends requests over the wire: the header's one
// value reaches the field, its rules apply, and a header given twice or a
// required one missing is a 400 naming it.
func TestServerHeaderFields(t *testing.T) {
	srv, _ := keyedServer(t)
	tests := []struct {
		name    string
		headers [][2]string
		status  int
		want    string // the echoed key, or the field the problem names
	}{
		{"both", [][2]string{{"Idempotency-Key", "k1"}, {"X-Trace", "7"}}, 200, "k1"},
		{"key absent", [][2]string{{"X-Trace", "7"}}, 200, ""},
		{"required absent", [][2]string{{"Idempotency-Key", "k1"}}, 400, "X-Trace"},
		{"not an integer", [][2]string{{"X-Trace", "seven"}}, 400, "X-Trace"},
		{"too long", [][2]string{{"Idempotency-Key", "123456789"}, {"X-Trace", "7"}}, 400, "Idempotency-Key"},
		{"twice", [][2]string{{"Idempotency-Key", "k1"}, {"Idempotency-Key", "k2"}, {"X-Trace", "7"}}, 400, "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", srv.URL+"/notes", strings.NewReader(`{"note":"n"}`))
			r.Header.Set("Content-Type", "application/json")
			for _, h := range tt.headers {
				r.Header.Add(h[0], h[1])
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 200 {
				var got echoed
				json.NewDecoder(resp.Body).Decode(&got)
				if got.Key != tt.want || got.Note != "n" {
					t.Errorf("echoed %+v, want key %q", got, tt.want)
				}
				return
			}
			var p problem
			json.NewDecoder(resp.Body).Decode(&p)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.want {
				t.Errorf("problem %+v, want one error naming %s", p, tt.want)
			}
		})
	}
}

// TestClientSendsHeaderFields: the Client puts a header field in its
// header, and leaves a zero one out.
func TestClientSendsHeaderFields(t *testing.T) {
	srv, _ := keyedServer(t)
	c, err := httpt.NewClient[keyed, echoed]("POST", srv.URL, "/notes", httpt.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Func()(context.Background(), keyed{Key: "abc", Trace: 3, Note: "x"})
	if err != nil || got.Key != "abc" || got.Trace != 3 || got.Note != "x" {
		t.Errorf("got %+v, %v; want the key, trace and note back", got, err)
	}
}

// TestOpenAPIHeaderParameter: a header field is an OpenAPI header
// parameter, with its canonical name, description and constraints; a
// status given with ErrorStatuses is a documented answer.
func TestOpenAPIHeaderParameter(t *testing.T) {
	_, m := keyedServer(t)
	var d struct {
		Paths map[string]map[string]struct {
			Responses  map[string]struct{ Description string }
			Parameters []struct {
				Name, In, Description string
				Required              bool
				Schema                struct {
					Type      string
					MaxLength int
				}
			}
		}
	}
	b, err := m.OpenAPI(httpt.Info{Title: "t", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if r := d.Paths["/notes"]["post"].Responses["422"]; r.Description != "Unprocessable Entity" {
		t.Errorf("422 answer %+v, want it documented (ErrorStatuses)", r)
	}
	ps := d.Paths["/notes"]["post"].Parameters
	if len(ps) != 2 {
		t.Fatalf("parameters %+v, want 2", ps)
	}
	k, tr := ps[0], ps[1]
	if k.Name != "Idempotency-Key" || k.In != "header" || k.Required || k.Description != "The client's key for this request" ||
		k.Schema.Type != "string" || k.Schema.MaxLength != 8 {
		t.Errorf("key parameter %+v", k)
	}
	if tr.Name != "X-Trace" || tr.In != "header" || !tr.Required || tr.Schema.Type != "integer" {
		t.Errorf("trace parameter %+v", tr)
	}
}

func TestNewServerRejectsBadHeaderFields(t *testing.T) {
	tests := map[string]func(){
		"slice": func() {
			type r struct {
				K []string `header:"K" json:"-"`
			}
			httpt.NewServer(func(context.Context, r) (r, error) { return r{}, nil })
		},
		"two places": func() {
			type r struct {
				K string `header:"K" query:"k" json:"-"`
			}
			httpt.NewServer(func(context.Context, r) (r, error) { return r{}, nil })
		},
		"not a name": func() {
			type r struct {
				K string `header:"K Y" json:"-"`
			}
			httpt.NewServer(func(context.Context, r) (r, error) { return r{}, nil })
		},
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewServer did not panic")
				}
			}()
			f()
		})
	}
}
