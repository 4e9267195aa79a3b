package edge

import (
	"bufio"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// admit parses and admits one raw request head.
func admit(t *testing.T, raw string) (Request, error) {
	t.Helper()
	n, err := ScanHead([]byte(raw))
	if err != nil {
		return Request{}, err
	}
	if n != len(raw) {
		t.Fatalf("ScanHead(%q) = %d, want %d", raw, n, len(raw))
	}
	var h Head
	if err := h.Parse([]byte(raw)); err != nil {
		return Request{}, err
	}
	r := Admit(&h)
	return r, r.Err
}

func TestAdmit(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       error // nil: admitted
		status     int
	}{
		{"plain GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", nil, 0},
		{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", nil, 0},
		{"CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTEWithCL, 400},
		{"TE and CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", ErrTEWithCL, 400},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTEOnHTTP10, 400},
		{"TE twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTEDuplicate, 400},
		{"TE list", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ErrTEUnsupported, 501},
		{"TE chunked twice in one field", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", ErrTEUnsupported, 501},
		{"TE identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", ErrTEUnsupported, 501},
		{"TE xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", ErrTEUnsupported, 501},
		{"TE chunked with a NBSP", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\xa0\r\n\r\n", ErrTEUnsupported, 501},
		{"TE upper case", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n", nil, 0},
		{"CL twice equal", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", ErrCLDuplicate, 400},
		{"CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", ErrCLValue, 400},
		{"CL plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", ErrCLValue, 400},
		{"CL negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", ErrCLValue, 400},
		{"CL hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", ErrCLValue, 400},
		{"CL inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n", ErrCLValue, 400},
		{"CL empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", ErrCLValue, 400},
		{"CL huge", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", ErrCLValue, 400},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", ErrHostMissing, 400},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ErrHostDuplicate, 400},
		{"Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", ErrHostValue, 400},
		{"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", ErrHostValue, 400},
		{"Host bad port", "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", ErrHostValue, 400},
		{"Host IPv6", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", nil, 0},
		{"absolute form, same Host", "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", nil, 0},
		{"absolute form, other Host", "GET http://b/x HTTP/1.1\r\nHost: a\r\n\r\n", ErrHostConflict, 400},
		{"absolute form, userinfo", "GET http://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, 400},
		{"absolute form, ftp", "GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, 400},
		{"asterisk on GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, 400},
		{"asterisk on OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", nil, 0},
		{"CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", ErrConnect, 405},
		{"fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, 400},
		{"HTTP/0.9", "GET /\r\n\r\n", ErrRequestLine, 400},
		{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", ErrVersion, 505},
		{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", ErrVersion, 505},
		{"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", ErrRequestLine, 400},
		{"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ErrRequestLine, 400},
		{"method not a token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", ErrMethod, 400},
		{"Connection names CL", "POST / HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 1\r\n\r\n", ErrConnectionNames, 400},
		{"Connection close, CL", "POST / HTTP/1.1\r\nHost: a\r\nConnection: close, Content-Length\r\nContent-Length: 1\r\n\r\n", ErrConnectionNames, 400},
		{"Connection names Host", "GET / HTTP/1.1\r\nHost: a\r\nConnection: host\r\n\r\n", ErrConnectionNames, 400},
		{"Connection names claims", "GET / HTTP/1.1\r\nHost: a\r\nConnection: x-gantry-claims\r\n\r\n", ErrConnectionNames, 400},
		{"Connection names XFF", "GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Forwarded-For\r\n\r\n", ErrConnectionNames, 400},
		{"Connection names Authorization", "GET / HTTP/1.1\r\nHost: a\r\nConnection: authorization\r\n\r\n", ErrConnectionNames, 400},
		{"Connection names Idempotency-Key", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Idempotency-Key\r\n\r\n", ErrConnectionNames, 400},
		{"Connection names an ordinary field", "GET / HTTP/1.1\r\nHost: a\r\nConnection: x-foo, keep-alive, TE\r\n\r\n", nil, 0},
		{"Connection option not a token", "GET / HTTP/1.1\r\nHost: a\r\nConnection: a b\r\n\r\n", ErrConnectionToken, 400},
		{"two Authorizations", "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n", ErrDuplicate, 400},
		{"Expect 100-continue", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", nil, 0},
		{"Expect other", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", ErrExpect, 417},
		{"bare LF", "GET / HTTP/1.1\nHost: a\r\n\r\n", ErrBareLF, 400},
		{"bare CR", "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", ErrBareCR, 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n", ErrObsFold, 400},
		{"obs-fold on TE", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", ErrObsFold, 400},
		{"space before colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", ErrSpaceInName, 400},
		{"tab before colon", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 1\r\n\r\n", ErrSpaceInName, 400},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", ErrFieldValue, 400},
		{"bad name", "GET / HTTP/1.1\r\nHost: a\r\nX[y]: 1\r\n\r\n", ErrFieldName, 400},
		{"no colon", "GET / HTTP/1.1\r\nHost: a\r\nXY\r\n\r\n", ErrFieldName, 400},
		{"TE with an underscore", "POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nContent-Length: 1\r\n\r\n", ErrUnderscore, 400},
		{"claims with underscores", "GET / HTTP/1.1\r\nHost: a\r\nX_Gantry_Claims: x\r\n\r\n", ErrUnderscore, 400},
		{"an ordinary underscore", "GET / HTTP/1.1\r\nHost: a\r\nX_Custom: x\r\n\r\n", nil, 0},
		{"leading space on the start line", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", ErrStartLine, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := admit(t, tc.head)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err != nil && StatusOf(err) != tc.status {
				t.Fatalf("status = %d, want %d", StatusOf(err), tc.status)
			}
			if err == nil {
				agreeWithNetHTTP(t, tc.head)
			}
		})
	}
}

// agreeWithNetHTTP checks that net/http reads an admitted head too, with
// the same method, target and framing.
func agreeWithNetHTTP(t *testing.T, head string) {
	t.Helper()
	r, _ := admit(t, head)
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
	if err != nil {
		t.Fatalf("admitted, but net/http refuses: %v", err)
	}
	if req.Method != string(r.Method) || req.RequestURI != string(r.Target) {
		t.Fatalf("net/http read %s %s, Admit %s %s", req.Method, req.RequestURI, r.Method, r.Target)
	}
	chunked := len(req.TransferEncoding) > 0
	if chunked != r.Body.Chunked || !chunked && req.ContentLength != r.Body.Length {
		t.Fatalf("net/http framing chunked=%v length=%d, Admit %+v", chunked, req.ContentLength, r.Body)
	}
}

func TestAdmitFacts(t *testing.T) {
	r, err := admit(t, "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\r\n")
	if err != nil || !r.WebSocket || r.Close {
		t.Fatalf("websocket: %+v, %v", r, err)
	}
	for _, head := range []string{
		"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n",
		"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",                         // no Connection: upgrade
		"POST /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", // not GET
		"GET /ws HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",             // not 1.1
		"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket, h2c\r\nConnection: upgrade\r\n\r\n",
	} {
		if r, err := admit(t, head); err != nil || r.WebSocket {
			t.Errorf("%q: WebSocket = %v, err %v; want an ordinary request", head, r.WebSocket, err)
		}
	}
	if r, _ := admit(t, "GET / HTTP/1.0\r\n\r\n"); !r.Close {
		t.Error("HTTP/1.0 without keep-alive: Close = false")
	}
	if r, _ := admit(t, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"); r.Close {
		t.Error("HTTP/1.0 keep-alive: Close = true")
	}
	if r, _ := admit(t, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"); !r.Close {
		t.Error("Connection: close: Close = false")
	}
	if r, _ := admit(t, "GET http://a:80/x HTTP/1.0\r\n\r\n"); string(r.Host) != "a:80" {
		t.Errorf("absolute form without Host: Host = %q, want a:80", r.Host)
	}
}

func TestAdmitDoesNotAllocate(t *testing.T) {
	raw := []byte("POST /orders HTTP/1.1\r\nHost: shop\r\nConnection: keep-alive, x-trace\r\nContent-Length: 12\r\nAuthorization: Bearer x\r\nX-Trace: 1\r\n\r\n")
	var h Head
	n := testing.AllocsPerRun(100, func() {
		if err := h.Parse(raw); err != nil {
			t.Fatal(err)
		}
		if r := Admit(&h); r.Err != nil {
			t.Fatal(r.Err)
		}
	})
	if n != 0 {
		t.Fatalf("allocs per Parse+Admit = %v, want 0", n)
	}
}

func BenchmarkAdmit(b *testing.B) {
	raw := []byte("GET /orders/42 HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: bench\r\nAccept: application/json\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x\r\nConnection: keep-alive\r\n\r\n")
	var h Head
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		_, _ = ScanHead(raw)
		_ = h.Parse(raw)
		_ = Admit(&h)
	}
}
