package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/gantrykit/gantry/errs"
)

// DefaultBodyLimit is the largest request body a Server reads unless
// WithBodyLimit says otherwise: 1 MiB.
const DefaultBodyLimit = 1 << 20

// decoder turns an *http.Request into a request value following the
// request type's model. It is safe for concurrent use.
type decoder struct {
	model        *model
	limit        int64
	allowUnknown bool
	bufs         sync.Pool // *[]byte, a body read whole
}

// stringPathsOnly reports whether m's fields all come from path wildcards
// into plain string fields, with no body, query, validate tags or Validate
// method: decodeStringPaths then decodes it.
func (m *model) stringPathsOnly() bool {
	if m.typ.Kind() != reflect.Struct || m.hasBody() || len(m.query) > 0 || len(m.header) > 0 || m.validates {
		return false
	}
	for _, f := range m.path {
		if f.param.multi || f.typ.Kind() != reflect.String || len(f.embeds) > 0 || len(f.rules.checks) > 0 ||
			reflect.PointerTo(f.typ).Implements(textUnmarshalerType) {
			return false
		}
	}
	return true
}

// decodeStringPaths is decode for a model whose stringPathsOnly holds. It
// keeps base to itself, so the caller's request value can stay on its
// stack.
func (d *decoder) decodeStringPaths(r *http.Request, base unsafe.Pointer) {
	for _, f := range d.model.path {
		if s := r.PathValue(f.name); s != "" {
			*(*string)(unsafe.Add(base, f.off)) = s
		}
	}
}

// decode fills the value at base (of the model's type; target is the same
// pointer as an interface) from r: JSON body first, then path and query
// parameters, then the body check, the parameters' rules and the Validate
// method. A body that does not parse, or a parameter that does not, is
// reported alone; the violations of a request that parsed are reported
// together.
func (d *decoder) decode(r *http.Request, base unsafe.Pointer, target any) error {
	m := d.model
	var out []errs.FieldViolation
	read := false
	if m.hasBody() && r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		var err error
		if read, out, err = d.body(r, base, target); err != nil {
			return err
		}
	}
	if !read && m.typ.Kind() == reflect.Struct { // no body: no member is present
		c := bodyCheck{}
		c.missing(m, nil, nil)
		out = c.out
	}
	if read && m.paramsInJSON {
		for _, f := range m.path {
			f.clear(base)
		}
		for _, f := range m.query {
			f.clear(base)
		}
		for _, f := range m.header {
			f.clear(base)
		}
	}
	for _, f := range m.path {
		if s := r.PathValue(f.name); s != "" {
			if err := f.setParam(base, s); err != nil {
				return paramError(f.name, err)
			}
			if msg := f.rules.run(f.typ, f.addr(base, false)); msg != "" {
				out = append(out, errs.FieldViolation{Field: f.name, Description: msg})
			}
		}
	}
	if len(m.query) > 0 {
		var err error
		if out, err = d.query(r.URL.RawQuery, base, out); err != nil {
			return err
		}
	}
	for _, f := range m.header {
		var err error
		if out, err = f.headerParam(r.Header[f.name], base, out); err != nil {
			return err
		}
	}
	if len(out) > 0 {
		return invalid(out)
	}
	if m.validates {
		if err := target.(Validator).Validate(); err != nil {
			if errs.KindOf(err) == errs.KindInternal {
				return errs.Wrap(errs.KindInvalidArgument, err, "%s", err.Error())
			}
			return err
		}
	}
	return nil
}

