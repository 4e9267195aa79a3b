package endpoint_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/endpoint"
	kitendpoint "github.com/go-kit/kit/endpoint"
)

type greetReq struct{ Name string }
type greetResp struct{ Message string }

func greet(_ context.Context, r greetReq) (greetResp, error) {
	if r.Name == "" {
		return greetResp{}, errors.New("empty name")
	}
	return greetResp{"hello " + r.Name}, nil
}

func TestRoundTrip(t *testing.T) {
	f := endpoint.Typed[greetReq, greetResp](endpoint.Func[greetReq, greetResp](greet).Endpoint())
	got, err := f(context.Background(), greetReq{"ann"})
	if err != nil || got.Message != "hello ann" {
		t.Fatalf("got %v, %v; want hello ann", got, err)
	}
	if _, err := f(context.Background(), greetReq{}); err == nil || err.Error() != "empty name" {
		t.Errorf("err = %v, want empty name", err)
	}
}

func TestWrongTypesAreErrors(t *testing.T) {
	e := endpoint.Func[greetReq, greetResp](greet).Endpoint()
	_, err := e(context.Background(), "not a greetReq")
	var te *endpoint.TypeError
	if !errors.As(err, &te) || !te.Request || !strings.Contains(err.Error(), "string") {
		t.Fatalf("err = %v, want a request *TypeError naming string", err)
	}

	bad := endpoint.Typed[greetReq, greetResp](func(context.Context, any) (any, error) { return 42, nil })
	_, err = bad(context.Background(), greetReq{})
	if !errors.As(err, &te) || te.Request {
		t.Fatalf("err = %v, want a response *TypeError", err)
	}

	// A nil response with an error passes the error through.
	failing := endpoint.Typed[greetReq, greetResp](func(context.Context, any) (any, error) { return nil, errors.New("boom") })
	if _, err := failing(context.Background(), greetReq{}); err == nil || err.Error() != "boom" {
		t.Errorf("err = %v, want boom", err)
	}
}

func TestNilPointerRequest(t *testing.T) {
	f := endpoint.Func[*greetReq, string](func(_ context.Context, r *greetReq) (string, error) {
		if r == nil {
			return "nil", nil
		}
		return r.Name, nil
	})
	got, err := f.Endpoint()(context.Background(), nil)
	if err != nil || got != "nil" {
		t.Errorf("got %v, %v; want nil, <nil>", got, err)
	}
}

func TestWrapOrder(t *testing.T) {
	var trace []string
	mw := func(name string) kitendpoint.Middleware {
		return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
			return func(ctx context.Context, req any) (any, error) {
				trace = append(trace, name)
				return next(ctx, req)
			}
		}
	}
	f := endpoint.Wrap(greet, mw("outer"), nil, mw("inner"))
	if _, err := f(context.Background(), greetReq{"x"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(trace, ","); got != "outer,inner" {
		t.Errorf("order = %s, want outer,inner", got)
	}
}

var sink any

func BenchmarkEndpoint(b *testing.B) {
	ctx := context.Background()
	raw := kitendpoint.Endpoint(func(_ context.Context, req any) (any, error) {
		r := req.(greetReq)
		return greetResp{r.Name}, nil
	})
	typed := endpoint.Func[greetReq, greetResp](func(_ context.Context, r greetReq) (greetResp, error) {
		return greetResp{r.Name}, nil
	})
	b.Run("gokit-raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = raw(ctx, greetReq{"a"})
		}
	})
	b.Run("typed-erased", func(b *testing.B) {
		e := typed.Endpoint()
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = e(ctx, greetReq{"a"})
		}
	})
	b.Run("typed-roundtrip", func(b *testing.B) {
		f := endpoint.Typed[greetReq, greetResp](typed.Endpoint())
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = f(ctx, greetReq{"a"})
		}
	})
}
