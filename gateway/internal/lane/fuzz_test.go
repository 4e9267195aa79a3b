package lane

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway/internal/conformance"
	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// FuzzRequest checks the lane's request parser and writer against
// net/http's ReadRequest on the same bytes. A head the lane takes must be
// one net/http reads with the same method, path, query, Host, fields and
// body; and the request the lane then writes upstream must read back, with
// net/http, as exactly one request with the path, Host and body the lane
// meant, with none of the client's framing, hop-by-hop or gateway-owned
// fields. What the lane hands over or refuses, it does not relay. The
// seeds are the lane's own and what every client of the conformance suite
// sends (conformance.RequestSeeds), so a campaign starts from the
// smuggling corpus.
//
//	go test -run '^$' -fuzz FuzzRequest -parallel 1 ./gateway/internal/lane/
func FuzzRequest(f *testing.F) {
	for _, s := range slices.Concat(requestSeeds, conformance.RequestSeeds()) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		n, err := edge.ScanHead(in)
		if err != nil || n == 0 {
			return
		}
		br := newInbuf(bytes.NewReader(in), 8<<10)
		if _, err := br.Peek(min(len(in), br.Size())); err != nil && len(in) <= br.Size() {
			t.Fatal(err)
		}
		var r Request
		if r.parse(br, n) != take {
			return
		}
		if n+r.bodyLen > len(in) {
			return // the body is not all there: the lane would wait for it
		}
		r.body = in[n : n+r.bodyLen]
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
		if err != nil {
			t.Fatalf("the lane took a request net/http refuses (%v):\n%q", err, in[:n])
		}
		// The lane's path is net/http's, decoded and as escaped (a
		// sub-delimiter such as '!' sets RawPath to the same bytes).
		if req.Method != r.method || req.URL.Path != r.path || req.URL.EscapedPath() != r.path || req.URL.RawQuery != string(r.query) || req.Host != string(r.host) {
			t.Fatalf("lane read %s %s ? %s host %s; net/http %s %s (raw %q) ? %s host %s: %q",
				r.method, r.path, r.query, r.host, req.Method, req.URL.Path, req.URL.RawPath, req.URL.RawQuery, req.Host, in[:n])
		}
		body, err := io.ReadAll(req.Body)
		if err != nil || req.ContentLength != int64(r.bodyLen) || req.TransferEncoding != nil || !bytes.Equal(body, r.body) {
			t.Fatalf("lane read a body of %d bytes, net/http %d (%v, transfer encoding %q): %q", r.bodyLen, len(body), err, req.TransferEncoding, in)
		}
		values := 0
		for _, vs := range req.Header {
			values += len(vs)
		}
		fields := r.h.eh.Fields
		if values != len(fields)-1 { // net/http moves Host out of the header map
			t.Fatalf("lane read %d fields, net/http %d: %q", len(fields)-1, values, in[:n])
		}
		for _, fd := range fields {
			if fd.Kind == edge.Host {
				continue
			}
			if !contains(req.Header.Values(string(fd.Name)), string(fd.Value)) {
				t.Fatalf("field %q: lane read %q, net/http %q", fd.Name, fd.Value, req.Header.Values(string(fd.Name)))
			}
		}
		checkUpstreamRequest(t, &r, in[:n])
	})
}

