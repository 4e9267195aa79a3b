package gateway

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzLaneHead checks the lane's request parser against net/http's: any
// head the lane takes, net/http must read too, with the same method, path,
// query, host and fields; and nothing panics.
//
//	go test -fuzz FuzzLaneHead -run '^$' ./gateway/
func FuzzLaneHead(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /api/x?y=1&z HTTP/1.1\r\nHost: shop.example:8080\r\nAuthorization: Bearer x.y.z\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n",
		"DELETE /v1/orders/7 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n",
		"HEAD /x HTTP/1.1\r\nhost: a\r\nX-Empty:\r\n\r\n",
		"GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\nHost: a\n\n",
		"POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nIdempotency-Key: k1\r\n\r\n{}",
		"PATCH /x HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n",
		"PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		n, st := scanHead(in)
		if st != headComplete {
			return
		}
		br := newInbuf(bytes.NewReader(in), 64<<10)
		if _, err := br.Peek(len(in)); err != nil {
			return // longer than the reader: the lane hands it over
		}
		var r laneReq
		if !r.parse(br, n) {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(in[:n])))
		if err != nil {
			t.Fatalf("the lane took a head net/http refuses (%v):\n%q", err, in[:n])
		}
		if req.Method != r.method || req.URL.Path != r.path || req.URL.RawQuery != string(r.query) || req.Host != string(r.host) {
			t.Fatalf("lane read %s %s ? %s host %s; net/http %s %s ? %s host %s",
				r.method, r.path, r.query, r.host, req.Method, req.URL.Path, req.URL.RawQuery, req.Host)
		}
		if req.ContentLength != int64(r.bodyLen) || req.TransferEncoding != nil {
			t.Fatalf("the lane read a body of %d bytes, net/http %d (transfer encoding %q): %q",
				r.bodyLen, req.ContentLength, req.TransferEncoding, in[:n])
		}
		for _, fd := range r.h.fields {
			if fd.kind == kHost {
				continue // net/http moves Host out of the header map
			}
			vs := req.Header.Values(string(fd.name))
			found := false
			for _, v := range vs {
				found = found || v == string(fd.value)
			}
			if !found {
				t.Fatalf("field %q: lane read %q, net/http %q", fd.name, fd.value, strings.Join(vs, " | "))
			}
		}
	})
}

// FuzzLaneResponseHead checks the response side: no panic, and a head the
// lane frames is one net/http reads with the same status.
func FuzzLaneResponseHead(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		n, st := scanHead(in)
		if st != headComplete {
			return
		}
		var h head
		if !h.parse(in, n) {
			return
		}
		code, _ := statusOf(h.line)
		if code == 0 {
			return
		}
		res, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(in)), nil)
		if err != nil {
			return // net/http is stricter on some heads the lane then relays as they are
		}
		if res.StatusCode != code {
			t.Fatalf("lane read status %d, net/http %d: %q", code, res.StatusCode, in[:n])
		}
		framed := code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
		if cl := contentLength(&h); framed && cl >= 0 && h.get(kTransferEncoding) == nil && res.ContentLength != cl {
			t.Fatalf("lane read length %d, net/http %d: %q", cl, res.ContentLength, in[:n])
		}
		rl := relay{w: newOutbuf(io.Discard, 4096), r: newInbuf(bytes.NewReader(in[n:]), 4096)}
		if h.get(kTransferEncoding) != nil {
			rl.chunked() // must end, with or without an error
		}
	})
}

// FuzzValidValue checks the eight-bytes-at-a-time check against the plain
// one.
func FuzzValidValue(f *testing.F) {
	f.Add([]byte("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig"))
	f.Add([]byte("abcdefg\x7fhijklmnop"))
	f.Add([]byte("tab\there and more text\r"))
	f.Fuzz(func(t *testing.T, v []byte) {
		want := true
		for _, ch := range v {
			if ch < ' ' && ch != '\t' || ch == 0x7f {
				want = false
			}
		}
		if got := validValue(v); got != want {
			t.Fatalf("validValue(%q) = %v, want %v", v, got, want)
		}
	})
}
