// Command eventsload measures JetStream publish and consume throughput, raw
// nats.go (-mode raw) or Gantry's typed events (-mode gantry), against a
// running server. Phase 1: -c goroutines publish, each awaiting its ack, for
// -d. Phase 2: one durable pull consumer reads and acks everything published.
// One JSON line goes to stdout: publishes per second with p50/p99 ack
// latency, and consumed events per second. For looking closer at the
// consume phase: -cpuprofile profiles it, -serverpid adds the server's and
// this process's CPU time per consumed event, -pub gantry has -mode raw
// consume what a typed Publisher wrote, -sc and -sp set the gantry
// subscriber's Concurrency and Prefetch (the harness uses the defaults,
// 16 and 0).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gantrykit/gantry/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

type orderCreated struct {
	Order int    `json:"order"`
	SKU   string `json:"sku"`
}

type result struct {
	RPS        float64 `json:"rps"`
	P50us      float64 `json:"p50_us"`
	P99us      float64 `json:"p99_us"`
	Count      int     `json:"count"`
	Errors     int     `json:"errors"`
	ConsumeRPS float64 `json:"consume_rps"`
	// With -serverpid: the server's and this process's CPU time per
	// consumed event, in µs.
	ConsumeServerCPUus float64 `json:"consume_server_cpu_us,omitempty"`
	ConsumeClientCPUus float64 `json:"consume_client_cpu_us,omitempty"`
}

// The subscriber's settings in gantry mode (flags -sc and -sp).
var subConcurrency, subPrefetch int

// pubMode overrides how events are published (flag -pub): "gantry" gives
// raw consumption the typed events' headers.
var pubMode string

// serverPID is the server process whose CPU time the consume phase reports
// (flag -serverpid; 0: none).
var serverPID int

func main() {
	url := flag.String("url", nats.DefaultURL, "NATS URL")
	mode := flag.String("mode", "raw", "raw or gantry")
	conc := flag.Int("c", 16, "concurrent publishers")
	dur := flag.Duration("d", 5*time.Second, "publish duration")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the consume phase to this file")
	flag.StringVar(&pubMode, "pub", "", "publish as raw or gantry whatever -mode consumes with (default: as -mode)")
	flag.IntVar(&serverPID, "serverpid", 0, "the server's pid: report its CPU time per consumed event")
	flag.IntVar(&subConcurrency, "sc", 16, "gantry mode: the subscriber's Concurrency")
	flag.IntVar(&subPrefetch, "sp", 0, "gantry mode: the subscriber's Prefetch (0: its default)")
	flag.Parse()
	if err := run(*url, *mode, *conc, *dur, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "eventsload:", err)
		os.Exit(1)
	}
}

func run(url, mode string, conc int, dur time.Duration, cpuprofile string) error {
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx := context.Background()
	stream := "BENCH_" + mode + strconv.FormatInt(time.Now().UnixNano(), 36)
	subject := "bench." + stream
	if _, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: stream, Subjects: []string{subject}}); err != nil {
		return err
	}
	defer func() {
		_ = js.DeleteStream(ctx, stream)
		_ = js.DeleteStream(ctx, stream+"_DLQ") // the gantry subscriber's dead-letter stream
	}()

	publish := rawPublish(js, subject)
	if mode == "gantry" || pubMode == "gantry" {
		pub := events.NewPublisher[orderCreated](js, subject)
		publish = func(ctx context.Context, id string) error {
			_, err := pub.Publish(ctx, id, orderCreated{Order: 42, SKU: "abc"})
			return err
		}
	} else if mode != "raw" {
		return fmt.Errorf("-mode %q is not raw or gantry", mode)
	}

	pctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	lat := make([][]time.Duration, conc)
	errs := make([]int, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range conc {
		wg.Go(func() {
			for i := 0; pctx.Err() == nil; i++ {
				t0 := time.Now()
				if err := publish(ctx, strconv.Itoa(g)+"-"+strconv.Itoa(i)); err != nil {
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
		return fmt.Errorf("no publish succeeded")
	}
	slices.Sort(all)
	r := result{
		RPS: float64(len(all)) / elapsed.Seconds(), Count: len(all),
		P50us: float64(all[len(all)/2].Microseconds()), P99us: float64(all[len(all)*99/100].Microseconds()),
	}
	for _, e := range errs {
		r.Errors += e
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	srv0, cli0 := cpuTicks(serverPID), cpuTicks(os.Getpid())
	if r.ConsumeRPS, err = consume(ctx, js, mode, stream, len(all)); err != nil {
		return err
	}
	if serverPID != 0 {
		perEvent := func(ticks int64) float64 { return float64(ticks) * 1e4 / float64(len(all)) } // 100 ticks/s
		r.ConsumeServerCPUus = perEvent(cpuTicks(serverPID) - srv0)
		r.ConsumeClientCPUus = perEvent(cpuTicks(os.Getpid()) - cli0)
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

func rawPublish(js jetstream.JetStream, subject string) func(context.Context, string) error {
	body := []byte(`{"order":42,"sku":"abc"}`)
	return func(ctx context.Context, id string) error {
		msg := &nats.Msg{Subject: subject, Data: body, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, id)
		_, err := js.PublishMsg(ctx, msg)
		return err
	}
}

// consume reads n events with one durable consumer and returns events per
// second; it gives up after a minute.
func consume(ctx context.Context, js jetstream.JetStream, mode, stream string, n int) (float64, error) {
	var got atomic.Int64
	done := make(chan struct{})
	seen := func() {
		if got.Add(1) == int64(n) {
			close(done)
		}
	}
	start := time.Now()
	var stop func()
	if mode == "gantry" {
		sub := events.NewSubscriber(js, events.Consumer{Stream: stream, Durable: "bench", Concurrency: subConcurrency, Prefetch: subPrefetch},
			func(context.Context, events.Event[orderCreated]) error { seen(); return nil })
		if err := sub.Start(ctx); err != nil {
			return 0, err
		}
		stop = func() { _ = sub.Stop(context.Background()) }
	} else {
		c, err := js.CreateOrUpdateConsumer(ctx, stream, jetstream.ConsumerConfig{Durable: "bench", AckPolicy: jetstream.AckExplicitPolicy})
		if err != nil {
			return 0, err
		}
		cc, err := c.Consume(func(m jetstream.Msg) {
			var v orderCreated
			if json.Unmarshal(m.Data(), &v) == nil {
				_ = m.Ack()
				seen()
			}
		})
		if err != nil {
			return 0, err
		}
		stop = cc.Stop
	}
	defer stop()
	select {
	case <-done:
		return float64(n) / time.Since(start).Seconds(), nil
	case <-time.After(time.Minute):
		return 0, fmt.Errorf("consumed %d of %d in a minute", got.Load(), n)
	}
}

// cpuTicks is the user+system CPU time of pid in clock ticks (1/100 s), or
// 0 when pid is 0 or unreadable.
func cpuTicks(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}
