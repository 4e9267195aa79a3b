package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
)

// compilePattern splits a ServeMux path pattern into literals and
// wildcards, each wildcard bound to a path field of the model.
func compilePattern(pattern string, p *model) ([]segment, error) {
	if _, path := splitPattern(pattern); path != pattern {
		return nil, fmt.Errorf("httpt: client pattern %q: give the method separately", pattern)
	}
	var segs []segment
	used := make([]bool, len(p.path))
	rest := pattern
	for rest != "" {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			segs = append(segs, segment{lit: rest})
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("httpt: client pattern %q: unclosed {", pattern)
		}
		if i > 0 {
			segs = append(segs, segment{lit: rest[:i]})
		}
		name := rest[i+1 : i+j]
		rest = rest[i+j+1:]
		if name == "$" {
			continue
		}
		seg := segment{param: -1}
		name, seg.rest = strings.CutSuffix(name, "...")
		for k := range p.path {
			if p.path[k].name == name {
				seg.param, used[k] = k, true
			}
		}
		if seg.param < 0 {
			return nil, fmt.Errorf("httpt: client pattern %q: no path field for {%s}", pattern, name)
		}
		segs = append(segs, seg)
	}
	for k, ok := range used {
		if !ok {
			return nil, fmt.Errorf("httpt: client pattern %q lacks {%s} for field %s", pattern, p.path[k].name, p.path[k].goName)
		}
	}
	return segs, nil
}

// EncodeRequest is a go-kit EncodeRequestFunc: it completes r, made for
// the base URL, with the request's path, query, headers and JSON body. A
// request that is not a Req is an *endpoint.TypeError.
func (c *Client[Req, Resp]) EncodeRequest(_ context.Context, r *http.Request, request any) error {
	req, ok := request.(Req)
	if !ok {
		return &endpoint.TypeError{Want: reflect.TypeFor[Req](), Got: reflect.TypeOf(request), Request: true}
	}
	base := unsafe.Pointer(&req)
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(r.URL.EscapedPath(), "/"))
	var vals []string
	for _, s := range c.pattern {
		if s.lit != "" {
			b.WriteString(s.lit)
			continue
		}
		vals = c.model.path[s.param].appendParam(vals[:0], base)
		v := ""
		if len(vals) > 0 {
			v = vals[0]
		}
		if v == "" {
			return errs.InvalidField(c.model.path[s.param].name, "is required in the path")
		}
		if s.rest {
			parts := strings.Split(v, "/")
			for i, part := range parts {
				parts[i] = url.PathEscape(part)
			}
			b.WriteString(strings.Join(parts, "/"))
		} else {
			b.WriteString(url.PathEscape(v))
		}
	}
	escaped := b.String()
	path, err := url.PathUnescape(escaped)
	if err != nil {
		return errs.InvalidArgument("path %q: %v", escaped, err)
	}
	r.URL.Path, r.URL.RawPath = path, escaped
	if len(c.model.query) > 0 {
		q := r.URL.Query()
		for i := range c.model.query {
			pr := c.model.query[i]
			for _, v := range pr.appendParam(vals[:0], base) {
				q.Add(pr.name, v)
			}
		}
		r.URL.RawQuery = q.Encode()
	}
	for _, f := range c.model.header {
		if vs := f.appendParam(vals[:0], base); len(vs) > 0 {
			r.Header.Set(f.name, vs[0])
		}
	}
	r.Header.Set("Accept", "application/json, "+errs.ProblemContentType)
	if c.body {
		data, err := json.Marshal(req)
		if err != nil {
			return errs.InvalidArgument("encode request body: %v", err)
		}
		r.Header.Set("Content-Type", "application/json")
		r.ContentLength = int64(len(data))
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	return nil
}

// maxErrorBody bounds how much of an error answer a client reads.
const maxErrorBody = 64 << 10

// DecodeResponse is a go-kit DecodeResponseFunc: a 2xx answer decodes into
// a Resp (an empty one is the zero Resp); a problem+json answer becomes the
// *errs.Error it describes, with RetryAfter from the Retry-After header; any
// other error status becomes an *errs.Error of errs.KindFromHTTP(status).
func (c *Client[Req, Resp]) DecodeResponse(_ context.Context, resp *http.Response) (any, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, responseError(c.method, resp)
	}
	var out Resp
	if resp.StatusCode == http.StatusNoContent || resp.ContentLength == 0 {
		return out, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil && err != io.EOF {
		return nil, errs.Wrap(errs.KindInternal, err, "decode %s answer", c.method)
	}
	return out, nil
}

func responseError(method string, resp *http.Response) error {
	retry := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	if strings.EqualFold(strings.TrimSpace(mt), errs.ProblemContentType) {
		var p errs.Problem
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&p); err == nil {
			if p.Status == 0 {
				p.Status = resp.StatusCode
			}
			p.RetryAfter = retry
			return p.Err()
		}
	}
	k := errs.KindFromHTTP(resp.StatusCode)
	return &errs.Error{Kind: k, Message: method + " answered " + resp.Status, RetryAfter: retry}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
