package conformance

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// clientWait is how long the suite waits for a front: for an answer, a
// close, a probe's answer, a tunnel's echo. The upstreams run in the test
// process, which on a loaded machine (the race detector, every package's
// tests at once on two cores) can pause for seconds; so the fronts give
// an upstream 5 s (the gateway's route timeouts) or 3 s (nginx's
// proxy_read_timeout: some bad answers keep nginx waiting that long)
// before answering 504, and the client waits longer than both.
const clientWait = 6 * time.Second

// Upstreams are the suite's two upstreams, which every front routes to:
//
//	/private...  → Echo, only with a valid token (the gateway's jwt route;
//	               nginx answers 401 itself)
//	/ws...       → Echo, WebSocket upgrades allowed
//	/script/...  → Script
//	everything else → Echo
type Upstreams struct {
	Echo, Script string // host:port
}

// Front is a front under test: Start serves it on loopback, routing to
// up as Upstreams says, and returns its host:port. Reference marks a
// front whose answers may differ where a vector says (Vector.Nginx).
type Front struct {
	Name      string
	Reference bool
	Start     func(t testing.TB, up Upstreams) string
}

// Run runs every vector against the front, one at a time, and prints one
// line per vector and then "N passed, N failed", as one block when it
// returns (fronts may run in parallel). A failed vector fails t.
func Run(t *testing.T, f Front) {
	var report bytes.Buffer
	defer func() { _, _ = os.Stdout.Write(report.Bytes()) }()
	echoUp := newUpstream(t, echo)
	scripts := map[string][]Step{}
	for _, v := range Vectors() {
		if v.Script != nil {
			scripts[v.Name] = v.Script
		}
	}
	scriptUp := newUpstream(t, script(scripts))
	addr := f.Start(t, Upstreams{Echo: echoUp.addr(), Script: scriptUp.addr()})
	out := io.Writer(&report)
	passed, failed, weaker := 0, 0, 0
	for _, v := range Vectors() {
		problems := runVector(addr, v, f.Reference, echoUp, scriptUp)
		if len(problems) == 0 {
			passed++
			fmt.Fprintf(out, "ok    %-8s %-14s %s\n", f.Name, v.Class, v.Name)
			continue
		}
		if f.Reference && v.NginxWeaker != "" {
			weaker++
			fmt.Fprintf(out, "weak  %-8s %-14s %s: %s (%s)\n", f.Name, v.Class, v.Name, v.NginxWeaker, strings.Join(problems, "; "))
			continue
		}
		failed++
		fmt.Fprintf(out, "FAIL  %-8s %-14s %s: %s\n", f.Name, v.Class, v.Name, strings.Join(problems, "; "))
		t.Errorf("%s: %s", v.Name, strings.Join(problems, "; "))
	}
	if weaker > 0 {
		fmt.Fprintf(out, "%s: %d of the failures are where the reference is known to be weaker than the gateway (\"weak\" above); %d unexpected\n",
			f.Name, weaker, failed)
	}
	fmt.Fprintf(out, "%s: %d passed, %d failed\n", f.Name, passed, failed+weaker)
}

// runVector sends one vector and returns what went wrong.
func runVector(addr string, v Vector, reference bool, echoUp, scriptUp *upstream) (problems []string) {
	echoUp.take()
	scriptUp.take()
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return []string{err.Error()}
	}
	defer c.Close()
	br := bufio.NewReader(c)
	if _, err := io.WriteString(c, strings.ReplaceAll(v.Send, "{name}", v.Name)); err != nil {
		fail("send: %v", err)
	}
	want, up := v.Want, v.Up
	if reference && v.Nginx != nil {
		want, up = v.Nginx, nil
	}
	got := readAnswers(c, br, want)
	if !match(want, got) {
		fail("answers %v, want %v", got, want)
	}
	open := len(got) == 0 || got[len(got)-1] != "cut"
	if open && v.Tunnel != "" {
		if echoed := tunnel(c, br, v.Tunnel); echoed != v.Tunnel {
			fail("tunnel echoed %q, want %q", echoed, v.Tunnel)
		}
		open = false
	}
	probePath := "/probe/" + v.Name
	if v.Script != nil {
		probePath = "/script/echo/" + v.Name
	}
	if v.Late {
		// The upstream has written its late bytes (a fixed sleep is not
		// enough on a loaded machine: its own 50 ms sleep may end much
		// later), and the front has had time to read them on its idle
		// connection before the probe asks it to reuse one.
		if !scriptUp.answered(10 * time.Second) {
			fail("the script upstream did not finish its answer within 10s")
		}
		time.Sleep(150 * time.Millisecond)
	}
	switch {
	case open && v.Close && !reference:
		if !closed(c, br) {
			fail("connection left open after the answer")
		}
	case open:
		if p := probe(c, br, probePath+"/same", "p1"); p != "" && p != "closed" {
			fail("probe on the same connection: %s", p)
		}
	}
	// Two probes on new connections: a pooled upstream connection left
	// out of step would answer them with someone else's bytes.
	for i := range 2 {
		pc, err := net.Dial("tcp", addr)
		if err != nil {
			fail("dial: %v", err)
			break
		}
		if p := probe(pc, bufio.NewReader(pc), fmt.Sprintf("%s/new%d", probePath, i), fmt.Sprintf("n%d", i)); p != "" {
			fail("probe on a new connection: %s", p)
		}
		pc.Close()
	}
	time.Sleep(20 * time.Millisecond) // what the fronts sent has arrived
	v.Up = up
	for _, p := range checkUpstream(v, echoUp.take(), scriptUp.take()) {
		fail("%s", p)
	}
	return problems
}

