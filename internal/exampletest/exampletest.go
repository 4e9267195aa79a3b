// Package exampletest runs an example's program in tests as a separate
// process, as a new user would run it: started on free loopback ports, its
// addresses read from the runtime's "serving" log line.
//
// An example's own tests (Main) need no go build: the test binary, which
// links the example's package main, is started again and runs the
// example's main function. Commands in other packages are built with
// Build.
package exampletest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/fulltest"
)

// Build compiles the main package in dir (relative to the test's working
// directory) into a temporary directory and returns the binary's path. Call
// it from TestMain, for commands whose package main is not the test's own
// (an example's own tests use Main); call cleanup when done.
func Build(pkgDir string) (binary string, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "example-bin")
	if err != nil {
		return "", nil, err
	}
	binary = filepath.Join(tmp, filepath.Base(mustAbs(pkgDir)))
	out, err := exec.Command("go", "build", "-o", binary, pkgDir).CombinedOutput()
	if err != nil {
		os.RemoveAll(tmp)
		return "", nil, &BuildError{Output: string(out), Err: err}
	}
	return binary, func() { os.RemoveAll(tmp) }, nil
}

// BuildError is a failed go build with its output.
type BuildError struct {
	Output string
	Err    error
}

// Error returns the build failure with the compiler's output.
func (e *BuildError) Error() string { return "go build: " + e.Err.Error() + "\n" + e.Output }

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// Proc is a running example process.
type Proc struct {
	Cmd      *exec.Cmd
	HTTPURL  string // http://host:port of the service listener
	AdminURL string // http://host:port of the admin listener

	done chan struct{} // closed when the process has exited
	err  error         // its exit error, set before done closes

	mu   sync.Mutex
	logs []string
}

// Start runs binary with the runtime's listeners on free loopback ports, a
// 10 ms drain delay and the extra environment (KEY=VALUE, later wins), and
// waits until it logs that it serves. The process is killed at the end of
// the test if it is still running.
func Start(t testing.TB, binary string, env ...string) *Proc {
	t.Helper()
	return StartService(t, binary, "", env...)
}

// StartService is Start for a binary that runs several Apps: it takes the
// addresses from the "serving" line of the App named service ("" for the
// first App that serves).
//
// An empty binary is one a TestMain left unbuilt because the heavy tests
// are off (internal/fulltest): the test skips, saying how to run it.
func StartService(t testing.TB, binary, service string, env ...string) *Proc {
	t.Helper()
	if binary == "" {
		fulltest.Require(t, "starts separate processes")
		t.Fatal("exampletest: no binary to start (TestMain did not build it)")
	}
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), runMainEnv+"="+binary, "GANTRY_HTTP_ADDR=127.0.0.1:0", "GANTRY_ADMIN_ADDR=127.0.0.1:0", "GANTRY_DRAIN_DELAY=10ms")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{Cmd: cmd, done: make(chan struct{})}
	addrs := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs = append(p.logs, line)
			p.mu.Unlock()
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "serving" && (service == "" || rec["service"] == service) {
				h, _ := rec["http_addr"].(string)
				a, _ := rec["admin_addr"].(string)
				select {
				case addrs <- [2]string{h, a}:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	select {
	case a := <-addrs:
		p.HTTPURL, p.AdminURL = "http://"+a[0], "http://"+a[1]
	case <-p.done:
		t.Fatalf("%s exited before serving: %v\n%s", binary, p.err, p.Logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not log its addresses\n%s", binary, p.Logs())
	}
	return p
}

// Logs returns what the process has written to stderr so far.
func (p *Proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

// Wait waits up to d for the process to exit and returns its exit error;
// it fails the test if the process is still running after d.
func (p *Proc) Wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		t.Fatalf("process still running after %v", d)
		return nil
	}
}

// Do sends one request and returns the answer with its whole body.
func Do(t testing.TB, method, url, contentType string, body io.Reader, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// Promtool checks a Prometheus exposition with promtool check metrics. It
// skips the test when promtool is missing, unless CI is set.
func Promtool(t testing.TB, exposition []byte) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not found; .ci/run installs Debian's prometheus package")
		}
		t.Skip("promtool not found: apt-get install prometheus")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(string(exposition))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

// CheckSnippets keeps a tutorial honest: every ```go block in readme must
// appear, line for line, in one of the source files.
func CheckSnippets(t testing.TB, readme string, sources ...string) {
	t.Helper()
	doc, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, s := range sources {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	blocks := strings.Split(string(doc), "```go\n")
	if len(blocks) < 2 {
		t.Fatalf("%s has no Go snippets", readme)
	}
	for _, b := range blocks[1:] {
		snippet, _, ok := strings.Cut(b, "```")
		if !ok {
			t.Errorf("%s: unterminated Go snippet", readme)
			continue
		}
		if !strings.Contains(src.String(), snippet) {
			t.Errorf("%s snippet not found in %v:\n%s", readme, sources, snippet)
		}
	}
}

// LogField returns the value of key on the first JSON log line whose msg is
// msg, waiting up to 10 s for it to be written.
func (p *Proc) LogField(t testing.TB, msg, key string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		p.mu.Lock()
		lines := append([]string(nil), p.logs...)
		p.mu.Unlock()
		for _, line := range lines {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
				if v, ok := rec[key].(string); ok {
					return v
				}
			}
		}
	}
	t.Fatalf("no log line with msg %q and %s in:\n%s", msg, key, p.Logs())
	return ""
}

// runMainEnv, set to the path of the binary Start runs, tells a test
// binary started by Start to be the example's program (see Main). A binary
// built by Build ignores it, and so does a test binary at another path: a
// value left in a developer's environment does not turn go test's own run
// into the program.
const runMainEnv = "GANTRY_EXAMPLETEST_RUN_MAIN"

// Main is the TestMain of an example's package main. Run by go test, it
// sets *binary to the test binary itself and runs the tests. Started
// again by Start, it runs main, the example's own main function (the one
// go build links into the example's binary), and exits 0 when main
// returns, as the built program would; no test runs in that process.
//
//	var binary string
//
//	func TestMain(m *testing.M) { exampletest.Main(m, &binary, main) }
func Main(m *testing.M, binary *string, main func()) {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "exampletest:", err)
		os.Exit(1)
	}
	if os.Getenv(runMainEnv) == self {
		main()
		os.Exit(0)
	}
	*binary = self
	os.Exit(m.Run())
}
