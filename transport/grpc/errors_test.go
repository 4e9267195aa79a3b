package grpc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// Every kind crosses the wire and comes back as the same kind with the same
// message; internal text never leaves the server.
func TestErrorKindsRoundTrip(t *testing.T) {
	var want error
	_, cc := start(t, func(context.Context, string) (string, error) { return "", want })
	call := greetClient(cc)
	for k := errs.KindInternal; k <= errs.KindCanceled; k++ {
		t.Run(k.String(), func(t *testing.T) {
			want = &errs.Error{Kind: k, Message: "about " + k.String(), RetryAfter: 2 * time.Second,
				Fields: []errs.FieldViolation{{Field: "f", Description: "d"}}}
			wantMsg := "about " + k.String()
			if k == errs.KindInternal {
				want = fmt.Errorf("query: %w", errors.New("password=hunter2"))
				wantMsg = k.Title()
			}
			_, err := call(context.Background(), "x")
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *errs.Error", err, err)
			}
			if e.Kind != k || e.Message != wantMsg {
				t.Errorf("got %v %q, want %v %q", e.Kind, e.Message, k, wantMsg)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("internal text leaked: %q", err)
			}
			if k != errs.KindInternal && (e.RetryAfter != 2*time.Second || len(e.Fields) != 1 || e.Fields[0] != (errs.FieldViolation{Field: "f", Description: "d"})) {
				t.Errorf("got retry %v fields %v, want 2s and [f d]", e.RetryAfter, e.Fields)
			}
		})
	}
}

// HTTP → gRPC → HTTP: a problem document's error survives a gRPC hop.
func TestErrorKindsHTTPGRPC(t *testing.T) {
	for k := errs.KindInternal + 1; k <= errs.KindCanceled; k++ {
		in := errs.ToProblem(&errs.Error{Kind: k, Message: "m"}).Err()
		out := grpct.FromStatus(grpct.ToStatus(in))
		p := errs.ToProblem(out)
		if p.Status != k.HTTPStatus() || p.Code != k.String() || p.Detail != "m" {
			t.Errorf("kind %v: got problem %+v, want status %d detail m", k, p, k.HTTPStatus())
		}
	}
}

func TestToStatusPassesStatusThrough(t *testing.T) {
	in := status.Error(7, "raw")
	if got := grpct.ToStatus(in); status.Code(got) != 7 || status.Convert(got).Message() != "raw" {
		t.Errorf("got %v, want code 7 raw", got)
	}
	if grpct.ToStatus(nil) != nil || grpct.FromStatus(nil) != nil {
		t.Error("nil did not map to nil")
	}
	plain := errors.New("not a status")
	if got := grpct.FromStatus(plain); got != plain {
		t.Errorf("got %v, want the error unchanged", got)
	}
}

// FromStatus decodes whatever status a server sends, details included,
// without panicking, and always into an *errs.Error of the code's kind.
func FuzzFromStatus(f *testing.F) {
	seed, _ := proto.Marshal(status.Convert(grpct.ToStatus(errs.TooManyRequests(time.Second, "slow"))).Proto())
	f.Add(seed)
	f.Add([]byte{0x08, 0x05, 0x12, 0x01, 'x'})
	f.Fuzz(func(t *testing.T, wire []byte) {
		var sp spb.Status
		if proto.Unmarshal(wire, &sp) != nil || sp.GetCode() == 0 {
			return
		}
		err := grpct.FromStatus(status.FromProto(&sp).Err())
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.KindFromGRPC(uint32(status.FromProto(&sp).Code())) {
			t.Fatalf("got %#v, want an *errs.Error of the code's kind", err)
		}
	})
}
