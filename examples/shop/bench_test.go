package main

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkGetProduct measures one catalog read through the gateway beside
// the same read sent straight to the product service (the baseline): the
// difference is the gateway's routing, balancing and proxying.
//
//	go test -run '^$' -bench GetProduct -benchtime 2000x ./examples/shop/
func BenchmarkGetProduct(b *testing.B) {
	s := testShop(b, "", nil)
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	for _, bb := range []struct{ name, base string }{
		{"direct", "http://" + s.Product.HTTPAddr()},
		{"gateway", s.URL()},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := hc.Get(bb.base + "/api/v1/products/p01")
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
