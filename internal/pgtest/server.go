package pgtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Server is a PostgreSQL cluster of the test's own, for tests that stop or
// restart the server (the shared one in EnvDSN must stay up for others).
type Server struct {
	// DSN reaches the server's postgres database as its superuser.
	DSN string
	dir string
	pg  string
}

// StartServer starts a throwaway cluster with .ci/pg (durable: fsync on)
// and stops and removes it when the test ends. It skips the test (fails it
// under CI=true) when PostgreSQL's server binaries are missing.
func StartServer(t testing.TB) *Server {
	t.Helper()
	pg, err := script()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pg, "start")
	cmd.Env = append(os.Environ(), "GANTRY_TEST_POSTGRES_DURABLE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := fmt.Sprintf("pgtest: .ci/pg start: %v\n%s", err, stderr.String())
		if strings.Contains(stderr.String(), "no PostgreSQL server binaries") && os.Getenv("CI") != "true" {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	s := &Server{pg: pg}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		v = strings.Trim(v, "'")
		switch k {
		case EnvDSN:
			s.DSN = v
		case "GANTRY_TEST_POSTGRES_DIR":
			s.dir = v
		}
	}
	if s.DSN == "" || s.dir == "" {
		t.Fatalf("pgtest: .ci/pg start printed no DSN and directory:\n%s", out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(pg, "stop", s.dir).CombinedOutput(); err != nil {
			t.Errorf("pgtest: .ci/pg stop: %v\n%s", err, out)
		}
	})
	return s
}

// FastRestart restarts the server as pg_ctl restart -m fast does: every
// session is cut, in-flight transactions roll back, and it is back, on the
// same port, when FastRestart returns.
func (s *Server) FastRestart() error {
	if out, err := exec.Command(s.pg, "restart", s.dir).CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: .ci/pg restart: %v\n%s", err, out)
	}
	return nil
}

// script finds .ci/pg in the working directory or one above it (a test
// runs in its package's directory inside the repository).
func script() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, ".ci", "pg")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("pgtest: no .ci/pg in the working directory or above it")
		}
		dir = parent
	}
}
