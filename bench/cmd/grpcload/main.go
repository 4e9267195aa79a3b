// Command grpcload is the gRPC load client of the benchmark (ghz is not
// packaged for Debian): -c goroutines share -conns connections and call
// Prices.GetPrice back to back for -d (or until -n calls), then one JSON line goes to stdout
// with calls per second, p50, p99 and the error count. The harness pins it
// to core 1.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

type result struct {
	RPS    float64 `json:"rps"`
	P50us  float64 `json:"p50_us"`
	P99us  float64 `json:"p99_us"`
	Count  int     `json:"count"`
	Errors int     `json:"errors"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "server address")
	conc := flag.Int("c", 64, "concurrent callers")
	conns := flag.Int("conns", 4, "connections")
	dur := flag.Duration("d", 5*time.Second, "duration")
	n := flag.Int("n", 0, "stop after this many calls instead of after -d (for instruction counts)")
	flag.Parse()
	if err := run(*addr, *conc, *conns, *dur, int64(*n)); err != nil {
		fmt.Fprintln(os.Stderr, "grpcload:", err)
		os.Exit(1)
	}
}

func run(addr string, conc, nconns int, dur time.Duration, n int64) error {
	clients := make([]pricespb.PricesClient, nconns)
	for i := range clients {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		defer cc.Close()
		clients[i] = pricespb.NewPricesClient(cc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var left atomic.Int64 // calls still to start, with -n
	left.Store(n)
	lat := make([][]time.Duration, conc)
	errs := make([]int, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range conc {
		wg.Go(func() {
			c := clients[g%nconns]
			req := &pricespb.GetPriceRequest{Sku: "teapot"}
			for ctx.Err() == nil && (n == 0 || left.Add(-1) >= 0) {
				t0 := time.Now()
				_, err := c.GetPrice(context.Background(), req)
				if err != nil {
					errs[g]++
					continue
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return fmt.Errorf("no call succeeded")
	}
	slices.Sort(all)
	r := result{
		RPS:   float64(len(all)) / elapsed.Seconds(),
		P50us: float64(all[len(all)/2].Microseconds()),
		P99us: float64(all[len(all)*99/100].Microseconds()),
		Count: len(all),
	}
	for _, e := range errs {
		r.Errors += e
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}
