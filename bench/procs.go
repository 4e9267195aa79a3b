package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// env is one harness run: a scratch directory, the binaries built into it
// and the server processes it started, which stop() ends.
type env struct {
	dir    string // the bench module
	tmp    string
	bins   map[string]string
	procs  []*exec.Cmd
	logw   io.Writer
	closed bool
}

// build compiles a main package (a path relative to the bench module, or
// an import path) once and returns the binary's path.
func (e *env) build(ctx context.Context, pkg string) (string, error) {
	if p, ok := e.bins[pkg]; ok {
		return p, nil
	}
	out := filepath.Join(e.tmp, strings.NewReplacer("/", "_", ".", "_").Replace(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = e.dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	e.bins[pkg] = out
	return out, nil
}

// start runs a binary pinned to core 0 (taskset execs it: the pid is the
// server's) with its output in a log file, and returns the pid.
func (e *env) start(name string, extraEnv []string, bin string, args ...string) (int, error) {
	logf, err := os.Create(filepath.Join(e.tmp, name+".log"))
	if err != nil {
		return 0, err
	}
	cmd := exec.Command("taskset", append([]string{"-c", "0", bin}, args...)...)
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return 0, err
	}
	go func() { _ = cmd.Wait(); logf.Close() }()
	e.procs = append(e.procs, cmd)
	return cmd.Process.Pid, nil
}

// logTail returns the end of a server's log, for error messages.
func (e *env) logTail(name string) string {
	b, _ := os.ReadFile(filepath.Join(e.tmp, name+".log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// stop sends SIGTERM to every server it started, waits up to 5 s for each,
// then kills what is left.
func (e *env) stop() {
	if e.closed {
		return
	}
	e.closed = true
	for _, c := range e.procs {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, c := range e.procs {
		for time.Now().Before(deadline) && alive(c.Process.Pid) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(c.Process.Pid) {
			_ = c.Process.Kill()
		}
	}
}

// alive reports whether pid is still running (not yet reaped, and not a
// zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitHTTP polls url until it answers 200, for at most 30 s.
func waitHTTP(ctx context.Context, url string, headers ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last string
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Set(k, strings.TrimSpace(v))
		}
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			last = res.Status
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s never answered 200 (last: %s)", url, last)
}

// waitTCP polls addr until it accepts a connection, for at most 30 s.
func waitTCP(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s never accepted a connection", addr)
}

// cpuTicks is the user+system CPU time of pid in clock ticks (1/100 s), or
// -1 when it cannot be read.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}
