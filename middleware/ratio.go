package middleware

import (
	"fmt"
	"strconv"
)

// Ratio is a fraction from 0 to 1 that may be left unset: its zero value
// is unset, which a configuration file, variable or flag can tell apart
// from an explicit 0. It reads and writes as a decimal number, "" for
// unset.
type Ratio struct {
	v   float64
	set bool
}

// NewRatio returns the ratio v, set. It panics if v is outside [0, 1].
func NewRatio(v float64) Ratio {
	if !(v >= 0 && v <= 1) {
		panic(fmt.Sprintf("middleware: ratio %v outside [0, 1]", v))
	}
	return Ratio{v, true}
}

// Get returns the ratio and whether it is set.
func (r Ratio) Get() (float64, bool) { return r.v, r.set }

// UnmarshalText reads a decimal number from 0 to 1, or "" for unset.
func (r *Ratio) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = Ratio{}
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || !(v >= 0 && v <= 1) {
		return fmt.Errorf("got %q, want a number from 0 to 1", b)
	}
	*r = Ratio{v, true}
	return nil
}

// MarshalText writes the ratio, or nothing when unset.
func (r Ratio) MarshalText() ([]byte, error) {
	if !r.set {
		return nil, nil
	}
	return strconv.AppendFloat(nil, r.v, 'g', -1, 64), nil
}
