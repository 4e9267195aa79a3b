package lb

import (
	"math"
	"testing"
)

func TestDecayMatchesExp(t *testing.T) {
	for _, x := range []float64{0, 1e-9, 1e-4, 0.01, 0.0624, 1.0 / 16, 0.07, 0.5, 1, 3, 50} {
		got, want := decay(x), math.Exp(-x)
		if math.Abs(got-want) > 1e-6*want {
			t.Errorf("decay(%g): got %.9f, want %.9f", x, got, want)
		}
	}
}
