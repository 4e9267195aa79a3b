//go:build reliability

package reliability

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

type order struct {
	N int `json:"n"`
}

// fileStore is an events.Store whose "database" is an append-only file:
// applying an event and recording its ID are one write of one line, so
// they commit together, as the Store contract asks.
type fileStore struct {
	mu      sync.Mutex
	f       *os.File
	done    map[string]bool
	running map[string]bool
}

func openFileStore(path string) (*fileStore, error) {
	s := &fileStore{done: map[string]bool{}, running: map[string]bool{}}
	if b, err := os.ReadFile(path); err == nil {
		for _, l := range strings.Fields(string(b)) {
			s.done[l] = true
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	s.f = f
	return s, err
}

var errInProgress = errors.New("event in progress")

func (s *fileStore) Once(ctx context.Context, id string, apply func(context.Context) error) (bool, error) {
	s.mu.Lock()
	if s.done[id] {
		s.mu.Unlock()
		return false, nil
	}
	if s.running[id] {
		s.mu.Unlock()
		return false, errInProgress
	}
	s.running[id] = true
	s.mu.Unlock()
	err := apply(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, id)
	if err != nil {
		return false, err
	}
	if _, err := s.f.WriteString(id + "\n"); err != nil { // the commit
		return false, err
	}
	s.done[id] = true
	return true, nil
}

const (
	envConsumerNATS  = "RELIABILITY_CONSUMER_NATS"
	envConsumerStore = "RELIABILITY_CONSUMER_STORE"
)

// TestConsumerProcess is the consumer that the events scenario runs as a
// child process (and SIGKILLs); it skips when not started that way.
func TestConsumerProcess(t *testing.T) {
	url := os.Getenv(envConsumerNATS)
	if url == "" {
		t.Skip("run by the events scenario as a child process")
	}
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	store, err := openFileStore(os.Getenv(envConsumerStore))
	if err != nil {
		t.Fatal(err)
	}
	sub := events.NewSubscriber(js, events.Consumer{Stream: "ORDERS", Durable: "applier", AckWait: 2 * time.Second,
		Concurrency: 4, MaxDeliver: 50, Backoff: []time.Duration{100 * time.Millisecond}, FetchWait: 200 * time.Millisecond},
		events.Idempotent[order](store, func(context.Context, events.Event[order]) error {
			time.Sleep(3 * time.Millisecond) // the work
			return nil
		}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	for { // the stream may be unreachable for a moment (server restarting)
		if err = sub.Start(ctx); err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Println("consumer started")
	<-ctx.Done()
	_ = sub.Stop(context.Background())
}

// startConsumer runs TestConsumerProcess in a child process.
func startConsumer(t *testing.T, url, store string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestConsumerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envConsumerNATS+"="+url, envConsumerStore+"="+store)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// eventsCrash: a child-process consumer applies events through
// events.Idempotent while the publisher sends N events; the consumer is
// SIGKILLed and restarted twice and the NATS server is restarted once
// (same port and store). Publishes that fail are retried with the same
// event ID. Then three poison payloads are published. Every event must be
// applied exactly once and every poison event dead-lettered.
func eventsCrash(t *testing.T, p profile, f *fig) {
	n := 1000
	if p.full {
		n = 3000
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var mu sync.Mutex
	srv, err := embedded.Start(embedded.Options{Dir: filepath.Join(dir, "js"), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mu.Lock(); srv.Shutdown(); mu.Unlock() })
	url := srv.URL()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}}); err != nil {
		t.Fatal(err)
	}
	storePath := filepath.Join(dir, "applied.txt")
	child := startConsumer(t, url, storePath)
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()

	pub := events.NewPublisher[order](js, "orders.created")
	pubDone := make(chan int, 1)
	go func() {
		retries := 0
		for i := range n {
			for {
				pctx, cancel := context.WithTimeout(ctx, time.Second)
				_, err := pub.Publish(pctx, "e-"+strconv.Itoa(i), order{N: i})
				cancel()
				if err == nil {
					break
				}
				retries++
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(time.Millisecond)
		}
		pubDone <- retries
	}()

	start := time.Now()
	kills := 0
	crash := func() {
		_ = child.Process.Kill() // SIGKILL: no drain, no acks
		_ = child.Wait()
		kills++
		child = startConsumer(t, url, storePath)
	}
	time.Sleep(time.Duration(n/3) * time.Millisecond)
	crash()
	mu.Lock()
	srv.Shutdown()
	downAt := time.Now()
	time.Sleep(300 * time.Millisecond)
	srv, err = embedded.Start(embedded.Options{Dir: filepath.Join(dir, "js"), Port: port})
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	down := time.Since(downAt)
	time.Sleep(time.Duration(n/3) * time.Millisecond)
	crash()
	retries := <-pubDone

	// Poison: payloads the codec cannot decode, published raw.
	const poison = 3
	for i := range poison {
		msg := &nats.Msg{Subject: "orders.created", Data: []byte(`{"n": "not a number`), Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, "poison-"+strconv.Itoa(i))
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}

	var lines, unique int
	var dlq uint64
	err = waitFor(90*time.Second, func() bool {
		lines, unique = countLines(storePath)
		if s, err := js.Stream(ctx, "ORDERS_DLQ"); err == nil {
			if info, err := s.Info(ctx); err == nil {
				dlq = info.State.Msgs
			}
		}
		return unique >= n && dlq >= poison
	})
	took := time.Since(start)
	stored := uint64(0)
	if s, err := js.Stream(ctx, "ORDERS"); err == nil {
		if info, err := s.Info(ctx); err == nil {
			stored = info.State.Msgs
		}
	}
	f.Add("%d events published (%d publish retries, NATS down %v), consumer SIGKILLed %d times: %d applied, %d distinct, %d lost, %d applied twice; stream holds %d (%d poison); %d of %d poison events dead-lettered; all done in %v",
		n, retries, down.Round(time.Millisecond), kills, lines, unique, n-unique, lines-unique, stored, poison, dlq, poison, took.Round(100*time.Millisecond))
	if err != nil {
		t.Fatalf("not every event was applied or dead-lettered in time: %d of %d applied, %d of %d dead-lettered", unique, n, dlq, poison)
	}
	if lines != unique {
		t.Errorf("applied twice: got %d duplicate applications, want 0", lines-unique)
	}
	if dlq != poison {
		t.Errorf("dead letters: got %d, want %d", dlq, poison)
	}
}

func countLines(path string) (lines, unique int) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			lines++
			seen[l] = true
		}
	}
	return lines, len(seen)
}