// checkUpstreamRequest writes r as the lane sends it upstream and reads it
// back with net/http.
func checkUpstreamRequest(t *testing.T, r *Request, head []byte) {
	x := &Exchange{Addr: "10.0.0.1:8080", Path: "/up" + r.path, Query: "k=v", RequestID: "rid",
		Fields: func(b []byte) []byte { return append(b, "X-Request-Id: rid\r\n"...) }}
	out := newOutbuf(io.Discard, 8<<10)
	r.send(out, x)
	rd := bufio.NewReader(bytes.NewReader(out.b))
	up, err := http.ReadRequest(rd)
	if err != nil {
		t.Fatalf("net/http cannot read what the lane sends upstream (%v):\n%q\nfrom %q", err, out.b, head)
	}
	body, err := io.ReadAll(up.Body)
	if err != nil || !bytes.Equal(body, r.body) || up.ContentLength != int64(len(r.body)) {
		t.Fatalf("upstream body %q (%v, length %d), want %q:\n%q", body, err, up.ContentLength, r.body, out.b)
	}
	if rest, _ := io.ReadAll(rd); len(rest) > 0 {
		t.Fatalf("%d bytes after the upstream request (a second request): %q\nfrom %q", len(rest), out.b, head)
	}
	wantQuery := "k=v"
	if len(r.query) > 0 {
		wantQuery += "&" + string(r.query)
	}
	if up.Method != r.method || up.URL.Path != x.Path || up.URL.RawQuery != wantQuery || up.Host != x.Addr {
		t.Fatalf("upstream got %s %s ? %s host %s: %q", up.Method, up.URL.Path, up.URL.RawQuery, up.Host, out.b)
	}
	for _, k := range []string{"Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "Expect",
		"X-Forwarded-For", "Forwarded", ClaimsField, TimeoutField, "Traceparent"} {
		if v, ok := up.Header[http.CanonicalHeaderKey(k)]; ok {
			t.Fatalf("upstream got the client's %s: %q\n%q", k, v, out.b)
		}
	}
	if got := up.Header.Values("X-Request-Id"); len(got) != 1 || got[0] != "rid" {
		t.Fatalf("upstream X-Request-Id %q, want the gateway's alone: %q", got, out.b)
	}
	// Every field the gateway reads reaches the upstream as the gateway
	// read it, whatever Connection names.
	for _, k := range []kind{kAuthorization, kAccept, kAcceptVersion, kIdempotencyKey} {
		if v := r.h.get(k); v != nil && !contains(up.Header.Values(kindName[k]), string(v)) {
			t.Fatalf("upstream lost %s %q: %q\nfrom %q", kindName[k], v, out.b, head)
		}
	}
}

var kindName = map[kind]string{kAuthorization: "Authorization", kAccept: "Accept", kAcceptVersion: "Accept-Version", kIdempotencyKey: "Idempotency-Key"}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// FuzzResponse checks the lane's answer relay against net/http's
// ReadResponse on the same bytes: an answer the lane relays must be one
// net/http reads with the same status and body, and what the client gets
// must read, with net/http, as exactly that one answer. A connection the
// lane pools must have ended exactly where net/http says the answer ended.
// The seeds are the lane's own and what every scripted upstream of the
// conformance suite writes (conformance.ResponseSeeds).
//
//	go test -run '^$' -fuzz FuzzResponse -parallel 1 ./gateway/internal/lane/
func FuzzResponse(f *testing.F) {
	for _, s := range slices.Concat(responseSeeds, conformance.ResponseSeeds()) {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, head bool) {
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		var client bytes.Buffer
		r, c, pooled := relayFixture(method, in, &client)
		var res Result
		_, err := r.receive(c, &Exchange{Addr: "u", RequestID: "rid", Start: time.Now()}, &res)
		_ = r.c.bw.Flush()
		if err != nil {
			return // refused (502) or cut: nothing more to check
		}
		want, werr := readFinal(bufio.NewReader(bytes.NewReader(in)), method)
		var wantBody []byte
		if werr == nil {
			wantBody, werr = io.ReadAll(want.Body)
		}
		if werr != nil {
			t.Fatalf("the lane relayed an answer net/http refuses (%v):\n%q\nrelayed %q", werr, in, client.Bytes())
		}
		rd := bufio.NewReader(&client)
		got, err := http.ReadResponse(rd, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("net/http cannot read what the lane relayed (%v):\n%q\nfrom %q", err, client.Bytes(), in)
		}
		gotBody, err := io.ReadAll(got.Body)
		if err != nil || got.StatusCode != want.StatusCode || !bytes.Equal(gotBody, wantBody) {
			t.Fatalf("relayed %d %q (%v), net/http read %d %q:\n%q\nrelayed %q", got.StatusCode, gotBody, err, want.StatusCode, wantBody, in, client.Bytes())
		}
		if rest, _ := io.ReadAll(rd); len(rest) > 0 {
			t.Fatalf("%d bytes after the relayed answer: %q\nfrom %q", len(rest), client.Bytes(), in)
		}
		if pooled() {
			rest := bufio.NewReader(bytes.NewReader(in))
			w, _ := readFinal(rest, method)
			_, _ = io.Copy(io.Discard, w.Body)
			if n, _ := io.Copy(io.Discard, rest); n > 0 {
				t.Fatalf("the lane pooled a connection with %d bytes after the answer: %q", n, in)
			}
		}
	})
}

