package gateway

import (
	"bufio"
	"errors"
	"net/http"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

var errUpstreamHeadTooLarge = errors.New("gateway: upstream response head larger than the read buffer")

// checkHead waits for the answer's head on c and checks it by the edge
// policy (edge.CheckResponse) before net/http reads it: 1xx informational
// answers are skipped, a 101 (the fast path never asks for an upgrade) and
// any head the policy refuses fail the exchange, and the connection is
// then closed by the caller. It returns the answer's framing.
func (c *h1Conn) checkHead(req *http.Request) (edge.Response, error) {
	for {
		n, err := peekHead(c.br)
		if err != nil {
			return edge.Response{}, err
		}
		raw, _ := c.br.Peek(n)
		if err := c.head.Parse(raw); err != nil {
			return edge.Response{}, err
		}
		r, err := edge.CheckResponse(&c.head, req.Method == http.MethodHead)
		switch {
		case err != nil:
			return r, err
		case r.Code == http.StatusSwitchingProtocols:
			return r, edge.ErrUpgradeRefused
		case r.Code >= 200:
			return r, nil
		}
		_, _ = c.br.Discard(n) // 1xx informational: skip
	}
}

// peekHead waits until br holds a complete head and returns its length.
func peekHead(br *bufio.Reader) (int, error) {
	for {
		buf, _ := br.Peek(br.Buffered())
		n, err := edge.ScanHead(buf)
		switch {
		case err != nil:
			return 0, err
		case n > 0:
			return n, nil
		case len(buf) == br.Size():
			return 0, errUpstreamHeadTooLarge
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			return 0, err
		}
	}
}

// checkedTransport refuses, before ReverseProxy relays anything of it, an
// upstream answer the edge policy refuses and that the transport under it
// let through: a Connection naming a field that is not end to end, a 101
// nobody asked for, framing on an answer that has none by rule. The
// answer's body is closed unread, which closes its connection.
type checkedTransport struct{ rt http.RoundTripper }

func (t checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if err := checkResponse(req, res); err != nil {
		res.Body.Close()
		return nil, err
	}
	return res, nil
}

// checkResponse is edge.CheckResponse for what net/http's reading of an
// answer shows.
func checkResponse(req *http.Request, res *http.Response) error {
	for _, v := range res.Header["Connection"] {
		err := edge.Options([]byte(v), func(opt []byte) error {
			if !edge.Classify(opt).Nominable() {
				return edge.ErrRespConnection
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	chunked := len(res.TransferEncoding) > 0
	cl := res.Header["Content-Length"]
	switch code := res.StatusCode; {
	case code == http.StatusSwitchingProtocols && req.Header["Upgrade"] == nil:
		return edge.ErrUpgradeRefused
	case code < 200 && code != http.StatusSwitchingProtocols && (chunked || cl != nil),
		code == http.StatusNoContent && (chunked || len(cl) > 0 && cl[0] != "0"),
		code == http.StatusNotModified && chunked:
		return edge.ErrRespBodyless
	}
	return nil
}
