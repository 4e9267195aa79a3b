// Package postgrestest gives each test a PostgreSQL database of its own on
// the server named by GANTRY_TEST_POSTGRES_DSN (a user that may create
// databases), dropped when the test ends. Without the variable a test
// skips, saying how to run it; under CI=true it fails instead, so that CI
// never passes by skipping.
package postgrestest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// EnvDSN names the variable holding the server's DSN, a postgres:// URL.
const EnvDSN = "GANTRY_TEST_POSTGRES_DSN"

// DSN creates a new, empty database for the test and returns its DSN.
func DSN(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvDSN)
	if server == "" {
		const how = " is not set: point it at a throwaway PostgreSQL, e.g. docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=secret postgres:17 and " +
			EnvDSN + "=postgres://postgres:secret@localhost:5432/postgres?sslmode=disable"
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvDSN + how)
		}
		t.Skip(EnvDSN + how)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	var suffix [8]byte
	_, _ = rand.Read(suffix[:])
	name := "test_" + hex.EncodeToString(suffix[:]) // no quoting needed
	exec(t, server, "CREATE DATABASE "+name)
	t.Cleanup(func() { exec(t, server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u.Path = "/" + name
	return u.String()
}

func exec(t testing.TB, dsn, stmt string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
