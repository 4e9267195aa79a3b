package pgtest

import (
	"context"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/fulltest"

	"github.com/jackc/pgx/v5"
)

func TestPostgresDatabasePerTest(t *testing.T) {
	server := ServerDSN(t)
	var names []string
	t.Run("inner", func(t *testing.T) {
		for range 2 {
			conn, err := pgx.Connect(context.Background(), DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			var name string
			var tables int
			if err := conn.QueryRow(context.Background(),
				`SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')`).Scan(&name, &tables); err != nil {
				t.Fatal(err)
			}
			conn.Close(context.Background())
			if tables != 0 || !strings.HasPrefix(name, "t_testpostgresdatabasepertest") {
				t.Errorf("database %s with %d tables, want a new empty one named after the test", name, tables)
			}
			names = append(names, name)
		}
	})
	if len(names) != 2 || names[0] == names[1] {
		t.Fatalf("databases %v, want two different ones", names)
	}
	conn, err := pgx.Connect(context.Background(), server)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var left int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_database WHERE datname = ANY($1)`, names).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d of the test's databases left after it ended, want 0", left)
	}
}

func TestDBName(t *testing.T) {
	long := strings.Repeat("Ab/c ", 40)
	for _, in := range []string{"TestX", long, "Test/ü-名"} {
		got := dbName(in)
		if len(got) > 63 || strings.Trim(got, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			t.Errorf("dbName(%q) = %q, want at most 63 of [a-z0-9_]", in, got)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:p@127.0.0.1:5/postgres?sslmode=disable": "postgres://u:p@127.0.0.1:5/x?sslmode=disable",
		"host=127.0.0.1 user=u":                               "host=127.0.0.1 user=u dbname=x",
	} {
		if got, err := WithDatabase(in, "x"); err != nil || got != want {
			t.Errorf("WithDatabase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestPostgresServerFastRestart(t *testing.T) {
	fulltest.Require(t, "starts, kills and restarts a PostgreSQL cluster")
	s := StartServer(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	if err := s.FastRestart(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Ping(ctx); err == nil {
		t.Error("the old session still answers after a fast restart, want it cut")
	}
	conn2, err := pgx.Connect(ctx, s.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(ctx)
	var n int
	if err := conn2.QueryRow(ctx, `SELECT n FROM kept`).Scan(&n); err != nil || n != 7 {
		t.Errorf("after the restart: %d, %v; want the committed row, 7", n, err)
	}
}
