package nats_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	natst "github.com/gantrykit/gantry/transport/nats"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A connection's own Drain logs no warning; losing the server does.
func TestConnectLogsOnlyRealDisconnects(t *testing.T) {
	for _, tt := range []struct {
		name     string
		end      func(*nats.Conn, *embedded.Server)
		wantWarn bool
	}{
		{"drain", func(nc *nats.Conn, _ *embedded.Server) { _ = nc.Drain() }, false},
		{"close", func(nc *nats.Conn, _ *embedded.Server) { nc.Close() }, false},
		{"server gone", func(_ *nats.Conn, srv *embedded.Server) { srv.Shutdown() }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := embedded.Start(embedded.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			logs := &syncBuf{}
			done := make(chan struct{}, 1)
			nc, err := natst.Connect(srv.URL(), t.Name(), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				nats.ClosedHandler(func(*nats.Conn) { done <- struct{}{} }))
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			tt.end(nc, srv)
			// nats.go runs the handlers in order on one goroutine: the
			// disconnect handler has run once the next one logged.
			want := `"msg":"nats connection closed"`
			if tt.wantWarn {
				want = `"msg":"nats disconnected"`
			} else {
				<-done
			}
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) && !strings.Contains(logs.String(), want) {
				time.Sleep(10 * time.Millisecond)
			}
			if got := strings.Contains(logs.String(), `"level":"WARN"`); got != tt.wantWarn || !strings.Contains(logs.String(), want) {
				t.Errorf("logs %q: warning %v, want %v and %s", logs.String(), got, tt.wantWarn, want)
			}
		})
	}
}
