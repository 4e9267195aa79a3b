package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/gantrykit/gantry/errs"
)

// DefaultBodyLimit is the largest request body a Server reads unless
// WithBodyLimit says otherwise: 1 MiB.
const DefaultBodyLimit = 1 << 20

// decoder turns an *http.Request into a request value following a plan.
// It is safe for concurrent use.
type decoder struct {
	plan         *plan
	limit        int64
	allowUnknown bool
	readers      sync.Pool // *limitReader, for bodies of unknown length
}

// stringPathsOnly reports whether p's fields all come from path wildcards
// into plain string fields, with no body, query, validate tags or Validate
// method: decodeStringPaths then decodes it.
func (p *plan) stringPathsOnly() bool {
	if p.typ.Kind() != reflect.Struct || p.hasBody() || len(p.query) > 0 || p.validator != nil || p.validates {
		return false
	}
	for i := range p.path {
		pr := &p.path[i]
		if pr.multi || pr.typ.Kind() != reflect.String || reflect.PointerTo(pr.typ).Implements(textUnmarshalerType) {
			return false
		}
	}
	return true
}

// decodeStringPaths is decode for a plan whose stringPathsOnly holds. It
// keeps base to itself, so the caller's request value can stay on its
// stack.
func (d *decoder) decodeStringPaths(r *http.Request, base unsafe.Pointer) {
	for i := range d.plan.path {
		pr := &d.plan.path[i]
		if s := r.PathValue(pr.name); s != "" {
			*(*string)(unsafe.Add(base, pr.off)) = s
		}
	}
}

// decode fills the value at base (of the plan's type; target is the same
// pointer as an interface) from r: JSON body first, then path and query
// parameters, which win over body members of the same field, then the
// validate tags and the Validate method.
func (d *decoder) decode(r *http.Request, base unsafe.Pointer, target any) error {
	p := d.plan
	if p.hasBody() && r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		if err := d.body(r, target); err != nil {
			return err
		}
	}
	for i := range p.path {
		pr := &p.path[i]
		if s := r.PathValue(pr.name); s != "" {
			if err := pr.setParam(base, s); err != nil {
				return paramError(pr.name, err)
			}
		}
	}
	if len(p.query) > 0 && r.URL.RawQuery != "" {
		if err := d.query(r.URL.RawQuery, base); err != nil {
			return err
		}
	}
	if p.validator != nil {
		if v := p.validator.run(base, nil, nil); len(v) > 0 {
			return invalid(v)
		}
	}
	if p.validates {
		if err := target.(Validator).Validate(); err != nil {
			if errs.KindOf(err) == errs.KindInternal {
				return errs.Wrap(errs.KindInvalidArgument, err, "%s", err.Error())
			}
			return err
		}
	}
	return nil
}

// body decodes the JSON body into target, reading at most limit bytes. A
// declared Content-Length over the limit is refused before reading; within
// it, net/http never hands out more than the declared length, so only a
// body of unknown length (chunked) is read through a counting limitReader.
func (d *decoder) body(r *http.Request, target any) error {
	if r.ContentLength > d.limit {
		return tooLarge(d.limit)
	}
	var ct string
	if v := r.Header["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	if !isJSON(ct) {
		return unsupportedMedia(ct)
	}
	var src io.Reader = r.Body
	var lr *limitReader
	if r.ContentLength < 0 {
		lr, _ = d.readers.Get().(*limitReader)
		if lr == nil {
			lr = new(limitReader)
		}
		lr.r, lr.n = r.Body, d.limit+1
		src = lr
	}
	dec := json.NewDecoder(src)
	if !d.allowUnknown {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(target)
	switch {
	case err == nil:
		// Exactly one value: anything after it but spaces is an error. When
		// the whole declared body is buffered already, look at the rest
		// without reading again.
		if !restIsSpace(dec, r.ContentLength) {
			if tok, terr := dec.Token(); terr != io.EOF {
				err = trailingData(tok, terr, dec.InputOffset())
			}
		}
	case err == io.EOF: // an empty chunked body holds no members
		err = nil
	}
	if lr != nil {
		lr.r = nil
		d.readers.Put(lr)
	}
	if err != nil {
		return bodyError(err, d.limit)
	}
	return nil
}

// restIsSpace reports whether all length bytes of the body have been read
// and the decoder's buffered rest is JSON whitespace.
func restIsSpace(dec *json.Decoder, length int64) bool {
	br, ok := dec.Buffered().(*bytes.Reader)
	if !ok || length < 0 || dec.InputOffset()+int64(br.Len()) != length {
		return false
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return true
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
}

// query sets the query fields from a raw query string without building a
// url.Values map. A repeated key appends to a slice field; for other
// fields the last value wins. Unknown keys are ignored, and an empty value
// of a non-string field counts as absent.
func (d *decoder) query(q string, base unsafe.Pointer) error {
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			continue
		}
		var err error
		if strings.ContainsAny(k, "%+") {
			if k, err = url.QueryUnescape(k); err != nil {
				return errs.InvalidArgument("malformed query string: %v", err)
			}
		}
		i, ok := d.plan.queryIdx[k]
		if !ok {
			continue
		}
		pr := &d.plan.query[i]
		if strings.ContainsAny(v, "%+") {
			if v, err = url.QueryUnescape(v); err != nil {
				return paramError(k, &wantError{want: "a valid percent-encoded value"})
			}
		}
		if v == "" && !pr.stringy {
			continue
		}
		if err := pr.setParam(base, v); err != nil {
			return paramError(k, err)
		}
	}
	return nil
}

// limitReader reads from r and fails with errBodyTooLarge once more than
// limit bytes (n-1) have been read; unlike http.MaxBytesReader it is pooled.
type limitReader struct {
	r io.Reader
	n int64 // bytes still allowed to be read, plus one
}

var errBodyTooLarge = errors.New("request body too large")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n <= 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

// isJSON reports whether a Content-Type names JSON: application/json or
// application/*+json, with any parameters.
func isJSON(ct string) bool {
	if ct == "application/json" {
		return true
	}
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	const app = "application/"
	if len(mt) < len(app) || !strings.EqualFold(mt[:len(app)], app) {
		return false
	}
	sub := mt[len(app):]
	return strings.EqualFold(sub, "json") ||
		(len(sub) > 5 && strings.EqualFold(sub[len(sub)-5:], "+json"))
}

// scratch is a pooled JSON encoder bound to a writer that sends the status
// with the body, for answers whose status is not 200.
type scratch struct {
	out answerWriter
	enc *json.Encoder // writes to out
	buf []byte        // a flat answer, kept up to maxKeptBuffer
}

// maxKeptBuffer bounds the answer buffer a pooled scratch keeps.
const maxKeptBuffer = 16 << 10

func newScratch() *scratch {
	e := new(scratch)
	e.enc = json.NewEncoder(&e.out)
	return e
}

// answerWriter writes the status line just before the first body bytes.
type answerWriter struct {
	w      http.ResponseWriter
	status int
	wrote  bool
}

func (a *answerWriter) Write(b []byte) (int, error) {
	if !a.wrote {
		a.wrote = true
		a.w.WriteHeader(a.status)
	}
	return a.w.Write(b)
}
