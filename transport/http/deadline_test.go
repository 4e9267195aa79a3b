package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	httpt "github.com/gantrykit/gantry/transport/http"
)

// TestTimeoutHeaderServer: Mux gives a handler's context the deadline its
// caller announced, and none for a missing or bad header.
func TestTimeoutHeaderServer(t *testing.T) {
	m := httpt.NewMux()
	left := make(chan time.Duration, 1)
	m.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) {
		dl, ok := r.Context().Deadline()
		if !ok {
			left <- -1
			return
		}
		left <- time.Until(dl)
	})
	for _, c := range []struct {
		header  string
		max     time.Duration // -1: no deadline
		minimum time.Duration
	}{
		{"250ms", 250 * time.Millisecond, time.Millisecond},
		{"1500us", 1500 * time.Microsecond, 0},
		{"", -1, 0},
		{"soon", -1, 0},
		{"-5s", -1, 0},
	} {
		r := httptest.NewRequest("GET", "/x", nil)
		if c.header != "" {
			r.Header.Set(httpt.HeaderTimeout, c.header)
		}
		m.ServeHTTP(httptest.NewRecorder(), r)
		got := <-left
		if c.max < 0 {
			if got != -1 {
				t.Errorf("header %q: got a deadline %v away, want none", c.header, got)
			}
			continue
		}
		if got > c.max || got < c.minimum {
			t.Errorf("header %q: deadline %v away, want in [%v, %v]", c.header, got, c.minimum, c.max)
		}
	}
}

// TestTimeoutHeaderClient: the typed client tells the server how long it
// will wait, and nothing when its context has no deadline.
func TestTimeoutHeaderClient(t *testing.T) {
	seen := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get(httpt.HeaderTimeout)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, err := httpt.NewClient[struct{}, map[string]any]("GET", srv.URL, "/x")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.Func()(ctx, struct{}{}); err != nil {
		t.Fatal(err)
	}
	d, err := time.ParseDuration(<-seen)
	if err != nil || d <= 0 || d > 2*time.Second {
		t.Errorf("with a 2s deadline the server saw %v (%v), want a duration in (0, 2s]", d, err)
	}
	if _, err := c.Func()(context.Background(), struct{}{}); err != nil {
		t.Fatal(err)
	}
	if v := <-seen; v != "" {
		t.Errorf("without a deadline the server saw %q, want no header", v)
	}
}
