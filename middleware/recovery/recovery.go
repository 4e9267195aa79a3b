package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/errs"
)

// PanicError is the cause of the Internal error that a recovered panic
// becomes: the panic value and the stack of the panicking goroutine.
type PanicError struct {
	Op    string
	Value any
	Stack []byte
}

// Error describes the panic without its stack.
func (p *PanicError) Error() string { return fmt.Sprintf("panic in %s: %v", p.Op, p.Value) }

// Unwrap returns the panic value when it is an error.
func (p *PanicError) Unwrap() error {
	if err, ok := p.Value.(error); ok {
		return err
	}
	return nil
}

// Recovery makes recovering middleware for named operations. It is safe for
// concurrent use and holds no per-operation state.
type Recovery struct {
	logger *slog.Logger
}

// Option configures a Recovery.
type Option func(*Recovery)

// WithLogger sets the logger that receives the panic value and stack. A nil
// logger (the default) logs nothing.
func WithLogger(l *slog.Logger) Option { return func(r *Recovery) { r.logger = l } }

// New returns a Recovery.
func New(opts ...Option) *Recovery {
	r := &Recovery{}
	for _, o := range opts {
		o(r)
	}
	return r
}

// For returns middleware for the operation op: a panic below it becomes a
// *errs.Error of kind Internal, with a *PanicError as its cause.
func (r *Recovery) For(op string) kitendpoint.Middleware {
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (resp any, err error) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler { //nolint:errorlint // sentinel identity is the contract
						panic(v)
					}
					resp, err = nil, r.recovered(ctx, op, v)
				}
			}()
			return next(ctx, req)
		}
	}
}

func (r *Recovery) recovered(ctx context.Context, op string, v any) error {
	p := &PanicError{Op: op, Value: v, Stack: debug.Stack()}
	if r.logger != nil {
		r.logger.LogAttrs(ctx, slog.LevelError, "panic recovered",
			slog.String("op", op), slog.String("panic", fmt.Sprint(v)),
			slog.String("stack", string(p.Stack)))
	}
	return &errs.Error{Kind: errs.KindInternal, Message: "internal error", Err: p}
}

// IsPanic reports whether err came from a recovered panic.
func IsPanic(err error) bool {
	var p *PanicError
	return errors.As(err, &p)
}
