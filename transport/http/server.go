package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"sync"
	"unsafe"

	kitendpoint "github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
)

// Server is an http.Handler that serves one typed endpoint: it decodes the
// request into a Req, calls the endpoint and writes the Resp as JSON, or
// the error as problem+json. Build it with NewServer; it is safe for
// concurrent use.
type Server[Req, Resp any] struct {
	f           endpoint.Func[Req, Resp]
	refuse      kitendpoint.Endpoint // WithMiddleware's chain for refused requests; nil without
	cfg         serverConfig
	dec         decoder
	scratch     sync.Pool    // *scratch
	flat        *flatEncoder // nil: encoding/json writes the answer
	stringPaths bool         // Req is decoded by decodeStringPaths
	statusCoder bool         // Resp implements go-kit's StatusCoder
	headerer    bool         // Resp implements go-kit's Headerer
	nilAnswer   []byte       // Resp is a slice or map: what a nil one is written as
}

// NewServer returns a handler for f. The request is decoded by reflection,
// following Req's struct tags:
//
//	path:"id"      the path wildcard {id} (r.PathValue)
//	query:"limit"  the query parameter limit; a slice field takes every value
//	header:"X-Key" the request header X-Key (one value)
//	json:"name"    a member of the JSON body (fields without those tags)
//	validate:"..." rules checked after decoding (see the package doc)
//
// Path, query and header fields may be strings, bools, integers, floats,
// time.Duration ("1.5s"), pointers to those, or types implementing
// encoding.TextUnmarshaler (time.Time: RFC 3339). A Req that is not a struct
// is decoded from the whole body.
//
// The tags are read once, here: NewServer panics if they are malformed
// (an unknown validate rule, an unsupported parameter type), as
// regexp.MustCompile does, since that is a bug in the program, not in a
// request.
func NewServer[Req, Resp any](f endpoint.Func[Req, Resp], opts ...ServerOption) *Server[Req, Resp] {
	cfg := serverConfig{status: http.StatusOK, limit: DefaultBodyLimit}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	p, err := newModel(reflect.TypeFor[Req]())
	if err != nil {
		panic(err)
	}
	if _, err := newModel(reflect.TypeFor[Resp]()); err != nil {
		panic(err)
	}
	respT := reflect.TypeFor[Resp]()
	var refuse kitendpoint.Endpoint
	if len(cfg.mws) > 0 {
		chain := endpoint.Chain(cfg.mws...)
		f = endpoint.Typed[Req, Resp](chain(f.Endpoint()))
		refuse = chain(func(ctx context.Context, _ any) (any, error) { return nil, ctx.Value(refusedKey{}).(error) })
	}
	s := &Server[Req, Resp]{
		f:           f,
		refuse:      refuse,
		cfg:         cfg,
		dec:         decoder{model: p, limit: cfg.limit, allowUnknown: cfg.allowUnknown},
		flat:        newFlatEncoder(respT),
		stringPaths: p.stringPathsOnly(),
		statusCoder: respT.Implements(reflect.TypeFor[kithttp.StatusCoder]()),
		headerer:    respT.Implements(reflect.TypeFor[kithttp.Headerer]()),
	}
	switch respT.Kind() {
	case reflect.Slice:
		if respT.Elem().Kind() != reflect.Uint8 {
			s.nilAnswer = []byte("[]\n")
		}
	case reflect.Map:
		s.nilAnswer = []byte("{}\n")
	}
	s.scratch.New = func() any { return newScratch() }
	return s
}

// Operation describes the route for the OpenAPI document; Mux.Handle reads
// it through the Describer interface.
func (s *Server[Req, Resp]) Operation() Operation {
	op := s.cfg.op
	op.Tags = append([]string(nil), op.Tags...)
	op.Status = s.cfg.status
	op.Request = reflect.TypeFor[Req]()
	op.Response = reflect.TypeFor[Resp]()
	op.BodyLimit = s.cfg.limit
	op.AllowUnknown = s.cfg.allowUnknown
	return op
}

// ServeHTTP implements http.Handler. It never lets a panic of the endpoint
// escape: the panic and its stack are logged and the client gets a 500
// problem.
func (s *Server[Req, Resp]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(s.cfg.finalizer) == 0 {
		s.serve(w, r)
		return
	}
	rec := &recorder{ResponseWriter: w, code: http.StatusOK}
	ctx := s.serve(rec, r)
	ctx = context.WithValue(ctx, kithttp.ContextKeyResponseHeaders, rec.Header())
	ctx = context.WithValue(ctx, kithttp.ContextKeyResponseSize, rec.written)
	for _, f := range s.cfg.finalizer {
		f(ctx, rec.code, r)
	}
}

func (s *Server[Req, Resp]) serve(w http.ResponseWriter, r *http.Request) (ctx context.Context) {
	ctx = r.Context()
	defer s.recoverPanic(w, r)
	for _, f := range s.cfg.before {
		ctx = f(ctx, r)
	}
	var req Req
	if s.stringPaths {
		s.dec.decodeStringPaths(r, unsafe.Pointer(&req))
	} else {
		// decode hands the value to encoding/json and to setters: it
		// lives on the heap, apart from req, which need not.
		p := new(Req)
		if err := s.dec.decode(r, unsafe.Pointer(p), p); err != nil {
			s.fail(ctx, w, r, s.refused(ctx, err))
			return ctx
		}
		req = *p
	}
	resp, err := s.f(ctx, req)
	if err != nil {
		s.fail(ctx, w, r, err)
		return ctx
	}
	for _, f := range s.cfg.after {
		ctx = f(ctx, w)
	}
	s.respond(ctx, w, r, resp)
	return ctx
}

