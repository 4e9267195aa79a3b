package errs_test

import (
	"errors"
	"fmt"

	"github.com/gantrykit/gantry/errs"
)

func Example() {
	err := fmt.Errorf("get order: %w", errs.NotFound("order %d not found", 42))

	fmt.Println(errors.Is(err, errs.KindNotFound))
	p := errs.ToProblem(err)
	fmt.Println(p.Status, p.Code, p.Detail)

	// Plain errors are internal, and their text stays out of the answer.
	p = errs.ToProblem(errors.New("dial tcp 10.0.0.7:5432: connection refused"))
	fmt.Printf("%d %s %q\n", p.Status, p.Code, p.Detail)
	// Output:
	// true
	// 404 not_found order 42 not found
	// 500 internal ""
}
