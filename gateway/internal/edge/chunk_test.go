package edge

import (
	"bufio"
	"errors"
	"io"
	"net/http/httputil"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/gateway/internal/conformance"
)

func TestParseChunkSize(t *testing.T) {
	for _, tc := range []struct {
		line string
		n    uint64
		ok   bool
	}{
		{"5", 5, true},
		{"1A", 26, true},
		{"00000a", 10, true},
		{"5;ext", 5, true},
		{"5;a=b;c", 5, true},
		{`5;a="q \" d"`, 5, true},
		{"5 ;a=b", 0, false}, // BWS before ";": net/http refuses it
		{"5;a=b ;c", 0, false},
		{"5; a = b", 5, true},
		{" 5", 0, false}, // leading whitespace (smugchunks)
		{"5 ", 0, false}, // trailing whitespace, no extension
		{"\t5", 0, false},
		{"0x5", 0, false},
		{"+5", 0, false},
		{"-5", 0, false},
		{"", 0, false},
		{"g", 0, false},
		{"5;", 0, false},
		{"5;=b", 0, false},
		{"5;a=", 0, false},
		{`5;a="unterminated`, 0, false},
		{"5;a=b c", 0, false},
		{"5;a\x00", 0, false},
		{"5\x00", 0, false},
		{"fffffffffffffff", 1<<60 - 1, true},
		{"1000000000000000", 0, false}, // 16 digits: too large
	} {
		n, err := ParseChunkSize([]byte(tc.line))
		if (err == nil) != tc.ok || n != tc.n {
			t.Errorf("ParseChunkSize(%q) = %d, %v; want %d, ok=%v", tc.line, n, err, tc.n, tc.ok)
		}
	}
}

// scanAll feeds body to a scanner in pieces of size step and returns
// the bytes that belong to the body.
func scanAll(b Body, body string, step int) (int, bool, error) {
	var s BodyScanner
	s.Reset(b)
	total := 0
	for i := 0; i < len(body); i += step {
		p := []byte(body[i:min(i+step, len(body))])
		n, err := s.Scan(p)
		total += n
		if err != nil || n < len(p) {
			return total, s.Done(), err
		}
	}
	return total, s.Done(), nil
}

func TestBodyScanner(t *testing.T) {
	const next = "GET /next HTTP/1.1\r\n\r\n"
	for _, tc := range []struct {
		name string
		body Body
		raw  string // the body, then next when ok
		err  error
	}{
		{"length", Body{Length: 5}, "hello", nil},
		{"chunked", Body{Chunked: true}, "5\r\nhello\r\n0\r\n\r\n", nil},
		{"chunked with extensions", Body{Chunked: true}, "5;a=b\r\nhello\r\n6;q=\"x\"\r\n world\r\n0;end\r\n\r\n", nil},
		{"chunked with trailers", Body{Chunked: true}, "5\r\nhello\r\n0\r\nX-Gantry-Claims: forged\r\nX-Other: 1\r\n\r\n", nil},
		{"bare LF after size", Body{Chunked: true}, "5\nhello\r\n0\r\n\r\n", ErrBareLF},
		{"bare LF after data", Body{Chunked: true}, "5\r\nhello\n0\r\n\r\n", ErrChunk},
		{"data longer than size", Body{Chunked: true}, "3\r\nhello\r\n0\r\n\r\n", ErrChunk},
		{"leading space in size", Body{Chunked: true}, " 5\r\nhello\r\n0\r\n\r\n", ErrChunk},
		{"bare CR in size line", Body{Chunked: true}, "5\rX\r\nhello\r\n0\r\n\r\n", ErrBareCR},
		{"obs-fold in trailers", Body{Chunked: true}, "0\r\nX: a\r\n b\r\n\r\n", ErrObsFold},
		{"bare LF ending trailers", Body{Chunked: true}, "0\r\n\n", ErrBareLF},
		{"long size line", Body{Chunked: true}, "5;" + strings.Repeat("a", MaxChunkLine) + "\r\nhello\r\n0\r\n\r\n", ErrChunk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, step := range []int{1, 2, 3, 7, 4096} {
				n, done, err := scanAll(tc.body, tc.raw+next, step)
				if !errors.Is(err, tc.err) {
					t.Fatalf("step %d: err = %v, want %v", step, err, tc.err)
				}
				if err == nil && (!done || n != len(tc.raw)) {
					t.Fatalf("step %d: took %d bytes (done %v), want %d", step, n, done, len(tc.raw))
				}
			}
			if tc.err == nil && tc.body.Chunked {
				// net/http's chunked reader reads the same body.
				br := bufio.NewReader(strings.NewReader(tc.raw))
				if _, err := io.Copy(io.Discard, httputil.NewChunkedReader(br)); err != nil {
					t.Fatalf("net/http's chunked reader: %v", err)
				}
			}
		})
	}
}

func TestBodyScannerUntilClose(t *testing.T) {
	var s BodyScanner
	s.Reset(Body{Length: -1})
	if n, err := s.Scan([]byte("anything at all")); n != 15 || err != nil || s.Done() {
		t.Fatalf("until close: %d, %v, done %v", n, err, s.Done())
	}
}

func FuzzBodyScanner(f *testing.F) {
	f.Add("5\r\nhello\r\n0\r\n\r\n", 3)
	f.Add("5;a=b\r\nhello\r\n0\r\nX: y\r\n\r\n", 1)
	for _, body := range conformance.Bodies() {
		f.Add(body, 1)
	}
	f.Fuzz(func(t *testing.T, raw string, step int) {
		if step <= 0 || step > 64 {
			step = 1
		}
		n, done, err := scanAll(Body{Chunked: true}, raw, step)
		if err != nil || !done {
			return
		}
		// Every body the scanner accepts, net/http's chunked reader reads to
		// its end at the same place.
		br := bufio.NewReader(strings.NewReader(raw[:n]))
		if _, err := io.Copy(io.Discard, httputil.NewChunkedReader(br)); err != nil {
			t.Fatalf("scanner took %q, net/http: %v", raw[:n], err)
		}
		tp := bufio.NewReader(br) // the trailers net/http's server reads next
		for {
			line, err := tp.ReadString('\n')
			if err != nil {
				t.Fatalf("trailers of %q: %v", raw[:n], err)
			}
			if line == "\r\n" {
				break
			}
		}
		if tp.Buffered() != 0 {
			t.Fatalf("scanner stopped at %d of %q, net/http after the trailers left %d bytes", n, raw, tp.Buffered())
		}
	})
}