// refusedKey carries a refused request's error to WithMiddleware's chain.
type refusedKey struct{}

// refused runs WithMiddleware's chain for a request refused with err and
// returns the error to answer with.
func (s *Server[Req, Resp]) refused(ctx context.Context, err error) error {
	if s.refuse == nil {
		return err
	}
	_, cerr := s.refuse(context.WithValue(ctx, refusedKey{}, err), nil)
	if cerr == nil {
		return err // a middleware swallowed it; the request is still refused
	}
	return cerr
}

// respond writes resp as JSON. encoding/json marshals the whole value
// before its single Write, and the status goes out with that Write, so a
// value that cannot be encoded still becomes a clean 500.
func (s *Server[Req, Resp]) respond(ctx context.Context, w http.ResponseWriter, r *http.Request, resp Resp) {
	status := s.cfg.status
	if s.statusCoder {
		if sc, ok := any(resp).(kithttp.StatusCoder); ok && sc.StatusCode() != 0 {
			status = sc.StatusCode()
		}
	}
	h := w.Header()
	if s.headerer {
		if hd, ok := any(resp).(kithttp.Headerer); ok {
			for k, vs := range hd.Headers() {
				for _, v := range vs {
					h.Add(k, v)
				}
			}
		}
	}
	if status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	// The key is canonical already: skip Set's canonicalization, which
	// costs about as much as the rest of this function on a small answer.
	h["Content-Type"] = []string{"application/json"}
	if s.nilAnswer != nil && *(*unsafe.Pointer)(unsafe.Pointer(&resp)) == nil {
		// A nil list is an empty one to clients: [] as the document says,
		// not null.
		w.WriteHeader(status)
		_, _ = w.Write(s.nilAnswer)
		return
	}
	if s.flat != nil {
		// The same bytes encoding/json writes, in one Write; it cannot fail.
		e := s.scratch.Get().(*scratch)
		e.buf = s.flat.appendJSON(e.buf[:0], unsafe.Pointer(&resp))
		if status != http.StatusOK {
			w.WriteHeader(status)
		}
		_, _ = w.Write(e.buf)
		if cap(e.buf) > maxKeptBuffer {
			e.buf = nil
		}
		s.scratch.Put(e)
		return
	}
	var err error
	if status == http.StatusOK {
		// The first Write sends the implicit 200, as in a bare handler.
		err = json.NewEncoder(w).Encode(resp)
	} else {
		e := s.scratch.Get().(*scratch)
		e.out.w, e.out.status = w, status
		err = e.enc.Encode(resp)
		e.out.w, e.out.wrote = nil, false
		s.scratch.Put(e)
	}
	if err != nil && isMarshalError(err) {
		s.fail(ctx, w, r, errs.Internal(fmt.Errorf("encode %T: %w", resp, err)))
	}
}

// isMarshalError tells an answer that could not be encoded (and so was not
// written) from a failed write to a client that went away.
func isMarshalError(err error) bool {
	var (
		te *json.UnsupportedTypeError
		ve *json.UnsupportedValueError
		me *json.MarshalerError
	)
	return errors.As(err, &te) || errors.As(err, &ve) || errors.As(err, &me)
}

// fail reports err to the error handler and the log (server faults only)
// and writes it to the client.
func (s *Server[Req, Resp]) fail(ctx context.Context, w http.ResponseWriter, r *http.Request, err error) {
	if s.cfg.errorHandler != nil {
		s.cfg.errorHandler.Handle(ctx, err)
	}
	if k := errs.KindOf(err); k == errs.KindInternal {
		s.cfg.logger.ErrorContext(ctx, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	s.writeError(ctx, w, r, err)
}

func (s *Server[Req, Resp]) writeError(ctx context.Context, w http.ResponseWriter, r *http.Request, err error) {
	if s.cfg.errorEncoder != nil {
		s.cfg.errorEncoder(ctx, err, w)
		return
	}
	WriteProblem(w, r, err, 0)
}

// recoverPanic turns a panic below ServeHTTP into a logged 500. It
// re-panics http.ErrAbortHandler, which net/http uses to abort quietly.
func (s *Server[Req, Resp]) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	err := errs.Internal(fmt.Errorf("panic: %v", v))
	s.cfg.logger.ErrorContext(r.Context(), "panic serving request",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
	if s.cfg.errorHandler != nil {
		s.cfg.errorHandler.Handle(r.Context(), err)
	}
	s.writeError(r.Context(), w, r, err)
}

// recorder remembers the status and size of an answer for go-kit
// finalizers.
type recorder struct {
	http.ResponseWriter
	code    int
	written int64
}

func (rw *recorder) WriteHeader(code int) { rw.code = code; rw.ResponseWriter.WriteHeader(code) }

func (rw *recorder) Write(b []byte) (int, error) {
	n, err := rw.ResponseWriter.Write(b)
	rw.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
