package recovery_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/recovery"
)

func TestRecovery(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		next      func(context.Context, any) (any, error)
		wantResp  any
		wantErr   error
		wantPanic bool
		wantLog   string
	}{
		{name: "success passes", next: func(context.Context, any) (any, error) { return "ok", nil }, wantResp: "ok"},
		{name: "error passes", next: func(context.Context, any) (any, error) { return nil, boom }, wantErr: boom},
		{name: "string panic", next: func(context.Context, any) (any, error) { panic("oops") }, wantErr: errs.KindInternal, wantLog: "oops"},
		{name: "error panic unwraps", next: func(context.Context, any) (any, error) { panic(boom) }, wantErr: boom, wantLog: "boom"},
		{name: "runtime error", next: func(_ context.Context, req any) (any, error) {
			return req.([]int)[3], nil
		}, wantErr: errs.KindInternal, wantLog: "interface conversion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			r := recovery.New(recovery.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
			resp, err := r.For("get_order")(tt.next)(context.Background(), nil)
			if resp != tt.wantResp {
				t.Errorf("got resp %v, want %v", resp, tt.wantResp)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got err %v, want %v", err, tt.wantErr)
			}
			if tt.wantLog == "" {
				if buf.Len() != 0 {
					t.Errorf("got log %q, want none", buf.String())
				}
				return
			}
			if k := errs.KindOf(err); k != errs.KindInternal {
				t.Errorf("got kind %v, want internal", k)
			}
			if !recovery.IsPanic(err) {
				t.Errorf("got IsPanic false, want true")
			}
			if err.Error() == "" || strings.Contains(errs.ToProblem(err).Detail, tt.wantLog) {
				t.Errorf("got problem detail %q, want the panic hidden", errs.ToProblem(err).Detail)
			}
			log := buf.String()
			for _, want := range []string{tt.wantLog, `"op":"get_order"`, "recovery_test.go", `"level":"ERROR"`} {
				if !strings.Contains(log, want) {
					t.Errorf("got log %s, want it to contain %q", log, want)
				}
			}
		})
	}
}

func TestAbortHandlerRepanics(t *testing.T) {
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("got panic %v, want http.ErrAbortHandler", v)
		}
	}()
	r := recovery.New()
	_, _ = r.For("op")(func(context.Context, any) (any, error) { panic(http.ErrAbortHandler) })(context.Background(), nil)
	t.Errorf("got no panic, want http.ErrAbortHandler re-raised")
}

func BenchmarkRecovery(b *testing.B) {
	next := func(context.Context, any) (any, error) { return nil, nil }
	ctx := context.Background()
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = next(ctx, nil)
		}
	})
	b.Run("recovery", func(b *testing.B) {
		e := recovery.New().For("op")(next)
		b.ReportAllocs()
		for b.Loop() {
			_, _ = e(ctx, nil)
		}
	})
}
