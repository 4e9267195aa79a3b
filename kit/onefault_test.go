package kit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gantrykit/gantry/endpoint"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// TestOneClientCannotCloseAnOperation: one anonymous client repeating a
// request that makes the service fail (a bug its input reaches: a plain
// error, 500) cannot make the operation refuse anyone else's valid
// requests, however many times it tries, in a row or alongside them. The
// default server chain answers each call on its own merits: it has no
// breaker to turn one client's failures into everyone's 503.
func TestOneClientCannotCloseAnOperation(t *testing.T) {
	type note struct {
		Text string `json:"text" validate:"required,max=100"`
	}
	type saved struct {
		ID   int    `json:"id"`
		Text string `json:"text"`
	}
	a := newTestApp(t, nil, nil)
	save := endpoint.Wrap(func(_ context.Context, n note) (saved, error) {
		if n.Text == "boom" {
			return saved{}, errors.New("a bug this input reaches")
		}
		return saved{ID: 1, Text: n.Text}, nil
	}, a.Middleware("save_note")...)
	a.HTTP().Handle("POST /v1/notes", httpt.NewServer(save, httpt.WithStatus(http.StatusCreated)))
	start(t, a)
	url := "http://" + a.HTTPAddr() + "/v1/notes"
	post := func(text string) int {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"text":"`+text+`"}`))
		if err != nil {
			t.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	// In a row: far past any breaker's trip (5 in a row, half of 20).
	for round := range 5 {
		for range 40 {
			if got := post("boom"); got != http.StatusInternalServerError {
				t.Fatalf("round %d: the failing request got %d, want 500 (its own failure, nothing else)", round, got)
			}
		}
		if got := post("hello"); got != http.StatusCreated {
			t.Fatalf("round %d: after 40 failures a valid request got %d, want 201", round, got)
		}
	}

	// Alongside: the attacker never stops while others call.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				post("boom")
			}
		}
	})
	for i := range 200 {
		if got := post("hello"); got != http.StatusCreated {
			t.Errorf("valid request %d during the attack got %d, want 201", i, got)
			break
		}
	}
	close(stop)
	wg.Wait()
}