// body reads the JSON body whole (at most limit bytes: a declared
// Content-Length over it is refused before reading, a body of unknown
// length after limit+1 bytes), decodes it into target with encoding/json
// and runs the body check. read is false for an empty body.
func (d *decoder) body(r *http.Request, base unsafe.Pointer, target any) (read bool, out []errs.FieldViolation, err error) {
	if r.ContentLength > d.limit {
		return false, nil, tooLarge(d.limit)
	}
	var ct string
	if v := r.Header["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	if !isJSON(ct) {
		return false, nil, unsupportedMedia(ct)
	}
	bp, _ := d.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer func() {
		if cap(*bp) <= maxKeptBuffer {
			d.bufs.Put(bp)
		}
	}()
	buf, err := readBody(r, (*bp)[:0], d.limit)
	*bp = buf
	if err != nil {
		return false, nil, err
	}
	if len(bytes.TrimLeft(buf, " \t\r\n")) == 0 {
		return false, nil, nil // an empty body holds no members
	}
	if err := json.Unmarshal(buf, target); err != nil {
		return false, nil, bodyError(err, d.limit)
	}
	c := bodyCheck{buf: buf, allowUnknown: d.allowUnknown}
	c.value(d.model.self, base, nil)
	return true, c.out, nil
}

// readBody appends r's body to buf: ContentLength bytes when it is known,
// else up to limit, failing with tooLarge past it.
func readBody(r *http.Request, buf []byte, limit int64) ([]byte, error) {
	if n := r.ContentLength; n > 0 {
		buf = slices.Grow(buf, int(n))[:n]
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return buf, bodyError(io.ErrUnexpectedEOF, limit)
		}
		return buf, nil
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 512)
		}
		// Never more than limit+1 bytes: one past the limit tells.
		n, err := r.Body.Read(buf[len(buf):min(cap(buf), int(limit)+1)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf, tooLarge(limit)
		}
		if err == io.EOF {
			return buf, nil
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return buf, tooLarge(mbe.Limit)
		}
		if err != nil {
			return buf, bodyError(io.ErrUnexpectedEOF, limit)
		}
	}
}

// query sets the query fields from a raw query string without building a
// url.Values map, then appends the violations of their rules (required:
// the key is present) to out. A repeated key appends to a slice field; for
// other fields the last value wins. Unknown keys are ignored, and an empty
// value of a non-string field counts as absent.
func (d *decoder) query(q string, base unsafe.Pointer, out []errs.FieldViolation) ([]errs.FieldViolation, error) {
	var present uint64 // bit i: query[i] got a value (more than 64 fields: the rest count as present)
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
				return out, errs.InvalidArgument("malformed query string: %v", err)
			}
		}
		i, ok := d.model.queryIdx[k]
		if !ok {
			continue
		}
		f := d.model.query[i]
		if strings.ContainsAny(v, "%+") {
			if v, err = url.QueryUnescape(v); err != nil {
				return out, paramError(k, &wantError{want: "a valid percent-encoded value"})
			}
		}
		if v == "" && !f.param.stringy {
			continue
		}
		if err := f.setParam(base, v); err != nil {
			return out, paramError(k, err)
		}
		present |= 1 << min(i, 63)
	}
	for i, f := range d.model.query {
		switch {
		case present&(1<<min(i, 63)) == 0:
			if f.rules.required {
				out = append(out, errs.FieldViolation{Field: f.name, Description: "is required"})
			}
		default:
			if msg := f.rules.run(f.typ, f.addr(base, false)); msg != "" {
				out = append(out, errs.FieldViolation{Field: f.name, Description: msg})
			}
		}
	}
	return out, nil
}

// headerParam sets the header field f from the request's values of its
// header, then appends the violation of its rules (required: the header
// is present) to out. A header given more than once is refused: the field
// holds one value, and which of several a proxy keeps is not defined.
func (f *field) headerParam(vs []string, base unsafe.Pointer, out []errs.FieldViolation) ([]errs.FieldViolation, error) {
	switch {
	case len(vs) > 1:
		return out, paramError(f.name, &wantError{want: "one header field, got " + strconv.Itoa(len(vs))})
	case len(vs) == 0 || vs[0] == "" && !f.param.stringy:
		if f.rules.required {
			out = append(out, errs.FieldViolation{Field: f.name, Description: "is required"})
		}
		return out, nil
	}
	if err := f.setParam(base, vs[0]); err != nil {
		return out, paramError(f.name, err)
	}
	if msg := f.rules.run(f.typ, f.addr(base, false)); msg != "" {
		out = append(out, errs.FieldViolation{Field: f.name, Description: msg})
	}
	return out, nil
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
