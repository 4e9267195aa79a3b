package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type line struct {
	Note string `json:"note" validate:"required"`
}

type createOrder struct {
	User   string        `path:"user" json:"-"`
	DryRun bool          `query:"dry_run" json:"-"`
	Tags   []string      `query:"tag" json:"-"`
	Wait   time.Duration `query:"wait" json:"-"`
	Since  *time.Time    `query:"since" json:"-"`
	Limit  uint8         `query:"limit" json:"-" validate:"max=50"`

	SKU      string `json:"sku" validate:"required,oneof=A-1 B-2"`
	Quantity int    `json:"quantity" validate:"min=1,max=100"`
	Email    string `json:"email,omitempty" validate:"email"`
	Lines    []line `json:"lines,omitempty" validate:"max=3"`
}

type order struct {
	User     string    `json:"user"`
	SKU      string    `json:"sku"`
	Quantity int       `json:"quantity"`
	DryRun   bool      `json:"dry_run"`
	Tags     []string  `json:"tags"`
	Wait     string    `json:"wait"`
	Since    time.Time `json:"since"`
	Limit    uint8     `json:"limit"`
}

func createEndpoint(_ context.Context, req createOrder) (order, error) {
	o := order{User: req.User, SKU: req.SKU, Quantity: req.Quantity, DryRun: req.DryRun,
		Tags: req.Tags, Wait: req.Wait.String(), Limit: req.Limit}
	if req.Since != nil {
		o.Since = *req.Since
	}
	return o, nil
}

// problem is what a client reads from a problem+json answer.
type problem struct {
	Status int                   `json:"status"`
	Title  string                `json:"title"`
	Code   string                `json:"code"`
	Detail string                `json:"detail"`
	Errors []errs.FieldViolation `json:"errors"`
}

// serve runs one request through h and returns the recorder and, for
// problem answers, the decoded problem.
func serve(t *testing.T, h http.Handler, r *http.Request) (*httptest.ResponseRecorder, problem) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var p problem
	if ct := w.Header().Get("Content-Type"); ct == errs.ProblemContentType {
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("problem body %q: %v", w.Body, err)
		}
	}
	return w, p
}

func newMux(h http.Handler) *httpt.Mux {
	m := httpt.NewMux()
	m.Handle("POST /users/{user}/orders", h)
	return m
}