// readFinal reads the first answer that is not 1xx informational.
func readFinal(rd *bufio.Reader, method string) (*http.Response, error) {
	for {
		res, err := http.ReadResponse(rd, &http.Request{Method: method})
		if err != nil || res.StatusCode >= 200 || res.StatusCode == http.StatusSwitchingProtocols {
			return res, err
		}
	}
}

// relayFixture builds a Request and an upstream connection reading in, as
// receive sees them, writing the client's side to client; pooled tells
// whether the upstream connection went back to the pool.
func relayFixture(method string, in []byte, client io.Writer) (*Request, *upConn, func() bool) {
	l := &Listener{pool: newPool()}
	cc := &conn{l: l, bw: newOutbuf(client, 8<<10)}
	r := &cc.req
	r.c, r.method = cc, method
	a, b := net.Pipe()
	_ = b.Close()
	up := &upConn{host: "u", nc: a, in: newInbuf(bytes.NewReader(in), 16<<10), out: newOutbuf(io.Discard, 1024)}
	return r, up, func() bool { return len(l.pool.idle["u"]) > 0 }
}

// requestSeeds: plain requests the lane takes, and the smuggling and
// framing classes it must refuse or hand over (the suite's classes: CL.TE,
// TE.CL, duplicate and signed lengths, obs-fold, bare LF, lone CR, NUL,
// whitespace before the colon, Connection naming framing or trusted
// fields, encoded paths, absolute-form targets, Host conflicts).
var requestSeeds = []string{
	"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /api/x?y=1&z HTTP/1.1\r\nHost: shop.example:8080\r\nAuthorization: Bearer x.y.z\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n",
	"DELETE /v1/orders/7 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n",
	"HEAD /x HTTP/1.1\r\nhost: a\r\nX-Empty:\r\n\r\n",
	"POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nIdempotency-Key: k1\r\n\r\n{}",
	"POST /x HTTP/1.1\r\nHost: a\r\nConnection: Content-Length\r\nContent-Length: 40\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\nabcdefghi",
	"PUT /x HTTP/1.1\r\nHost: a\r\nConnection: close, content-length, authorization, idempotency-key\r\nAuthorization: Bearer t\r\nIdempotency-Key: k\r\nContent-Length: 3\r\n\r\nabc",
	"PATCH /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Host, X-Gantry-Claims\r\nX-Gantry-Claims: forged\r\nContent-Length: 007\r\n\r\n1234567",
	"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc",
	"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc",
	"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc",
	"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length : 3\r\n\r\nabc",
	"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n x\r\n\r\nabc",
	"GET / HTTP/1.1\nHost: a\n\n",
	"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n",
	"GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /a/%2e%2e/b HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /public/..%2fprivate HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /a;x=1/b HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	"GET /x HTTP/1.1\r\nHost: a@b\r\n\r\n",
	"GET /x HTTP/1.0\r\nHost: a\r\n\r\n",
	"GET /x\r\n\r\n",
	"GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
	"POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
	"GET /x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nGantry-Timeout: 1h\r\nTE: trailers\r\n\r\n",
	"GET /x?a=%zz&b=[1] HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
	"GET /x HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X-Many: 1\r\n", 70) + "\r\n",
}

// responseSeeds: answers as they are framed well, and the upstream classes
// the lane must refuse or not pool after (duplicate or conflicting
// framing, signed lengths, chunk sizes with whitespace, surplus bytes,
// bodies on 204/304/HEAD, 1xx, early close).
var responseSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 204 No Content\r\n\r\n",
	"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforeign",
	"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
	"HTTP/1.0 200 OK\r\n\r\nuntil close",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Sum: 42\r\nContent-Length: 9\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
	"HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, and more",
	"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ncut",
	"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
	"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
}
