package conformance

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// checkUpstream checks what the upstreams received during a vector: every
// request parses; none carries a forged trusted value, reaches a
// protected or smuggled path, has two framings or an Upgrade offer the
// route does not allow, or opened a tunnel; and the echo upstream got
// exactly v.Up, when set.
func checkUpstream(v Vector, echoGot, scriptGot []Received) (problems []string) {
	var seen []string
	for _, r := range append(echoGot, scriptGot...) {
		if r.Err != nil {
			problems = append(problems, fmt.Sprintf("upstream received bytes it cannot parse: %s", r))
			continue
		}
		if p := unsafeRequest(v, r); p != "" {
			problems = append(problems, fmt.Sprintf("upstream received %s: %s", r, p))
		}
	}
	for _, r := range echoGot {
		if r.Err == nil && !r.Aborted && r.Method != "TUNNEL" && !strings.HasPrefix(r.Target, "/probe/") {
			s := r.Method + " " + r.Target
			if len(r.Body) > 0 {
				s += " " + string(r.Body)
			}
			seen = append(seen, s)
		}
	}
	if v.Up != nil && strings.Join(seen, "\n") != strings.Join(v.Up, "\n") {
		problems = append(problems, fmt.Sprintf("echo upstream received %q, want %q", seen, v.Up))
	}
	return problems
}

// unsafeRequest says what is wrong with a request an upstream received.
func unsafeRequest(v Vector, r Received) string {
	switch p := readAs(r.Target); {
	case p == "/private" || strings.HasPrefix(p, "/private/"):
		return "a protected path, without authentication"
	case strings.Contains(strings.ToLower(r.Target), "smuggled"):
		return "a smuggled request"
	case len(r.Tunnel) > 0 && !websocket(r):
		return fmt.Sprintf("a tunnel the front opened past its routing (%q)", r.Tunnel)
	case r.Header.Get("Upgrade") != "" && !websocket(r):
		return "an Upgrade offer: " + r.Header.Get("Upgrade")
	}
	for _, h := range []map[string][]string{r.Header, r.Trailer} {
		for k, vs := range h {
			for _, val := range vs {
				if strings.Contains(strings.ToLower(val), "forged") {
					return fmt.Sprintf("the client's %s: %s", k, val)
				}
			}
		}
	}
	// The framing the front wrote: one Content-Length or one chunked
	// Transfer-Encoding, never both, never twice.
	head, _, _ := bytes.Cut(r.Raw, []byte("\r\n\r\n"))
	var cl, te int
	for _, line := range bytes.Split(head, []byte("\r\n"))[1:] {
		name, _, _ := bytes.Cut(line, []byte(":"))
		switch strings.ToLower(string(name)) {
		case "content-length":
			cl++
		case "transfer-encoding":
			te++
		}
		if bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, '\r') >= 0 || len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			return fmt.Sprintf("a head line the front did not write itself: %q", line)
		}
	}
	if cl+te > 1 {
		return fmt.Sprintf("%d Content-Length and %d Transfer-Encoding fields", cl, te)
	}
	return ""
}

// websocket reports whether r is a WebSocket offer on the route that
// allows them.
func websocket(r Received) bool {
	return strings.HasPrefix(r.Target, "/ws") && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// readAs is the path an upstream that decodes, cleans, takes a backslash
// for a slash, drops ";" parameters and trims segments would serve for target.
func readAs(target string) string {
	if _, rest, ok := strings.Cut(target, "://"); ok {
		target = "/"
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			target = rest[i:]
		}
	}
	target, _, _ = strings.Cut(target, "?")
	if p, err := url.PathUnescape(target); err == nil {
		target = p
	}
	segs := strings.Split(strings.ReplaceAll(target, "\\", "/"), "/")
	for i, s := range segs {
		s, _, _ = strings.Cut(s, ";")
		segs[i] = strings.Trim(s, " \t\x00")
	}
	return path.Clean("/" + strings.Join(segs, "/"))
}
