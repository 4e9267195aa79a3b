package kit

import (
	"context"
	"strings"
	"testing"
)

// Tests with a real server live in transport/nats/embedded, so that this
// package's test binary does not link nats-server (whose net/http/pprof
// import registers on http.DefaultServeMux).

// A bad NATS setting is a configuration error, caught by New before
// anything starts.
func TestAppNATSBadPort(t *testing.T) {
	for _, port := range []string{"many", "-1", "70000"} {
		a := New("svc", WithArgs(nil), WithGetenv(env(map[string]string{"GANTRY_NATS_PORT": port})))
		if err := a.Err(); err == nil || !strings.Contains(strings.ToLower(err.Error()), "nats") {
			t.Errorf("GANTRY_NATS_PORT=%s: Err = %v, want an error naming the key", port, err)
		}
	}
}

func TestAppNATSConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		embed EmbeddedNATS
		want  string
	}{
		{"no url, no embedded server", nil, nil, "GANTRY_NATS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestApp(t, nil, nil, WithGetenv(env(tt.env)))
			a.NewNATS(tt.embed)
			if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
