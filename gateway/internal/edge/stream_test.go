package edge

import (
	"errors"
	"testing"
)

// feed gives s the stream in pieces of size step and returns the bytes
// the server may read and Feed's error.
func feed(s *Stream, raw string, step int) (int, error) {
	total := 0
	for i := 0; i < len(raw); i += step {
		p := []byte(raw[i:min(i+step, len(raw))])
		n, err := s.Feed(p)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func TestStream(t *testing.T) {
	type req struct {
		method, target string
		err            error
	}
	for _, tc := range []struct {
		name    string
		raw     string
		feedErr error
		reqs    []req
	}{
		{"pipelined", "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n", nil,
			[]req{{"GET", "/a", nil}, {"POST", "/b", nil}, {"GET", "/c", nil}}},
		{"chunked then more", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", nil,
			[]req{{"POST", "/a", nil}, {"GET", "/b", nil}}},
		{"empty lines before a request", "\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n", nil, []req{{"GET", "/a", nil}}},
		{"CL.TE smuggling", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGGET /admin HTTP/1.1\r\nHost: x\r\n\r\n", nil,
			[]req{{"POST", "/a", ErrTEWithCL}, {"GET", "/admin", ErrTEWithCL}}},
		{"refusal sticks", "GET /a HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", nil,
			[]req{{"GET", "/a", ErrObsFold}, {"GET", "/b", ErrObsFold}}},
		{"bad chunk stops the bytes", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n 3\r\nabc\r\n0\r\n\r\n", ErrChunk,
			[]req{{"POST", "/a", nil}, {"GET", "/b", ErrChunk}}},
		{"OPTIONS * answered by the server", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n", nil,
			[]req{{"GET", "/a", nil}}},
		{"desync", "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", nil, []req{{"GET", "/other", ErrDesync}, {"GET", "/a", ErrDesync}}},
		{"a request the stream never saw", "", nil, []req{{"GET", "/a", ErrDesync}}},
		{"after an upgrade", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n\x81\x05hello", nil,
			[]req{{"GET", "/ws", nil}, {"GET", "/a", errTunnel}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, step := range []int{1, 5, 4096} {
				var s Stream
				n, err := feed(&s, tc.raw, step)
				if !errors.Is(err, tc.feedErr) {
					t.Fatalf("step %d: Feed err = %v, want %v", step, err, tc.feedErr)
				}
				if err == nil && n != len(tc.raw) {
					t.Fatalf("step %d: Feed passed %d of %d bytes", step, n, len(tc.raw))
				}
				for _, r := range tc.reqs {
					if v := s.Next(r.method, r.target); !errors.Is(v.Err, r.err) {
						t.Fatalf("step %d: Next(%s %s) = %v, want %v", step, r.method, r.target, v.Err, r.err)
					}
				}
			}
		})
	}
}

func TestStreamHeadLimit(t *testing.T) {
	s := Stream{MaxHead: 64}
	raw := "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + string(make([]byte, 100)) + "\r\n\r\n"
	if _, err := feed(&s, raw, 16); err != nil {
		t.Fatal(err)
	}
	if v := s.Next("GET", "/"); !errors.Is(v.Err, ErrHeadTooLarge) {
		t.Fatalf("Next = %v, want %v", v.Err, ErrHeadTooLarge)
	}
}

func TestStreamSteadyStateDoesNotAllocate(t *testing.T) {
	var s Stream
	raw := []byte("GET /orders/42 HTTP/1.1\r\nHost: shop\r\nAccept: */*\r\n\r\n")
	n := testing.AllocsPerRun(100, func() {
		if _, err := s.Feed(raw); err != nil {
			t.Fatal(err)
		}
		if v := s.Next("GET", "/orders/42"); v.Err != nil {
			t.Fatal(v.Err)
		}
	})
	if n != 0 {
		t.Fatalf("allocs per request = %v, want 0", n)
	}
}

func BenchmarkStream(b *testing.B) {
	var s Stream
	raw := []byte("GET /orders/42 HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: bench\r\nAccept: application/json\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x\r\n\r\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		_, _ = s.Feed(raw)
		s.Next("GET", "/orders/42")
	}
}
