package kit

import (
	"context"
	"strings"
	"testing"
)

// Tests with a real server live in transport/nats/embedded, so that this
// package's test binary does not link nats-server (whose net/http/pprof
// import registers on http.DefaultServeMux).

func TestAppNATSConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		embed EmbeddedNATS
		want  string
	}{
		{"bad port", map[string]string{"GANTRY_NATS_PORT": "many"}, func(string, int) (string, func(), error) { return "", nil, nil }, "GANTRY_NATS_PORT"},
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
