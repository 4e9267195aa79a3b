package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable holding the DSN of a PostgreSQL server whose
// user may create databases. Tests never write to the database it names:
// each gets a new one.
const EnvDSN = "GANTRY_TEST_POSTGRES_DSN"

// ServerDSN returns the server's DSN from EnvDSN, or skips the test (fails
// it under CI=true) when the variable is unset.
func ServerDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn != "" {
		return dsn
	}
	const how = ` is not set: from the repository root, eval "$(.ci/pg start)" starts a throwaway PostgreSQL (needs its server binaries: apt-get install postgresql) and .ci/pg stop removes it`
	if os.Getenv("CI") == "true" {
		t.Fatal(EnvDSN + how + "; .ci/run starts one in CI")
	}
	t.Skip(EnvDSN + how)
	return ""
}

// DSN creates a new, empty database on the server for this test and
// returns its DSN; the database is dropped (connections and all) when the
// test ends. Each call makes another database.
func DSN(t testing.TB) string {
	t.Helper()
	server := ServerDSN(t)
	name := dbName(t.Name())
	ident := pgx.Identifier{name}.Sanitize()
	if err := execSQL(server, "CREATE DATABASE "+ident); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := execSQL(server, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	dsn, err := WithDatabase(server, name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// WithDatabase returns dsn (a postgres:// URL or key=value pairs) pointing
// at database name instead.
func WithDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("pgtest: %s: %w", EnvDSN, err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
}

func execSQL(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// dbName makes a database name from a test name: lower case letters,
// digits and underscores, a random suffix, at most 63 bytes.
func dbName(test string) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range strings.ToLower(test) {
		if b.Len() >= 44 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	return b.String() + "_" + hex.EncodeToString(suffix[:])
}
