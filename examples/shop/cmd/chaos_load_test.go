//go:build reliability

package cmd_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// chaosLoad is the load of the chaos test: clients that browse and place
// orders through the gateway, each order with an Idempotency-Key, and
// retry whatever failed in a way a retry may mend (no answer, 409, 429,
// 5xx) with the same key, for up to retryFor. It counts every attempt,
// every retry and what the client could not get done.
type chaosLoad struct {
	gw     string
	hc     *http.Client
	stop   atomic.Bool
	wg     sync.WaitGroup
	keySeq atomic.Int64

	mu       sync.Mutex
	attempts map[int]int       // status of each attempt (0: no answer)
	visible  map[string]int    // requests given up on, by "METHOD status"
	orders   map[string]string // Idempotency-Key -> order ID
	owner    map[string]int    // order ID -> client
	repeats  int               // orders sent again after their 202
	split    []string          // keys answered with two different orders
	browsed  int
}

// retryFor bounds how long a client keeps retrying one request.
const retryFor = 30 * time.Second

func newChaosLoad(gw string) *chaosLoad {
	return &chaosLoad{gw: gw, hc: &http.Client{Timeout: 10 * time.Second},
		attempts: map[int]int{}, visible: map[string]int{}, orders: map[string]string{}, owner: map[string]int{}}
}

// run starts one client per token, until halt.
func (l *chaosLoad) run(tokens []string) {
	for c, tok := range tokens {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 0; !l.stop.Load(); n++ {
				pid := fmt.Sprintf("p%02d", 1+rand.IntN(12))
				if status, _ := l.do("GET", "/api/v1/products/"+pid, "", "", ""); status == 200 {
					l.mu.Lock()
					l.browsed++
					l.mu.Unlock()
				}
				key := l.order(c, tok, pid, "")
				if key != "" && n%4 == 3 {
					// The client never saw the answer: it sends the order again.
					l.order(c, tok, pid, key)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
}

func (l *chaosLoad) halt() { l.stop.Store(true); l.wg.Wait() }

// order places one unit of pid for client c with a new key (or key, sent
// again) and records the order it was answered; it returns the key of an
// acknowledged order, "" otherwise.
func (l *chaosLoad) order(c int, token, pid, key string) string {
	again := key != ""
	if !again {
		key = fmt.Sprintf(`"chaos-%d-%d"`, c, l.keySeq.Add(1))
	}
	status, body := l.do("POST", "/api/v1/orders", token, key, `{"items":[{"product_id":"`+pid+`","quantity":1}]}`)
	if status != 202 {
		return ""
	}
	var o struct{ ID string }
	json.Unmarshal(body, &o)
	l.mu.Lock()
	defer l.mu.Unlock()
	if again {
		l.repeats++
	}
	if prev, ok := l.orders[key]; ok && prev != o.ID {
		l.split = append(l.split, fmt.Sprintf("%s: %s and %s", key, prev, o.ID))
	}
	l.orders[key], l.owner[o.ID] = o.ID, c
	return key
}

// retryable reports whether an answer with status may be mended by
// sending the same request again (with its key, for a POST).
func retryable(status int) bool {
	return status == 0 || status == 409 || status == 429 || status >= 500
}

// do sends the request until it gets an answer a retry cannot change, or
// for retryFor, backing off from 50 ms to 1 s; it returns the last status
// and body. What it gave up on is a client-visible error.
func (l *chaosLoad) do(method, path, token, key, body string) (int, []byte) {
	deadline := time.Now().Add(retryFor)
	backoff := 50 * time.Millisecond
	for {
		req, _ := http.NewRequest(method, l.gw+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		status, b := 0, []byte(nil)
		if resp, err := l.hc.Do(req); err == nil {
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		l.mu.Lock()
		l.attempts[status]++
		if status >= 400 && (!retryable(status) || time.Now().After(deadline)) || status == 0 && time.Now().After(deadline) {
			l.visible[fmt.Sprintf("%s %d", method, status)]++
		}
		l.mu.Unlock()
		if !retryable(status) || time.Now().After(deadline) || l.stop.Load() && method == "GET" {
			return status, b
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, time.Second)
	}
}

// figures returns the counts under the lock.
func (l *chaosLoad) figures() (attempts map[int]int, visible map[string]int, retried int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s, n := range l.attempts {
		if retryable(s) {
			retried += n
		}
	}
	return l.attempts, l.visible, retried
}

// probe places an order for client c, waits until it is confirmed or
// rejected and returns when it was: the order flow works end to end.
func (l *chaosLoad) probe(c int, token string) time.Time {
	key := ""
	for key == "" {
		key = l.order(c, token, "p05", "")
	}
	l.mu.Lock()
	id := l.orders[key]
	l.mu.Unlock()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		_, body := l.do("GET", "/api/v1/orders/"+id, token, "", "")
		var o struct{ Status string }
		json.Unmarshal(body, &o)
		if o.Status == "confirmed" || o.Status == "rejected" {
			return time.Now()
		}
		time.Sleep(25 * time.Millisecond)
	}
	return deadline
}
