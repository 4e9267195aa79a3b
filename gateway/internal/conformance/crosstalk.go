package conformance

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// crossTalk are the answers of the upstream the cross-talk test talks to:
// each answers with the request's own id, and most then send bytes past
// their framing holding a complete answer with another id.
var crossTalk = map[string][]Step{
	"xt-ok":      {w("HTTP/1.1 200 OK\r\nX-Echo-Id: {id}\r\nContent-Length: 4\r\n\r\n{id}")},
	"xt-surplus": {w("HTTP/1.1 200 OK\r\nX-Echo-Id: {id}\r\nContent-Length: 4\r\n\r\n{id}" + foreign)},
	"xt-head":    {w("HTTP/1.1 200 OK\r\nX-Echo-Id: {id}\r\nContent-Length: 4\r\n\r\n{id}" + foreign)},
	"xt-204":     {w("HTTP/1.1 204 No Content\r\nX-Echo-Id: {id}\r\n\r\n" + foreign)},
}

// Bytes an upstream sends after the front has reused the connection for
// the next request cannot be told from that request's answer by any
// HTTP/1.1 client (nginx included): the cross-talk cases send their
// surplus with the answer, and the sequential vectors with Late set cover
// bytes that come late but before the connection is reused.

// RunCrossTalk runs clients on keep-alive connections at once through
// the front, each sending requests whose answers the upstream gets wrong
// in one of the ways above, and counts the answers a client got that
// were not its own: they must be none. It prints the counts.
func RunCrossTalk(t *testing.T, f Front) {
	const clients, each = 2, 60
	up := newUpstream(t, script(crossTalk))
	addr := f.Start(t, Upstreams{Echo: up.addr(), Script: up.addr()})
	cases := []string{"xt-ok", "xt-surplus", "xt-head", "xt-204"}
	var mu sync.Mutex
	var foreignAnswers, failed, answered int
	var wg sync.WaitGroup
	for k := range clients {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer func() { c.Close() }()
			br := bufio.NewReader(c)
			for i := range each {
				name := cases[(i+k)%len(cases)]
				id := fmt.Sprintf("c%d%02d", k, i) // 4 bytes, as the upstream's Content-Length says
				method := http.MethodGet
				if name == "xt-head" {
					method = http.MethodHead
				}
				got, err := exchangeOnce(c, br, method, "/script/"+name+"/"+id, id)
				mu.Lock()
				switch {
				case err != nil:
					failed++ // a refused or cut answer: safe, and the connection is new
				case got != id:
					foreignAnswers++
					t.Errorf("client %d asked %s %s and got the answer for %q", k, method, name, got)
				default:
					answered++
				}
				mu.Unlock()
				if err != nil {
					c.Close()
					if c, err = net.Dial("tcp", addr); err != nil {
						t.Error(err)
						return
					}
					br = bufio.NewReader(c)
				}
			}
		})
	}
	wg.Wait()
	fmt.Fprintf(os.Stdout, "%s cross-talk: %d clients × %d requests: %d own answers, %d refused or cut, %d foreign\n",
		f.Name, clients, each, answered, failed, foreignAnswers)
}

// exchangeOnce sends one request and returns the id its answer carries:
// X-Echo-Id, checked against the body when there is one.
func exchangeOnce(c net.Conn, br *bufio.Reader, method, target, id string) (string, error) {
	_ = c.SetDeadline(time.Now().Add(clientWait))
	if _, err := fmt.Fprintf(c, "%s %s HTTP/1.1\r\n%sX-Id: %s\r\n\r\n", method, target, host, id); err != nil {
		return "", err
	}
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode >= 300 {
		return "", fmt.Errorf("status %d", res.StatusCode)
	}
	got := res.Header.Get("X-Echo-Id")
	if len(body) > 0 && string(body) != got {
		return "body " + string(body), nil
	}
	return got, nil
}