func jsonReq(target, body string) *http.Request {
	r := httptest.NewRequest("POST", target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestServerDecodes(t *testing.T) {
	m := newMux(httpt.NewServer(createEndpoint, httpt.WithStatus(http.StatusCreated)))
	r := jsonReq("/users/u%2F1/orders?dry_run=true&tag=a&tag=b%20c&wait=1.5s&since=2024-01-02T03:04:05Z&limit=7&other=x",
		`{"sku":"A-1","quantity":3,"lines":[{"note":"x"}]}`)
	w, _ := serve(t, m, r)
	if w.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var got order
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := order{User: "u/1", SKU: "A-1", Quantity: 3, DryRun: true, Tags: []string{"a", "b c"},
		Wait: "1.5s", Since: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Limit: 7}
	if got.User != want.User || got.SKU != want.SKU || got.Quantity != want.Quantity || !got.DryRun ||
		strings.Join(got.Tags, "|") != "a|b c" || got.Wait != want.Wait || !got.Since.Equal(want.Since) || got.Limit != 7 {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
}

func TestServerRejects(t *testing.T) {
	m := newMux(httpt.NewServer(createEndpoint))
	tests := []struct {
		name, target, ct, body string
		status                 int
		detail                 string // a substring of the problem's detail
		field                  string // the first field violation, if any
	}{
		{"malformed", "/users/u/orders", "application/json", `{"sku":`, 400, "unexpected end of input", ""},
		{"syntax", "/users/u/orders", "application/json", `{"sku" "A-1"}`, 400, "malformed JSON at offset 8", ""},
		{"wrong type", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":"three"}`, 400, `field "quantity": want integer, got string`, "quantity"},
		{"nested type", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1,"lines":[{"note":5}]}`, 400, `want string, got number`, "lines.note"},
		{"unknown field", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1,"colour":"red"}`, 400, `colour: unknown field`, "colour"},
		{"trailing garbage", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1} x`, 400, "unexpected data after the value", ""},
		{"two values", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1}{}`, 400, "unexpected data after the value", ""},
		{"closing bracket after", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1}]`, 400, "unexpected data after the value", ""},
		{"not an object", "/users/u/orders", "application/json", `[1,2]`, 400, "want object", "body"},
		{"text/plain", "/users/u/orders", "text/plain", `{}`, 415, `got "text/plain"`, ""},
		{"form", "/users/u/orders", "application/x-www-form-urlencoded", `a=b`, 415, "application/json", ""},
		{"no content type", "/users/u/orders", "", `{}`, 415, `got "none"`, ""},
		{"required", "/users/u/orders", "application/json", `{"quantity":1}`, 400, "sku: is required", "sku"},
		{"empty body", "/users/u/orders", "application/json", ``, 400, "sku: is required", "sku"},
		{"oneof", "/users/u/orders", "application/json", `{"sku":"Z","quantity":1}`, 400, "must be one of A-1, B-2", "sku"},
		{"min", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":0}`, 400, "quantity: must be at least 1", "quantity"},
		{"max", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":101}`, 400, "must be at most 100", "quantity"},
		{"email", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1,"email":"bob"}`, 400, "must be an email address", "email"},
		{"nested required", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1,"lines":[{"note":"a"},{}]}`, 400, "lines[1].note: is required", "lines[1].note"},
		{"slice max", "/users/u/orders", "application/json", `{"sku":"A-1","quantity":1,"lines":[{"note":"a"},{"note":"a"},{"note":"a"},{"note":"a"}]}`, 400, "must have at most 3 items", "lines"},
		{"bad bool", "/users/u/orders?dry_run=maybe", "application/json", `{"sku":"A-1","quantity":1}`, 400, `parameter "dry_run": want boolean`, "dry_run"},
		{"bad duration", "/users/u/orders?wait=soon", "application/json", `{"sku":"A-1","quantity":1}`, 400, "want duration", "wait"},
		{"bad time", "/users/u/orders?since=yesterday", "application/json", `{"sku":"A-1","quantity":1}`, 400, "RFC 3339", "since"},
		{"int overflow", "/users/u/orders?limit=300", "application/json", `{"sku":"A-1","quantity":1}`, 400, "want non-negative integer", "limit"},
		{"query max", "/users/u/orders?limit=51", "application/json", `{"sku":"A-1","quantity":1}`, 400, "limit: must be at most 50", "limit"},
		{"bad escape", "/users/u/orders?tag=%zz", "application/json", `{"sku":"A-1","quantity":1}`, 400, "percent-encoded", "tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", tt.target, strings.NewReader(tt.body))
			if tt.ct != "" {
				r.Header.Set("Content-Type", tt.ct)
			}
			w, p := serve(t, m, r)
			if w.Code != tt.status || p.Status != tt.status {
				t.Fatalf("status = %d (problem %d), want %d; body %s", w.Code, p.Status, tt.status, w.Body)
			}
			if p.Code != "invalid_argument" {
				t.Errorf("code = %q, want invalid_argument", p.Code)
			}
			if !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("detail = %q, want it to contain %q", p.Detail, tt.detail)
			}
			if tt.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tt.field) {
				t.Errorf("errors = %+v, want first field %q", p.Errors, tt.field)
			}
		})
	}
}

// countingBody counts what the handler read.
type countingBody struct {
	r    io.Reader
	read int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}
func (b *countingBody) Close() error { return nil }

func TestServerBodyLimit(t *testing.T) {
	const limit = 1 << 10
	h := httpt.NewServer(createEndpoint, httpt.WithBodyLimit(limit))
	big := `{"sku":"A-1","quantity":1,"email":"` + strings.Repeat("a", 4*limit) + `"}`
	for _, chunked := range []bool{false, true} {
		body := &countingBody{r: strings.NewReader(big)}
		r := httptest.NewRequest("POST", "/", nil)
		r.Body = body
		r.Header.Set("Content-Type", "application/json")
		r.ContentLength = int64(len(big))
		if chunked {
			r.ContentLength = -1
		}
		w, p := serve(t, h, r)
		if w.Code != http.StatusRequestEntityTooLarge || p.Code != "invalid_argument" {
			t.Fatalf("chunked=%v: status %d code %q, want 413 invalid_argument", chunked, w.Code, p.Code)
		}
		if got := w.Header().Get("Connection"); got != "close" {
			t.Errorf("chunked=%v: Connection = %q, want close", chunked, got)
		}
		want := 0
		if chunked {
			want = limit + 1
		}
		if body.read != want {
			t.Errorf("chunked=%v: read %d bytes, want %d", chunked, body.read, want)
		}
	}
	// Exactly the limit is fine.
	exact := `{"sku":"A-1","quantity":1,"email":"` + strings.Repeat("a", limit) + `"}`
	exact = exact[:len(exact)-2-(len(exact)-limit)] + `"}`
	r := jsonReq("/", exact)
	r.ContentLength = -1
	if w, p := serve(t, httpt.NewServer(createEndpoint, httpt.WithBodyLimit(limit)), r); len(exact) != limit || w.Code != 400 || !strings.Contains(p.Detail, "email") {
		t.Errorf("a body of exactly the limit (%d bytes): status %d %q, want 400 about the email", len(exact), w.Code, p.Detail)
	}
}

