// Package pgtest gives each test a PostgreSQL database of its own on the
// server named by GANTRY_TEST_POSTGRES_DSN: the throwaway cluster that
// .ci/run starts, or that a developer starts with eval "$(.ci/pg start)".
//
// Without the variable a test skips, saying how to run it; under CI=true it
// fails instead, so that CI never passes by skipping.
package pgtest