// readAnswers reads up to len(want) answers, skipping 1xx interim ones.
func readAnswers(c net.Conn, br *bufio.Reader, want []string) []string {
	var got []string
	for _, w := range want {
		method := http.MethodGet
		if strings.HasPrefix(w, "HEAD ") {
			method = http.MethodHead
		}
		_ = c.SetReadDeadline(time.Now().Add(clientWait))
		status, err := readAnswer(br, method)
		if err != nil {
			return append(got, "cut")
		}
		if method == http.MethodHead {
			status = "HEAD " + status
		}
		got = append(got, status)
	}
	return got
}

// readAnswer reads one final answer and its whole body.
func readAnswer(br *bufio.Reader, method string) (string, error) {
	for {
		res, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return "", err
		}
		if res.StatusCode >= 100 && res.StatusCode < 200 && res.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		if res.StatusCode != http.StatusSwitchingProtocols {
			if _, err := io.Copy(io.Discard, res.Body); err != nil {
				return "", err
			}
		}
		return fmt.Sprint(res.StatusCode), nil
	}
}

// match reports whether each answer got is one want allows.
func match(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		if !allows(w, got[i]) {
			return false
		}
	}
	return true
}

func allows(want, got string) bool {
	for alt := range strings.SplitSeq(strings.TrimPrefix(want, "HEAD "), "|") {
		g := strings.TrimPrefix(got, "HEAD ")
		if alt == g || len(alt) == 3 && alt[1:] == "xx" && len(g) == 3 && g[0] == alt[0] {
			return true
		}
	}
	return false
}

// closed reports whether the front closes c without sending more.
func closed(c net.Conn, br *bufio.Reader) bool {
	_ = c.SetReadDeadline(time.Now().Add(clientWait))
	_, err := br.ReadByte()
	return err == io.EOF || isReset(err)
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// probe sends a plain GET for path with X-Id id and checks that the
// answer is its own. It returns "" when it is, "closed" when the front
// closed the connection first, else what is wrong.
func probe(c net.Conn, br *bufio.Reader, path, id string) string {
	_ = c.SetDeadline(time.Now().Add(clientWait))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: conformance\r\nX-Id: %s\r\n\r\n", path, id); err != nil {
		return "closed"
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF || isReset(err) {
			return "closed"
		}
		return err.Error()
	}
	body, err := io.ReadAll(res.Body)
	switch {
	case err != nil:
		return "body: " + err.Error()
	case res.StatusCode != http.StatusOK:
		return fmt.Sprintf("status %d %q", res.StatusCode, body)
	case res.Header.Get("X-Echo-Id") != id || string(body) != path:
		return fmt.Sprintf("foreign answer: X-Echo-Id %q body %q, want %q %q", res.Header.Get("X-Echo-Id"), body, id, path)
	}
	return ""
}

// tunnel writes msg through an upgraded connection and reads the echo.
func tunnel(c net.Conn, br *bufio.Reader, msg string) string {
	_ = c.SetDeadline(time.Now().Add(clientWait))
	if _, err := io.WriteString(c, msg); err != nil {
		return ""
	}
	b := make([]byte, len(msg))
	n, _ := io.ReadFull(br, b)
	return string(b[:n])
}
