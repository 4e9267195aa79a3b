package fulltest

import (
	"os"
	"testing"
)

// Env is the variable that turns the heavy acceptance tests on.
const Env = "GANTRY_TEST_FULL"

// Enabled reports whether Env is set to 1. It does not look at -short, so
// that TestMain may call it before the flags are parsed; Require does.
func Enabled() bool { return os.Getenv(Env) == "1" }

// Require skips t unless the heavy tests are on (Env=1 and no -short).
// what says what the test does that makes it heavy; the skip message names
// the variable, so that whoever reads it knows how to run the test.
func Require(t testing.TB, what string) {
	t.Helper()
	if !Enabled() {
		t.Skipf("%s: heavy acceptance, run with %s=1 (.ci/run sets it)", what, Env)
	}
	if testing.Short() {
		t.Skipf("%s: heavy acceptance, skipped with -short", what)
	}
}
