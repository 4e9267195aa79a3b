package nats_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	natst "github.com/gantrykit/gantry/transport/nats"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// connect starts an embedded server and returns a connection to it; both
// end with the test.
func connect(t testing.TB) *nats.Conn {
	t.Helper()
	srv, err := embedded.Start(embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := natst.Connect(srv.URL(), t.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

type greetReq struct {
	Name string `json:"name"`
}

type greetResp struct {
	Message string `json:"message"`
}

func serve(t testing.TB, nc *nats.Conn, subject string, f endpoint.Func[greetReq, greetResp], opts ...natst.Option) {
	t.Helper()
	s := natst.NewSubscriber(f, natst.DecodeJSON[greetReq], natst.EncodeJSON[greetResp], opts...)
	sub, err := s.Subscribe(nc, subject, "greeter")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func client(nc *nats.Conn, subject string, opts ...natst.Option) endpoint.Func[greetReq, greetResp] {
	return natst.NewClient(nc, subject, natst.EncodeJSON[greetReq], natst.DecodeJSON[greetResp], opts...)
}

func hello(_ context.Context, r greetReq) (greetResp, error) {
	return greetResp{Message: "hello " + r.Name}, nil
}

func TestRequestReply(t *testing.T) {
	nc := connect(t)
	serve(t, nc, "greet", hello)
	got, err := client(nc, "greet")(context.Background(), greetReq{Name: "ada"})
	if err != nil || got.Message != "hello ada" {
		t.Fatalf("got %+v, %v; want hello ada", got, err)
	}
}

func TestMalformedRequestIsInvalidArgument(t *testing.T) {
	nc := connect(t)
	serve(t, nc, "greet", hello)
	reply, err := nc.Request("greet", []byte("{not json"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if k := errs.KindOf(natst.ReplyError(reply)); k != errs.KindInvalidArgument {
		t.Fatalf("got kind %v, want invalid_argument", k)
	}
}

func TestErrorKindsRoundTrip(t *testing.T) {
	nc := connect(t)
	var want error
	serve(t, nc, "fail", func(context.Context, greetReq) (greetResp, error) { return greetResp{}, want })
	call := client(nc, "fail")
	for k := errs.KindInternal; k <= errs.KindCanceled; k++ {
		t.Run(k.String(), func(t *testing.T) {
			want = &errs.Error{Kind: k, Message: "about " + k.String(), RetryAfter: 1500 * time.Millisecond,
				Fields: []errs.FieldViolation{{Field: "f", Description: "d"}}}
			wantMsg := "about " + k.String()
			if k == errs.KindInternal {
				want = fmt.Errorf("query: %w", errors.New("password=hunter2"))
				wantMsg = k.Title()
			}
			_, err := call(context.Background(), greetReq{})
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *errs.Error", err, err)
			}
			if e.Kind != k || e.Message != wantMsg || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("got %v %q, want %v %q", e.Kind, err, k, wantMsg)
			}
			if k != errs.KindInternal && (e.RetryAfter != 1500*time.Millisecond || len(e.Fields) != 1 || e.Fields[0].Field != "f") {
				t.Errorf("got retry %v fields %v, want 1.5s and [f d]", e.RetryAfter, e.Fields)
			}
			// And on to HTTP: the problem document is the one the server would have sent.
			if p := errs.ToProblem(err); p.Status != k.HTTPStatus() || p.Code != k.String() {
				t.Errorf("problem %+v, want status %d code %s", p, k.HTTPStatus(), k)
			}
		})
	}
}

func TestDeadlineSeenBySubscriber(t *testing.T) {
	nc := connect(t)
	serve(t, nc, "deadline", func(ctx context.Context, _ greetReq) (greetResp, error) {
		d, ok := ctx.Deadline()
		if !ok {
			return greetResp{Message: "none"}, nil
		}
		return greetResp{Message: strconv.FormatInt(int64(time.Until(d)), 10)}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	got, err := client(nc, "deadline")(ctx, greetReq{})
	left, perr := strconv.ParseInt(got.Message, 10, 64)
	if err != nil || perr != nil || left <= 0 || time.Duration(left) > time.Hour {
		t.Fatalf("got %q, %v; want a remaining time in (0, 1h]", got.Message, err)
	}
}

func TestTimeoutAndNoResponders(t *testing.T) {
	nc := connect(t)
	done := make(chan error, 1)
	serve(t, nc, "slow", func(ctx context.Context, _ greetReq) (greetResp, error) {
		<-ctx.Done() // ends when the caller stops waiting
		done <- ctx.Err()
		return greetResp{}, ctx.Err()
	})
	_, err := client(nc, "slow", natst.WithTimeout(50*time.Millisecond))(context.Background(), greetReq{})
	if k := errs.KindOf(err); k != errs.KindDeadlineExceeded {
		t.Errorf("slow: got %v (%v), want deadline_exceeded", k, err)
	}
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("subscriber context ended with %v, want DeadlineExceeded", err)
	}
	_, err = client(nc, "nobody.home")(context.Background(), greetReq{})
	if k := errs.KindOf(err); k != errs.KindUnavailable {
		t.Errorf("no responders: got %v (%v), want unavailable", k, err)
	}
}

func TestQueueGroupSharesLoad(t *testing.T) {
	nc := connect(t)
	serve(t, nc, "q", func(context.Context, greetReq) (greetResp, error) { return greetResp{Message: "a"}, nil })
	serve(t, nc, "q", func(context.Context, greetReq) (greetResp, error) { return greetResp{Message: "b"}, nil })
	call := client(nc, "q")
	got := map[string]int{}
	for range 200 {
		r, err := call(context.Background(), greetReq{})
		if err != nil {
			t.Fatal(err)
		}
		got[r.Message]++
	}
	if got["a"]+got["b"] != 200 || got["a"] == 0 || got["b"] == 0 {
		t.Fatalf("answers %v, want 200 shared by a and b", got)
	}
}
