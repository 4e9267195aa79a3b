package contract_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/internal/contract"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type newItem struct {
	Name  string   `json:"name" validate:"required,max=20,maxbytes=20"`
	Tags  []string `json:"tags,omitempty" validate:"max=3"`
	Count *int     `json:"count,omitempty" validate:"min=1,max=9"`
}

// byteBlind is newItem as the shop's registration was: a limit in
// characters on a field the code needs to fit in bytes.
type byteBlind struct {
	Name string `json:"name" validate:"required,max=20"`
}

type item struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags"`
	Note *string  `json:"note,omitempty"`
}

type getItem struct {
	ID string `path:"id" json:"-"`
}

type listItems struct {
	Limit int    `query:"limit" json:"-" validate:"min=1,max=100"`
	Sort  string `query:"sort" json:"-" validate:"oneof=asc desc"`
}

// secure is a toy authentication: the token "good" passes.
func secure(f endpoint.Func[getItem, item]) endpoint.Func[getItem, item] {
	return func(ctx context.Context, r getItem) (item, error) {
		if auth, _ := ctx.Value(tokenKey{}).(string); auth != "Bearer good" {
			return item{}, errs.Unauthenticated("bad token")
		}
		return f(ctx, r)
	}
}

type tokenKey struct{}

// service is a typed Mux; broken makes it lie about its contract.
func service(broken bool) *httpt.Mux {
	m := httpt.NewMux()
	m.Errors(errs.KindUnavailable, errs.KindTooManyRequests)
	if broken {
		m.Handle("POST /v1/items", httpt.NewServer(func(_ context.Context, n byteBlind) (item, error) {
			if len(n.Name) > 20 { // the found case: a byte limit the schema does not state
				return item{}, errors.New("name too long for the column")
			}
			return item{ID: "i1", Name: n.Name}, nil
		}, httpt.Named("create_item"), httpt.WithStatus(201)))
	} else {
		m.Handle("POST /v1/items", httpt.NewServer(func(_ context.Context, n newItem) (item, error) {
			return item{ID: "i1", Name: n.Name, Tags: n.Tags}, nil
		}, httpt.Named("create_item"), httpt.WithStatus(201)))
	}
	get := func(_ context.Context, r getItem) (item, error) {
		if r.ID != "i1" {
			return item{}, errs.NotFound("no item %q", r.ID)
		}
		return item{ID: "i1", Name: "lamp"}, nil
	}
	opts := []httpt.ServerOption{httpt.Named("get_item"), httpt.Secured(httpt.BearerJWT()),
		httpt.ServerBefore(func(ctx context.Context, r *http.Request) context.Context {
			return context.WithValue(ctx, tokenKey{}, r.Header.Get("Authorization"))
		})}
	if !broken {
		opts = append(opts, httpt.Errors(errs.KindNotFound))
	}
	m.Handle("GET /v1/items/{id}", httpt.NewServer(secure(get), opts...))
	m.Handle("GET /v1/items", httpt.NewServer(func(context.Context, listItems) ([]item, error) { return nil, nil },
		httpt.Named("list_items")))
	m.Handle("GET /openapi.json", m.OpenAPIHandler(httpt.Info{Title: "items", Version: "1"}))
	return m
}

func fuzz(t *testing.T, broken bool) (*contract.Result, string) {
	srv := httptest.NewServer(service(broken))
	defer srv.Close()
	var out bytes.Buffer
	res, err := contract.Run(context.Background(), contract.Config{
		BaseURL: srv.URL, Seed: 42, Requests: 150, Duration: time.Minute, Out: &out,
		Token: func(context.Context) (string, error) { return "good", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, out.String()
}

// TestFuzzKeptContract: a service that keeps its document passes.
func TestFuzzKeptContract(t *testing.T) {
	res, out := fuzz(t, false)
	t.Log(out)
	if res.Failed != 0 || res.Passed < 3*150 {
		t.Errorf("got %d passed, %d failed, want every one of 3×150 passed:\n%s", res.Passed, res.Failed, out)
	}
	if !strings.Contains(out, "seed 42") || !strings.HasSuffix(out, "failed\n") {
		t.Errorf("output lacks the seed or the summary line:\n%s", out)
	}
}

// TestFuzzBrokenContract: the fuzzer finds a 500 that a schema-valid
// request reaches and an answer the document does not list.
func TestFuzzBrokenContract(t *testing.T) {
	res, out := fuzz(t, true)
	for _, want := range []string{"server error 500", "status 404 is not documented for GET /v1/items/{id}"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if res.Failed == 0 {
		t.Error("no failure counted")
	}
}
