package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	httpt "github.com/gantrykit/gantry/transport/http"
)

// benchReq and benchResp are the shapes both handlers decode and encode.
type benchReq struct {
	ID       string `path:"id" json:"-"`
	SKU      string `json:"sku" validate:"required"`
	Quantity int    `json:"quantity" validate:"min=1,max=100"`
	Note     string `json:"note"`
}

type benchResp struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Status   string `json:"status"`
}

func benchEndpoint(_ context.Context, req benchReq) (benchResp, error) {
	return benchResp{ID: req.ID, SKU: req.SKU, Quantity: req.Quantity, Status: "reserved"}, nil
}

// bare is what a careful hand-written net/http handler does: decode the
// body and path value, call the same function, encode the answer.
func bare(w http.ResponseWriter, r *http.Request) {
	var req benchReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.ID = r.PathValue("id")
	resp, err := benchEndpoint(r.Context(), req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// body is a request body that can be rewound without allocating.
type body struct{ bytes.Reader }

func (*body) Close() error { return nil }

// sink is a reusable ResponseWriter.
type sink struct {
	h    http.Header
	code int
	n    int
}

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) WriteHeader(code int)        { s.code = code }
func (s *sink) Write(b []byte) (int, error) { s.n += len(b); return len(b), nil }

const benchBody = `{"sku":"A-100","quantity":3,"note":"leave at the door"}`

func runBench(b *testing.B, h http.Handler, viaMux bool) {
	data := []byte(benchBody)
	rb := &body{}
	r, _ := http.NewRequest("POST", "http://x/v1/orders/42/items", rb)
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = int64(len(data))
	if !viaMux {
		r.SetPathValue("id", "42")
	}
	w := &sink{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rb.Reset(data)
		clear(w.h)
		w.code, w.n = 0, 0
		h.ServeHTTP(w, r)
	}
	b.StopTimer()
	if w.code != 0 && w.code != http.StatusOK || w.n == 0 {
		b.Fatalf("got status %d with %d bytes, want 200 with a body", w.code, w.n)
	}
}

// BenchmarkHandler compares the typed handler with a bare net/http handler
// doing the same decode and encode, both called directly and through a
// router (net/http.ServeMux for the bare one, Mux for the typed one).
func BenchmarkHandler(b *testing.B) {
	typed := httpt.NewServer(benchEndpoint)
	b.Run("bare", func(b *testing.B) { runBench(b, http.HandlerFunc(bare), false) })
	b.Run("typed", func(b *testing.B) { runBench(b, typed, false) })
	b.Run("bare_mux", func(b *testing.B) {
		m := http.NewServeMux()
		m.HandleFunc("POST /v1/orders/{id}/items", bare)
		runBench(b, m, true)
	})
	b.Run("typed_mux", func(b *testing.B) {
		m := httpt.NewMux()
		m.Handle("POST /v1/orders/{id}/items", typed)
		runBench(b, m, true)
	})
	b.Run("bare_query", func(b *testing.B) { runQueryBench(b, http.HandlerFunc(bareQuery)) })
	b.Run("typed_query", func(b *testing.B) { runQueryBench(b, httpt.NewServer(listEndpoint)) })
}

type benchListReq struct {
	Limit int      `query:"limit" validate:"min=1,max=100"`
	Sort  string   `query:"sort"`
	Tags  []string `query:"tag"`
}

type benchList struct {
	Limit int      `json:"limit"`
	Sort  string   `json:"sort"`
	Tags  []string `json:"tags"`
}

func listEndpoint(_ context.Context, req benchListReq) (benchList, error) {
	return benchList(req), nil
}

// bareQuery is the hand-written handler for a GET with query parameters.
func bareQuery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		http.Error(w, "bad limit", http.StatusBadRequest)
		return
	}
	resp, err := listEndpoint(r.Context(), benchListReq{Limit: limit, Sort: q.Get("sort"), Tags: q["tag"]})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func runQueryBench(b *testing.B, h http.Handler) {
	r, _ := http.NewRequest("GET", "http://x/v1/orders?limit=10&sort=asc&tag=a&tag=b%20c", nil)
	w := &sink{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code, w.n = 0, 0
		h.ServeHTTP(w, r)
	}
	if w.code != 0 && w.code != http.StatusOK || w.n == 0 {
		b.Fatalf("got status %d with %d bytes, want 200 with a body", w.code, w.n)
	}
}

