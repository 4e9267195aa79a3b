package productclient

import (
	"errors"
	"fmt"
	"testing"

	kitlb "github.com/go-kit/kit/sd/lb"

	"github.com/gantrykit/gantry/errs"
)

func TestNoInstance(t *testing.T) {
	if got := errs.KindOf(noInstance(fmt.Errorf("lookup: %w", kitlb.ErrNoEndpoints))); got != errs.KindUnavailable {
		t.Errorf("kind of no instance = %v, want Unavailable", got)
	}
	nf := errs.NotFound("product x")
	if got := noInstance(nf); !errors.Is(got, nf) {
		t.Errorf("noInstance(NotFound) = %v, want it unchanged", got)
	}
	if noInstance(nil) != nil {
		t.Error("noInstance(nil) != nil")
	}
}
