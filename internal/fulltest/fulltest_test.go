package fulltest_test

import (
	"testing"

	"github.com/gantrykit/gantry/internal/fulltest"
)

func TestRequireSkipsWithoutTheVariable(t *testing.T) {
	t.Setenv(fulltest.Env, "")
	ran := false
	t.Run("heavy", func(t *testing.T) {
		fulltest.Require(t, "something slow")
		ran = true
	})
	if ran || fulltest.Enabled() {
		t.Fatal("a heavy test ran without " + fulltest.Env)
	}
}

func TestRequireRunsWithTheVariable(t *testing.T) {
	if testing.Short() {
		t.Skip("Require skips under -short")
	}
	t.Setenv(fulltest.Env, "1")
	ran := false
	t.Run("heavy", func(t *testing.T) {
		fulltest.Require(t, "something slow")
		ran = true
	})
	if !ran {
		t.Fatal("a heavy test did not run with " + fulltest.Env + "=1")
	}
}
