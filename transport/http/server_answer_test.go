package http_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	kitratelimit "github.com/go-kit/kit/ratelimit"
	"github.com/go-kit/kit/sd/lb"
	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/sony/gobreaker"

	"github.com/gantrykit/gantry/errs"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type getReq struct {
	ID string `path:"id"`
}

func TestServerErrors(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		detail string
		retry  string
	}{
		{"not found", errs.NotFound("order %s not found", "7"), 404, "not_found", "order 7 not found", ""},
		{"rate limited", errs.TooManyRequests(1500*time.Millisecond, "slow down"), 429, "too_many_requests", "slow down", "2"},
		{"plain", errors.New("db password hunter2"), 500, "internal", "", ""},
		{"deadline", context.DeadlineExceeded, 504, "deadline_exceeded", "", ""},
		{"go-kit rate limit", kitratelimit.ErrLimited, 429, "too_many_requests", "", "1"},
		{"go-kit breaker open", gobreaker.ErrOpenState, 503, "unavailable", "", "1"},
		{"go-kit no endpoints", lb.ErrNoEndpoints, 503, "unavailable", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := httpt.NewServer(func(context.Context, getReq) (order, error) { return order{}, tt.err }, httpt.WithLogger(logger))
			w, p := serve(t, h, httptest.NewRequest("GET", "/orders/7", nil))
			if w.Code != tt.status || p.Code != tt.code || p.Detail != tt.detail {
				t.Errorf("got %d %q %q, want %d %q %q", w.Code, p.Code, p.Detail, tt.status, tt.code, tt.detail)
			}
			if got := w.Header().Get("Retry-After"); got != tt.retry {
				t.Errorf("Retry-After = %q, want %q", got, tt.retry)
			}
			if strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("internal error text leaked: %s", w.Body)
			}
		})
	}
	if !strings.Contains(logs.String(), "hunter2") {
		t.Errorf("internal error not logged; log: %s", logs.String())
	}
}

func TestServerPanic(t *testing.T) {
	var logs bytes.Buffer
	h := httpt.NewServer(func(_ context.Context, r getReq) (order, error) {
		if r.ID == "boom" {
			panic("kaboom")
		}
		return order{User: r.ID}, nil
	}, httpt.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	m := httpt.NewMux()
	m.Handle("GET /orders/{id}", h)
	srv := httptest.NewServer(m)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/orders/boom")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.Contains(string(body), "kaboom") {
		t.Errorf("panic answered %d %s, want a bare 500", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "kaboom") || !strings.Contains(logs.String(), "server_answer_test.go") {
		t.Errorf("panic not logged with its stack: %s", logs.String())
	}
	resp, err = http.Get(srv.URL + "/orders/fine")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after a panic: %v %v, want 200", resp, err)
	}
	resp.Body.Close()
}

type created struct {
	ID string `json:"id"`
}

func (created) StatusCode() int { return http.StatusAccepted }
func (c created) Headers() http.Header {
	return http.Header{"Location": {"/orders/" + c.ID}}
}

func TestServerResponseInterfaces(t *testing.T) {
	h := httpt.NewServer(func(context.Context, struct{}) (created, error) { return created{ID: "9"}, nil })
	w, _ := serve(t, h, httptest.NewRequest("POST", "/", nil))
	if w.Code != http.StatusAccepted || w.Header().Get("Location") != "/orders/9" || w.Body.String() != "{\"id\":\"9\"}\n" {
		t.Errorf("got %d Location=%q %q, want 202 /orders/9 {\"id\":\"9\"}", w.Code, w.Header().Get("Location"), w.Body)
	}
	noContent := httpt.NewServer(func(context.Context, struct{}) (struct{}, error) { return struct{}{}, nil }, httpt.WithStatus(http.StatusNoContent))
	if w, _ := serve(t, noContent, httptest.NewRequest("DELETE", "/", nil)); w.Code != 204 || w.Body.Len() != 0 {
		t.Errorf("got %d with %d bytes, want 204 and no body", w.Code, w.Body.Len())
	}
	badJSON := httpt.NewServer(func(context.Context, struct{}) (map[string]any, error) {
		return map[string]any{"f": func() {}}, nil
	})
	if w, p := serve(t, badJSON, httptest.NewRequest("GET", "/", nil)); w.Code != 500 || p.Code != "internal" {
		t.Errorf("unencodable answer: got %d %q, want a 500 problem", w.Code, p.Code)
	}
	nan := httpt.NewServer(func(context.Context, struct{}) (float64, error) { return math.NaN(), nil }, httpt.WithStatus(http.StatusCreated))
	if w, p := serve(t, nan, httptest.NewRequest("POST", "/", nil)); w.Code != 500 || p.Code != "internal" {
		t.Errorf("unencodable 201 answer: got %d %q, want a 500 problem", w.Code, p.Code)
	}
}