type selfCheck struct {
	From int `json:"from"`
	To   int `json:"to"`
}

func (s selfCheck) Validate() error {
	if s.To < s.From {
		return errs.InvalidField("to", "must not be before from")
	}
	if s.To == s.From {
		return errors.New("an empty range")
	}
	return nil
}

func TestServerValidateMethod(t *testing.T) {
	h := httpt.NewServer(func(_ context.Context, s selfCheck) (selfCheck, error) { return s, nil })
	for body, want := range map[string]string{`{"from":2,"to":1}`: "to", `{"from":1,"to":1}`: ""} {
		w, p := serve(t, h, jsonReq("/", body))
		if w.Code != 400 || p.Code != "invalid_argument" {
			t.Fatalf("%s: status %d, want 400", body, w.Code)
		}
		if want != "" && (len(p.Errors) != 1 || p.Errors[0].Field != want) {
			t.Errorf("%s: errors = %+v, want field %q", body, p.Errors, want)
		}
		if want == "" && p.Detail != "an empty range" {
			t.Errorf("%s: detail = %q, want the Validate text", body, p.Detail)
		}
	}
	if w, _ := serve(t, h, jsonReq("/", `{"from":1,"to":2}`)); w.Code != 200 {
		t.Errorf("valid range: status %d, want 200", w.Code)
	}
}

func TestServerAllowUnknownFields(t *testing.T) {
	h := httpt.NewServer(createEndpoint, httpt.AllowUnknownFields())
	if w, _ := serve(t, h, jsonReq("/", `{"sku":"A-1","quantity":1,"colour":"red"}`)); w.Code != 200 {
		t.Errorf("status = %d, want 200; body %s", w.Code, w.Body)
	}
}

func TestNewServerPanicsOnBadTags(t *testing.T) {
	type bad struct {
		N int `json:"n" validate:"min=one"`
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), `min: wants a number, got "one"`) {
			t.Errorf("recover() = %v, want a panic naming the tag", r)
		}
	}()
	httpt.NewServer(func(context.Context, bad) (bad, error) { return bad{}, nil })
}

// TestServerBodyLimitOverTheWire sends a 2 MiB body to a real server: the
// answer is a 413 problem, and the connection is closed rather than
// drained.
func TestServerBodyLimitOverTheWire(t *testing.T) {
	srv := httptest.NewServer(newMux(httpt.NewServer(createEndpoint)))
	defer srv.Close()
	big := `{"sku":"A-1","quantity":1,"email":"` + strings.Repeat("a", 2<<20) + `"}`
	resp, err := srv.Client().Post(srv.URL+"/users/u/orders", "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge || p.Status != 413 || !resp.Close {
		t.Errorf("got %d (problem %d, close %v), want 413 and a closed connection", resp.StatusCode, p.Status, resp.Close)
	}
}

type paging struct {
	Limit int `query:"limit" json:"-" validate:"max=10"`
}

type address struct {
	City string `json:"city" validate:"required"`
}

type signup struct {
	paging
	Team string   `path:"team" json:"-"`
	Home address  `json:"home"`
	Work *address `json:"work,omitempty"`
}

type signedUp struct {
	Team  string `json:"team"`
	Limit int    `json:"limit"`
	City  string `json:"city"`
}

func TestServerNestedAndEmbedded(t *testing.T) {
	m := httpt.NewMux()
	m.Handle("POST /teams/{team}/members", httpt.NewServer(func(_ context.Context, s signup) (signedUp, error) {
		return signedUp{Team: s.Team, Limit: s.Limit, City: s.Home.City}, nil
	}))
	tests := []struct {
		target, body string
		status       int
		want         string // the answer, or the first field violation
	}{
		{"/teams/red/members?limit=3", `{"home":{"city":"Oslo"}}`, 200, `{"team":"red","limit":3,"city":"Oslo"}`},
		{"/teams/red/members", `{"home":{}}`, 400, "home.city"},
		{"/teams/red/members", `{"home":{"city":"Oslo"},"work":{}}`, 400, "work.city"},
		{"/teams/red/members?limit=11", `{"home":{"city":"Oslo"}}`, 400, "limit"},
	}
	for _, tt := range tests {
		w, p := serve(t, m, jsonReq(tt.target, tt.body))
		got := strings.TrimSpace(w.Body.String())
		if w.Code == 400 && len(p.Errors) > 0 {
			got = p.Errors[0].Field
		}
		if w.Code != tt.status || got != tt.want {
			t.Errorf("%s %s: got %d %s, want %d %s", tt.target, tt.body, w.Code, got, tt.status, tt.want)
		}
	}
}
