package contract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Config says what to fuzz and for how long.
type Config struct {
	// BaseURL is where the document's paths are served, such as a
	// gateway's "http://127.0.0.1:8080".
	BaseURL string
	// Document is the OpenAPI 3.1 document (JSON); nil fetches
	// BaseURL/openapi.json.
	Document []byte
	// Seed makes a run repeatable; 0 picks one (printed either way).
	Seed uint64
	// Requests bounds the requests per operation (default 200), Duration
	// the whole run (default 90s): whichever ends first.
	Requests int
	Duration time.Duration
	// Token returns a valid bearer token for secured operations; nil: the
	// fuzzer only sends none or bad ones.
	Token func(ctx context.Context) (string, error)
	// Client sends the requests (default: a client with a 10s timeout).
	Client *http.Client
	// Out receives the seed, every counterexample and the summary line
	// (default io.Discard).
	Out io.Writer
}

// Result is what a run found.
type Result struct {
	Seed            uint64
	Operations      int
	Requests        int // sent
	Passed, Failed  int
	Statuses        map[int]int // answers by status
	Counterexamples []string    // each one failed request and what was wrong
}

// Run fuzzes the operations of the document at cfg.BaseURL: for each, it
// sends generated requests (schema-valid ones, ones with one thing wrong,
// and, for secured operations, ones with missing or bad credentials) and
// checks every answer: no 5xx; a status the operation documents; a JSON
// body that its documented schema (draft 2020-12) accepts; errors as
// application/problem+json; WWW-Authenticate on 401 and Retry-After on
// 429. For each path it also sends an undocumented method and wants 405
// with Allow. It ends with a line "N passed, N failed". The error is for
// a run that could not start (no document); failures are in the Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Requests <= 0 {
		cfg.Requests = 200
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 90 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()
	}
	fmt.Fprintf(cfg.Out, "contract fuzz of %s, seed %d\n", cfg.BaseURL, cfg.Seed)
	if cfg.Document == nil {
		b, err := fetchDocument(ctx, cfg)
		if err != nil {
			return nil, err
		}
		cfg.Document = b
	}
	d, err := parseDocument(cfg.Document)
	if err != nil {
		return nil, err
	}
	schemas, err := NewSchemas(cfg.Document)
	if err != nil {
		return nil, err
	}
	f := &fuzzer{cfg: cfg, d: d, schemas: schemas, g: &gen{d: d, r: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}}
	f.res = &Result{Seed: cfg.Seed, Operations: len(d.ops), Statuses: map[int]int{}}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	f.probeMethods(ctx)
	token := ""
	for i := 0; i < cfg.Requests && ctx.Err() == nil; i++ {
		if cfg.Token != nil && i%50 == 0 { // tokens expire; take a fresh one now and then
			if t, err := cfg.Token(ctx); err == nil {
				token = t
			} else if ctx.Err() == nil {
				f.fail(nil, nil, nil, "getting a token: "+err.Error())
			}
		}
		for _, op := range d.ops {
			if ctx.Err() != nil {
				break
			}
			r := f.g.build(op, i%2 == 1)
			f.credentials(r, token)
			f.send(ctx, r)
		}
	}
	fmt.Fprintf(cfg.Out, "%d operations × %d requests (%d sent in all); answers:", f.res.Operations, cfg.Requests, f.res.Requests)
	for _, s := range slices.Sorted(maps.Keys(statusNames(f.res.Statuses))) {
		fmt.Fprintf(cfg.Out, " %s", s)
	}
	fmt.Fprintln(cfg.Out)
	fmt.Fprintf(cfg.Out, "%d passed, %d failed\n", f.res.Passed, f.res.Failed)
	return f.res, nil
}

type fuzzer struct {
	cfg     Config
	d       *document
	schemas *Schemas
	g       *gen
	res     *Result
	seen    map[string]bool // counterexamples printed, by operation and violation
}

// credentials sets r's Authorization: for a secured operation a valid
// token most of the time, else none, a bad one or another scheme.
func (f *fuzzer) credentials(r *request, token string) {
	if !r.op.secured {
		if f.g.r.IntN(8) == 0 {
			r.auth = "Bearer " + f.g.plain(20) // an open operation ignores it
		}
		return
	}
	switch n := f.g.r.IntN(8); {
	case n < 5 && token != "":
		r.auth = "Bearer " + token
	case n == 5:
		r.kind += "; credentials: none"
	case n == 6:
		r.auth, r.kind = "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", r.kind+"; credentials: alg none"
	default:
		r.auth, r.kind = "Basic "+f.g.plain(12), r.kind+"; credentials: basic"
	}
}

// send sends r and checks the answer.
func (f *fuzzer) send(ctx context.Context, r *request) {
	u := strings.TrimSuffix(f.cfg.BaseURL, "/") + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
	if err != nil {
		f.fail(r, nil, nil, "building the request: "+err.Error())
		return
	}
	if r.body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	resp, err := f.cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			f.fail(r, nil, nil, "no answer: "+err.Error())
		}
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	resp.Body.Close()
	f.res.Requests++
	f.res.Statuses[resp.StatusCode]++
	if problems := f.check(r, resp, body); len(problems) > 0 {
		f.fail(r, resp, body, problems...)
		return
	}
	f.res.Passed++
}