type ctxKey struct{}

func TestServerGoKitHooks(t *testing.T) {
	var order []string
	var finalCode int
	h := httpt.NewServer(func(ctx context.Context, r getReq) (created, error) {
		order = append(order, "endpoint:"+ctx.Value(ctxKey{}).(string))
		return created(r), nil
	},
		httpt.ServerBefore(func(ctx context.Context, r *http.Request) context.Context {
			order = append(order, "before")
			return context.WithValue(ctx, ctxKey{}, r.Header.Get("X-User"))
		}),
		httpt.ServerAfter(func(ctx context.Context, w http.ResponseWriter) context.Context {
			order = append(order, "after")
			w.Header().Set("X-After", "1")
			return ctx
		}),
		httpt.ServerFinalizer(func(ctx context.Context, code int, r *http.Request) {
			order = append(order, "finalizer")
			finalCode = code
		}),
	)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-User", "ada")
	w, _ := serve(t, h, r)
	if got := strings.Join(order, ","); got != "before,endpoint:ada,after,finalizer" {
		t.Errorf("order = %s, want before,endpoint:ada,after,finalizer", got)
	}
	if finalCode != http.StatusAccepted || w.Header().Get("X-After") != "1" {
		t.Errorf("finalizer code %d, X-After %q; want 202 and 1", finalCode, w.Header().Get("X-After"))
	}
}

type handlerFunc func(context.Context, error)

func (f handlerFunc) Handle(ctx context.Context, err error) { f(ctx, err) }

func TestServerErrorHandlerAndEncoder(t *testing.T) {
	var seen []string
	h := httpt.NewServer(func(context.Context, getReq) (order, error) { return order{}, errs.Conflict("taken") },
		httpt.ServerErrorHandler(handlerFunc(func(_ context.Context, err error) { seen = append(seen, err.Error()) })),
		httpt.ServerErrorEncoder(func(_ context.Context, err error, w http.ResponseWriter) {
			w.WriteHeader(http.StatusTeapot)
		}))
	w, _ := serve(t, h, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusTeapot || len(seen) != 1 || seen[0] != "taken" {
		t.Errorf("got %d, handler saw %v; want 418 and [taken]", w.Code, seen)
	}
}

// EncodeError gives go-kit's own servers the same problem answers.
func TestEncodeErrorWithGoKitServer(t *testing.T) {
	h := kithttp.NewServer(
		func(context.Context, any) (any, error) { return nil, errs.TooManyRequests(time.Second, "easy") },
		kithttp.NopRequestDecoder, kithttp.EncodeJSONResponse,
		kithttp.ServerErrorEncoder(httpt.EncodeError))
	w, p := serve(t, h, httptest.NewRequest("GET", "/", nil))
	if w.Code != 429 || p.Code != "too_many_requests" || p.Detail != "easy" || w.Header().Get("Retry-After") != "1" {
		t.Errorf("got %d %+v Retry-After=%q, want a 429 problem with Retry-After 1", w.Code, p, w.Header().Get("Retry-After"))
	}
}
