package productclient

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/errs"
)

// An unavailable product service (no instance, every breaker open) tells
// the order service's callers when to try again; other kinds pass as the
// product service sent them.
func TestFromStatus(t *testing.T) {
	err := fromStatus(status.Error(codes.Unavailable, "no children to pick from"))
	if errs.KindOf(err) != errs.KindUnavailable || errs.RetryAfterOf(err) != time.Second {
		t.Errorf("Unavailable: kind %v, retry after %v; want Unavailable, 1s", errs.KindOf(err), errs.RetryAfterOf(err))
	}
	err = fromStatus(status.Error(codes.NotFound, "product x"))
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindNotFound || e.Message != "product x" {
		t.Errorf("NotFound: got %#v", err)
	}
}