// BenchmarkClient compares the typed client with a hand-written call doing
// the same encode and decode, against one loopback server.
func BenchmarkClient(b *testing.B) {
	m := httpt.NewMux()
	m.Handle("POST /v1/orders/{id}/items", httpt.NewServer(benchEndpoint))
	srv := httptest.NewServer(m)
	defer srv.Close()
	hc := srv.Client()
	in := benchReq{ID: "42", SKU: "A-100", Quantity: 3, Note: "leave at the door"}
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			data, _ := json.Marshal(in)
			req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.URL+"/v1/orders/"+url.PathEscape(in.ID)+"/items", bytes.NewReader(data))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out benchResp
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || out.ID != "42" {
				b.Fatalf("got %d %+v %v", resp.StatusCode, out, err)
			}
		}
	})
	b.Run("typed", func(b *testing.B) {
		c, err := httpt.NewClient[benchReq, benchResp]("POST", srv.URL, "/v1/orders/{id}/items", httpt.WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		call := c.Func()
		b.ReportAllocs()
		for b.Loop() {
			out, err := call(context.Background(), in)
			if err != nil || out.ID != "42" {
				b.Fatalf("got %+v %v", out, err)
			}
		}
	})
}

// BenchmarkHandlerRatio runs the bare and the typed handler in alternating
// small chunks of requests and reports their throughput ratio: the median
// over chunk pairs of bare time / typed time (1 means equal; the goal is
// >= 0.9). Interleaving and the median keep the ratio meaningful on a
// loaded machine, where separate sub-benchmarks drift apart.
func BenchmarkHandlerRatio(b *testing.B) {
	for _, viaMux := range []bool{false, true} {
		name, bareH, typedH := "direct", http.Handler(http.HandlerFunc(bare)), http.Handler(httpt.NewServer(benchEndpoint))
		if viaMux {
			bm := http.NewServeMux()
			bm.Handle("POST /v1/orders/{id}/items", bareH)
			tm := httpt.NewMux()
			tm.Handle("POST /v1/orders/{id}/items", typedH)
			name, bareH, typedH = "mux", bm, tm
		}
		b.Run(name, func(b *testing.B) {
			const chunk = 16
			var bareT, typedT time.Duration
			ratios := make([]float64, 0, 1024)
			for i := 0; b.Loop(); i++ {
				var bt, tt time.Duration
				if i%2 == 0 { // alternate which goes first, so neither inherits the other's GC debt
					bt = timeChunk(b, bareH, viaMux, chunk)
					tt = timeChunk(b, typedH, viaMux, chunk)
				} else {
					tt = timeChunk(b, typedH, viaMux, chunk)
					bt = timeChunk(b, bareH, viaMux, chunk)
				}
				bareT, typedT = bareT+bt, typedT+tt
				ratios = append(ratios, float64(bt)/float64(tt))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "bare/typed")
			b.ReportMetric(float64(bareT.Nanoseconds())/float64(chunk*b.N), "bare-ns/req")
			b.ReportMetric(float64(typedT.Nanoseconds())/float64(chunk*b.N), "typed-ns/req")
		})
	}
}

func timeChunk(b *testing.B, h http.Handler, viaMux bool, n int) time.Duration {
	data := []byte(benchBody)
	rb := &body{}
	r, _ := http.NewRequest("POST", "http://x/v1/orders/42/items", rb)
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = int64(len(data))
	if !viaMux {
		r.SetPathValue("id", "42")
	}
	w := &sink{h: http.Header{}}
	start := time.Now()
	for range n {
		rb.Reset(data)
		clear(w.h)
		h.ServeHTTP(w, r)
	}
	d := time.Since(start)
	if w.code != 0 && w.code != http.StatusOK {
		b.Fatalf("got status %d, want 200", w.code)
	}
	return d
}