// check returns what is wrong with the answer to r.
func (f *fuzzer) check(r *request, resp *http.Response, body []byte) []string {
	var out []string
	op, status := r.op, resp.StatusCode
	if status >= 500 {
		out = append(out, fmt.Sprintf("server error %d", status))
	}
	key := op.documented(status)
	if key == "" {
		out = append(out, fmt.Sprintf("status %d is not documented for %s %s", status, op.method, op.path))
	}
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if status >= 400 && media != "application/problem+json" {
		out = append(out, fmt.Sprintf("error answer with Content-Type %q, want application/problem+json", media))
	}
	switch status {
	case http.StatusUnauthorized:
		if resp.Header.Get("WWW-Authenticate") == "" {
			out = append(out, "401 without WWW-Authenticate")
		}
	case http.StatusTooManyRequests:
		if resp.Header.Get("Retry-After") == "" {
			out = append(out, "429 without Retry-After")
		}
	}
	if key == "" || len(body) == 0 || r.method == http.MethodHead {
		return out
	}
	if _, ok := op.responses[key][media]; !ok {
		if len(op.responses[key]) > 0 {
			out = append(out, fmt.Sprintf("Content-Type %q is not documented for %d", media, status))
		}
		return out
	}
	ptr := Pointer("paths", op.path, strings.ToLower(op.method), "responses", key, "content", media, "schema")
	if err := f.schemas.Validate(ptr, body); err != nil {
		out = append(out, fmt.Sprintf("body does not match the documented %s schema: %v", key, err))
	}
	return out
}

// probeMethods sends each path one method it does not document and wants
// 405 with an Allow header naming the documented ones.
// pathParam is a parameter of an OpenAPI path template: {id}.
var pathParam = regexp.MustCompile(`\{[^}/]*\}`)

func (f *fuzzer) probeMethods(ctx context.Context) {
	for _, path := range slices.Sorted(maps.Keys(f.d.methods)) {
		documented := f.d.methods[path]
		var op *operation
		for _, o := range f.d.ops {
			if o.path == path {
				op = o
				break
			}
		}
		for _, m := range []string{http.MethodPatch, http.MethodPut, http.MethodDelete, http.MethodPost} {
			if slices.Contains(documented, m) {
				continue
			}
			// The method is what is tried: path values are plain, so that
			// no refusal of the path itself (a 400 for control bytes at an
			// edge) can stand in front of the 405.
			r := f.g.build(op, false)
			r.method, r.kind, r.body, r.contentType = m, "undocumented method", nil, ""
			r.path = pathParam.ReplaceAllString(op.path, "1")
			u := strings.TrimSuffix(f.cfg.BaseURL, "/") + r.path
			req, err := http.NewRequestWithContext(ctx, m, u, nil)
			if err != nil {
				return
			}
			resp, err := f.cfg.Client.Do(req)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			f.res.Requests++
			f.res.Statuses[resp.StatusCode]++
			var problems []string
			allow := resp.Header.Get("Allow")
			if resp.StatusCode != http.StatusMethodNotAllowed {
				problems = append(problems, fmt.Sprintf("%s on a path that documents %v: got %d, want 405", m, documented, resp.StatusCode))
			}
			for _, d := range documented {
				if !strings.Contains(allow, d) {
					problems = append(problems, fmt.Sprintf("Allow %q lacks documented %s", allow, d))
				}
			}
			if len(problems) > 0 {
				f.fail(r, resp, body, problems...)
			} else {
				f.res.Passed++
			}
			break
		}
	}
}

// fail counts a failed request and prints it the first time its operation
// fails this way.
func (f *fuzzer) fail(r *request, resp *http.Response, body []byte, problems ...string) {
	f.res.Failed++
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	var b strings.Builder
	if r != nil {
		key := r.op.method + " " + r.op.path + " " + strings.Join(problems, "; ")
		if f.seen[key] {
			return
		}
		f.seen[key] = true
		fmt.Fprintf(&b, "FAIL %s %s (%s, %s)\n", r.op.method, r.op.path, r.op.id, r.kind)
		fmt.Fprintf(&b, "  request: %s %s", r.method, r.path)
		if len(r.query) > 0 {
			fmt.Fprintf(&b, "?%s", r.query.Encode())
		}
		fmt.Fprintf(&b, "\n  Content-Type: %q, Authorization: %.24q\n  body: %.400q\n", r.contentType, r.auth, r.body)
	} else {
		b.WriteString("FAIL\n")
	}
	if resp != nil {
		fmt.Fprintf(&b, "  answer: %d %s %.400q\n", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, p := range problems {
		fmt.Fprintf(&b, "  - %s\n", p)
	}
	f.res.Counterexamples = append(f.res.Counterexamples, b.String())
	fmt.Fprint(f.cfg.Out, b.String())
}

func fetchDocument(ctx context.Context, cfg Config) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.BaseURL, "/")+"/openapi.json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("contract: fetching the document: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("contract: GET /openapi.json: %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 32<<20))
}

// statusNames renders status counts as "404×12", keyed for sorting.
func statusNames(m map[int]int) map[string]bool {
	out := map[string]bool{}
	for s, n := range m {
		out[fmt.Sprintf("%d×%d", s, n)] = true
	}
	return out
}
