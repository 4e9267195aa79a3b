package kit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/gantrykit/gantry/endpoint"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type benchGreetReq struct {
	Name string `path:"name"`
}

type benchGreeting struct {
	Message string `json:"message"`
}

func benchGreet(_ context.Context, req benchGreetReq) (benchGreeting, error) {
	return benchGreeting{Message: "Hello, " + req.Name + "!"}, nil
}

// benchSink is a reusable ResponseWriter.
type benchSink struct {
	h    http.Header
	code int
	n    int
}

func (s *benchSink) Header() http.Header         { return s.h }
func (s *benchSink) WriteHeader(code int)        { s.code = code }
func (s *benchSink) Write(b []byte) (int, error) { s.n += len(b); return len(b), nil }

// benchServeChunk serves n GET /v1/hello/bench requests through h and
// returns the time they took.
func benchServeChunk(b *testing.B, h http.Handler, r *http.Request, w *benchSink, n int) time.Duration {
	start := time.Now()
	for range n {
		clear(w.h)
		w.code, w.n = 0, 0
		h.ServeHTTP(w, r)
	}
	d := time.Since(start)
	if w.code != 0 && w.code != http.StatusOK || w.n == 0 {
		b.Fatalf("got status %d with %d bytes, want 200 with a body", w.code, w.n)
	}
	return d
}

// BenchmarkServeHello is the request path of the bench's "gantry" row
// without the socket: the App's Mux, the typed server and the default
// middleware chain (App.Middleware), against the bench's bare handler (a
// net/http.ServeMux and encoding/json), interleaved in small chunks in the
// same run. bare/app is the median of bare time / App time over chunk
// pairs (1 means equal); "step1" is the same without the chain.
func BenchmarkServeHello(b *testing.B) {
	bare := http.NewServeMux()
	bare.HandleFunc("GET /v1/hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(benchGreeting{Message: "Hello, " + r.PathValue("name") + "!"})
	})
	for _, chain := range []bool{false, true} {
		name := "step1"
		if chain {
			name = "chain"
		}
		b.Run(name, func(b *testing.B) {
			a := New("bench", WithArgs(testArgs), WithoutSignals(), WithLogOutput(discard{}), WithGetenv(env(nil)))
			if err := a.Err(); err != nil {
				b.Fatal(err)
			}
			e := endpoint.Func[benchGreetReq, benchGreeting](benchGreet)
			if chain {
				e = endpoint.Wrap(e, a.Middleware("greet")...)
			}
			a.HTTP().Handle("GET /v1/hello/{name}", httpt.NewServer(e))
			r := &http.Request{Method: "GET", URL: &url.URL{Path: "/v1/hello/bench"}, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
			r = r.WithContext(context.Background())
			w := &benchSink{h: http.Header{}}
			const chunk = 16
			var bareT, appT time.Duration
			ratios := make([]float64, 0, 1024)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				var bt, at time.Duration
				if i%2 == 0 {
					bt = benchServeChunk(b, bare, r, w, chunk)
					at = benchServeChunk(b, a.HTTP(), r, w, chunk)
				} else {
					at = benchServeChunk(b, a.HTTP(), r, w, chunk)
					bt = benchServeChunk(b, bare, r, w, chunk)
				}
				bareT, appT = bareT+bt, appT+at
				ratios = append(ratios, float64(bt)/float64(at))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "bare/app")
			b.ReportMetric(float64(bareT.Nanoseconds())/float64(chunk*b.N), "bare-ns/req")
			b.ReportMetric(float64(appT.Nanoseconds())/float64(chunk*b.N), "app-ns/req")
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
