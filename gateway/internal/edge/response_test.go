package edge

import (
	"errors"
	"testing"
)

func checkResponse(t *testing.T, raw string, head bool) (Response, error) {
	t.Helper()
	n, err := ScanHead([]byte(raw))
	if err != nil {
		return Response{}, err
	}
	var h Head
	if err := h.Parse([]byte(raw)[:n]); err != nil {
		return Response{}, err
	}
	return CheckResponse(&h, head)
}

func TestCheckResponse(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		onHead     bool
		err        error
		body       Body
		close      bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, nil, Body{Length: 5}, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, nil, Body{Chunked: true}, false},
		{"until close", "HTTP/1.1 200 OK\r\n\r\n", false, nil, Body{Length: -1}, true},
		{"no reason", "HTTP/1.1 204\r\n\r\n", false, nil, Body{}, false},
		{"HEAD keeps no body", "HTTP/1.1 200 OK\r\nContent-Length: 53\r\n\r\n", true, nil, Body{}, false},
		{"304 with length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 53\r\n\r\n", false, nil, Body{}, false},
		{"HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, nil, Body{Length: 1}, true},
		{"Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", false, nil, Body{Length: 1}, true},
		{"plus length", "HTTP/1.1 200 OK\r\nContent-Length: +53\r\n\r\n", false, ErrRespCL, Body{}, false},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", false, ErrRespCL, Body{}, false},
		{"equal lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", false, ErrRespCL, Body{}, false},
		{"TE and CL", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", false, ErrRespTEWithCL, Body{}, false},
		{"TE gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, ErrRespTE, Body{}, false},
		{"TE in 1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, ErrRespTE, Body{}, false},
		{"Connection names CL", "HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\n", false, ErrRespConnection, Body{}, false},
		{"Connection names an ordinary field", "HTTP/1.1 200 OK\r\nConnection: x-hop\r\nX-Hop: 1\r\nContent-Length: 5\r\n\r\n", false, nil, Body{Length: 5}, false},
		{"204 with length", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false, ErrRespBodyless, Body{}, false},
		{"204 with zero length", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", false, nil, Body{}, false},
		{"304 chunked", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", false, ErrRespBodyless, Body{}, false},
		{"100 with length", "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n", false, ErrRespBodyless, Body{}, false},
		{"status 99", "HTTP/1.1 099 X\r\n\r\n", false, ErrStatusLine, Body{}, false},
		{"status 600", "HTTP/1.1 600 X\r\n\r\n", false, ErrStatusLine, Body{}, false},
		{"HTTP/2", "HTTP/2.0 200 OK\r\n\r\n", false, ErrStatusLine, Body{}, false},
		{"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", false, ErrStatusLine, Body{}, false},
		{"status glued to reason", "HTTP/1.1 200OK\r\n\r\n", false, ErrStatusLine, Body{}, false},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n", false, ErrBareLF, Body{}, false},
		{"obs-fold", "HTTP/1.1 200 OK\r\nContent-Length:\r\n 5\r\n\r\n", false, ErrObsFold, Body{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := checkResponse(t, tc.head, tc.onHead)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && (r.Body != tc.body || r.Close != tc.close) {
				t.Fatalf("body %+v close %v, want %+v %v", r.Body, r.Close, tc.body, tc.close)
			}
		})
	}
}
