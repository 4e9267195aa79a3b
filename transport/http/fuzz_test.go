package http_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/errs"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// FuzzServerDecode feeds arbitrary path values, query strings, content
// types and bodies to a typed handler: it must never panic and never
// answer a malformed request with a 5xx.
func FuzzServerDecode(f *testing.F) {
	f.Add("u1", "dry_run=true&tag=a&tag=b&wait=1s&since=2024-01-02T03:04:05Z&limit=3", "application/json",
		[]byte(`{"sku":"A-1","quantity":2,"email":"a@b.c","lines":[{"note":"x"}]}`), false)
	f.Add("u", "", "application/json", []byte(`{"sku":"A-1","quantity":"2"}`), true)
	f.Add("u", "limit=999&wait=-", "application/json; charset=utf-8", []byte(`{"sku":"A-1"} {}`), false)
	f.Add("", "%zz=1&tag=%", "application/merge-patch+json", []byte(`{"lines":[{"note":1}]}`), false)
	f.Add("u", "", "text/plain", []byte(`{}`), false)
	f.Add("u", "", "application/json", []byte("\xff\xfe{\"sku\":\"\\ud800\"}"), true)
	f.Add("u", "", "application/json", []byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`), false)
	f.Add("u", "since=0000-00-00T00:00:00Z", "application/json", []byte(`{"quantity":1e400}`), false)
	h := httpt.NewServer(createEndpoint, httpt.WithBodyLimit(4<<10))
	f.Fuzz(func(t *testing.T, user, query, ct string, body []byte, chunked bool) {
		r := &http.Request{
			Method:        "POST",
			URL:           &url.URL{Path: "/users/x/orders", RawQuery: query},
			Header:        http.Header{"Content-Type": {ct}},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
		}
		if chunked {
			r.ContentLength = -1
		}
		r = r.WithContext(context.Background())
		r.SetPathValue("user", user)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for user=%q query=%q ct=%q body=%q: %s", w.Code, user, query, ct, body, w.Body)
		}
		if w.Code >= 400 && w.Header().Get("Content-Type") != errs.ProblemContentType {
			t.Fatalf("status %d without a problem document", w.Code)
		}
	})
}

// FuzzClientDecodeResponse feeds arbitrary answers to the client's decoder:
// it must never panic, and every error status must come back as an error.
func FuzzClientDecodeResponse(f *testing.F) {
	f.Add(404, errs.ProblemContentType, "", []byte(`{"title":"Not found","status":404,"code":"not_found","detail":"x"}`))
	f.Add(429, errs.ProblemContentType, "3", []byte(`{"code":"too_many_requests","errors":[{"field":"a"}]}`))
	f.Add(503, "text/plain", "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`busy`))
	f.Add(200, "application/json", "", []byte(`{"user":"a","tags":["x"],"since":"2024-01-02T03:04:05Z"}`))
	f.Add(200, "application/json", "", []byte(`{"user":`))
	f.Add(500, errs.ProblemContentType, "-1", []byte(`{"status":"x"}`))
	c, err := httpt.NewClient[getReq, order]("GET", "http://127.0.0.1:1", "/orders/{id}")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, ct, retry string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		resp := &http.Response{
			StatusCode:    status,
			Status:        http.StatusText(status),
			Header:        http.Header{"Content-Type": {ct}, "Retry-After": {retry}},
			Body:          io.NopCloser(strings.NewReader(string(body))),
			ContentLength: int64(len(body)),
		}
		got, err := c.DecodeResponse(context.Background(), resp)
		if (status < 200 || status > 299) && err == nil {
			t.Fatalf("status %d decoded without an error: %v", status, got)
		}
		if err == nil {
			if _, ok := got.(order); !ok {
				t.Fatalf("decoded %T, want order", got)
			}
		}
		if errs.RetryAfterOf(err) < 0 {
			t.Fatalf("negative Retry-After from %q", retry)
		}
	})
}
