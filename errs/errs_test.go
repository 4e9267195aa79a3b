package errs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
	"google.golang.org/grpc/codes"
)

type outOfStock struct{ sku string }

func (e outOfStock) Error() string        { return "out of stock: " + e.sku }
func (e outOfStock) ErrorKind() errs.Kind { return errs.KindFailedPrecondition }

func TestKindOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errs.Kind
	}{
		{"constructor", errs.NotFound("order %d", 7), errs.KindNotFound},
		{"wrapped", fmt.Errorf("load: %w", errs.Conflict("dup")), errs.KindConflict},
		{"kinder", fmt.Errorf("x: %w", outOfStock{"a"}), errs.KindFailedPrecondition},
		{"bare kind", fmt.Errorf("x: %w", errs.KindUnavailable), errs.KindUnavailable},
		{"plain", errors.New("db password is hunter2"), errs.KindInternal},
		{"deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), errs.KindDeadlineExceeded},
		{"canceled", context.Canceled, errs.KindCanceled},
		{"nil", nil, errs.KindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("handler: %w", errs.NotFound("user %q", "bob"))
	if !errors.Is(err, errs.KindNotFound) {
		t.Error("errors.Is(err, KindNotFound) = false, want true")
	}
	if errors.Is(err, errs.KindConflict) {
		t.Error("errors.Is(err, KindConflict) = true, want false")
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Message != `user "bob"` {
		t.Errorf("errors.As message = %v, want user \"bob\"", e)
	}
	cause := errors.New("disk full")
	if w := errs.Wrap(errs.KindUnavailable, cause, "store down"); !errors.Is(w, cause) {
		t.Error("Wrap lost its cause")
	}
}

// The table's gRPC codes are grpc-go's: errs holds them as numbers so as
// not to import grpc-go.
func TestGRPCCodesAreGRPCGos(t *testing.T) {
	want := map[errs.Kind]codes.Code{
		errs.KindInternal: codes.Internal, errs.KindInvalidArgument: codes.InvalidArgument,
		errs.KindNotFound: codes.NotFound, errs.KindConflict: codes.AlreadyExists,
		errs.KindFailedPrecondition: codes.FailedPrecondition, errs.KindUnauthenticated: codes.Unauthenticated,
		errs.KindPermissionDenied: codes.PermissionDenied, errs.KindTooManyRequests: codes.ResourceExhausted,
		errs.KindUnavailable: codes.Unavailable, errs.KindDeadlineExceeded: codes.DeadlineExceeded,
		errs.KindCanceled: codes.Canceled,
	}
	for k, c := range want {
		if got := codes.Code(k.GRPCCode()); got != c {
			t.Errorf("%v.GRPCCode() = %v, want %v", k, got, c)
		}
	}
	for c, k := range map[codes.Code]errs.Kind{codes.OutOfRange: errs.KindInvalidArgument, codes.Aborted: errs.KindConflict,
		codes.Unknown: errs.KindInternal, codes.Unimplemented: errs.KindInternal, codes.DataLoss: errs.KindInternal} {
		if got := errs.KindFromGRPC(uint32(c)); got != k {
			t.Errorf("KindFromGRPC(%v) = %v, want %v", c, got, k)
		}
	}
}

func TestTableIsComplete(t *testing.T) {
	seenHTTP := map[int]errs.Kind{}
	for k := errs.KindInternal; k <= errs.KindCanceled; k++ {
		if k.String() == "" || k.Title() == "" || k.HTTPStatus() < 400 {
			t.Errorf("kind %d has an incomplete row", k)
		}
		if prev, dup := seenHTTP[k.HTTPStatus()]; dup {
			t.Errorf("kinds %v and %v share HTTP status %d", prev, k, k.HTTPStatus())
		}
		seenHTTP[k.HTTPStatus()] = k
		// Every kind survives a round trip through each wire form.
		if got := errs.KindFromHTTP(k.HTTPStatus()); got != k {
			t.Errorf("KindFromHTTP(%d) = %v, want %v", k.HTTPStatus(), got, k)
		}
		if got := errs.KindFromGRPC(k.GRPCCode()); got != k {
			t.Errorf("KindFromGRPC(%v) = %v, want %v", k.GRPCCode(), got, k)
		}
		if got, ok := errs.ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	if errs.KindFromGRPC(uint32(codes.Unknown)) != errs.KindInternal {
		t.Error("unknown gRPC code should be internal")
	}
}

func TestProblemHidesInternalText(t *testing.T) {
	p := errs.ToProblem(fmt.Errorf("query: %w", errors.New("password=hunter2")))
	if p.Status != http.StatusInternalServerError || p.Detail != "" || p.Code != "internal" {
		t.Errorf("problem = %+v, want a bare 500", p)
	}
	p = errs.ToProblem(errs.Internal(errors.New("secret")))
	if p.Detail != "" {
		t.Errorf("internal detail leaked: %q", p.Detail)
	}
}

func TestProblemRoundTrip(t *testing.T) {
	in := errs.InvalidField("email", "must contain @")
	p := errs.ToProblem(in)
	if p.Status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "email" {
		t.Fatalf("problem = %+v", p)
	}
	out := p.Err()
	if out.Kind != errs.KindInvalidArgument || out.Fields[0].Field != "email" || out.Message != in.Message {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}
	rl := errs.ToProblem(errs.TooManyRequests(1500*time.Millisecond, "slow down"))
	if got := errs.RetryAfterSeconds(rl.RetryAfter); got != "2" {
		t.Errorf("Retry-After = %q, want 2", got)
	}
	if got := errs.RetryAfterSeconds(0); got != "" {
		t.Errorf("Retry-After(0) = %q, want empty", got)
	}
}

func TestKindPredicates(t *testing.T) {
	if !errs.KindUnavailable.Retryable() || errs.KindInvalidArgument.Retryable() {
		t.Error("Retryable is wrong")
	}
	if !errs.KindNotFound.CallerFault() || errs.KindInternal.CallerFault() || errs.KindDeadlineExceeded.CallerFault() {
		t.Error("CallerFault is wrong")
	}
}
