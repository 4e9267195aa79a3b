package kit

import (
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/kit/config"
)

type svcConfig struct {
	DSN   string `yaml:"dsn" secret:"true"`
	Limit int    `yaml:"limit" help:"orders per page"`
	Cache struct {
		TTL time.Duration `yaml:"ttl"`
	} `yaml:"cache"`
}

func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.yaml")
	yml := "gantry:\n  drain_delay: 1s\n  shutdown_timeout: 3s\n  log_level: debug\n  tls: {cert_file: c.pem, key_file: k.pem}\nservice:\n  dsn: file-dsn\n  limit: 10\n  cache:\n    ttl: 1m\n"
	if err := os.WriteFile(file, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	svc := svcConfig{Limit: 5}
	a := New("order-api", WithConfig(&svc), WithLogOutput(&logcheck.Buffer{}), WithoutSignals(),
		WithArgs([]string{"-shutdown-timeout=4s", "-limit=30"}),
		WithGetenv(env(map[string]string{
			"GANTRY_CONFIG": file, "GANTRY_DRAIN_DELAY": "2s", "GANTRY_SHUTDOWN_TIMEOUT": "9s",
			"ORDER_API_DSN": "env-dsn", "ORDER_API_LIMIT": "20",
		})))
	if err := a.Err(); err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	c := a.Config()
	checks := []struct {
		key       string
		got, want any
	}{
		{"http_addr (default)", c.HTTPAddr, ":8080"},
		{"drain_delay (env over file)", c.DrainDelay, 2 * time.Second},
		{"shutdown_timeout (flag over env)", c.ShutdownTimeout, 4 * time.Second},
		{"log_level (file)", c.LogLevel, slog.LevelDebug},
		{"tls.cert_file (file)", c.TLS.CertFile, "c.pem"},
		{"service dsn (env over file)", svc.DSN, "env-dsn"},
		{"service limit (flag over env)", svc.Limit, 30},
		{"service cache.ttl (file)", svc.Cache.TTL, time.Minute},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.key, ch.got, ch.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		opts []Option
		want string
	}{
		{"bad env duration", nil, map[string]string{"GANTRY_DRAIN_DELAY": "5x"}, nil,
			`config: GANTRY_DRAIN_DELAY: time: unknown unit "x" in duration "5x"`},
		{"bad flag", []string{"-max-header-bytes=big"}, nil, nil,
			`config: -max-header-bytes: strconv.ParseInt: parsing "big": invalid syntax`},
		{"bad log format", nil, map[string]string{"GANTRY_LOG_FORMAT": "xml"}, nil,
			`config: gantry: log_format: got "xml", want json or text`},
		{"half TLS", []string{"-tls-cert-file=c.pem"}, nil, nil,
			`config: gantry: tls: set both cert_file and key_file, or neither`},
		{"service key", nil, map[string]string{"X_LIMIT": "lots"}, []Option{WithConfig(&svcConfig{}), WithEnvPrefix("X")},
			`config: X_LIMIT: strconv.ParseInt: parsing "lots": invalid syntax`},
		{"flag clash", nil, nil, []Option{WithConfig(&struct {
			HTTPAddr string `yaml:"http_addr"`
		}{})}, `config: flag -http-addr is defined twice (section "service")`},
		{"missing file", []string{"-config=/nonexistent/app.yaml"}, nil, nil,
			`config: open /nonexistent/app.yaml: no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New("svc", append([]Option{WithArgs(tt.args), WithGetenv(env(tt.env)), WithLogOutput(&logcheck.Buffer{}), WithoutSignals()}, tt.opts...)...)
			if err := a.Err(); err == nil || err.Error() != tt.want {
				t.Errorf("Err: got %v, want %s", err, tt.want)
			}
			if err := a.Run(t.Context()); err == nil || err.Error() != tt.want {
				t.Errorf("Run: got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestConfigSectionsAndHelp(t *testing.T) {
	type policy struct {
		Timeout time.Duration `yaml:"timeout" help:"per-request timeout"`
	}
	p := policy{Timeout: time.Second}
	a := New("svc", WithConfigSection("middleware", "GANTRY_MW", &p), WithLogOutput(&logcheck.Buffer{}),
		WithArgs([]string{"-middleware-timeout=3s"}), WithGetenv(env(map[string]string{"GANTRY_MW_TIMEOUT": "2s"})))
	if err := a.Err(); err != nil || p.Timeout != 3*time.Second {
		t.Errorf("got timeout %v err %v, want 3s nil", p.Timeout, err)
	}
	h := New("svc", WithArgs([]string{"-h"}), WithLogOutput(&logcheck.Buffer{}), WithGetenv(env(nil)))
	err := h.Err()
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-http-addr", "(env GANTRY_HTTP_ADDR)", "-tls-cert-file", "-config"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("usage lacks %q", want)
		}
	}
	if New("", WithArgs(nil), WithLogOutput(&logcheck.Buffer{})).Err() == nil {
		t.Errorf("empty name: got nil error, want one")
	}
}

// TestDocListsEveryKey keeps doc.go's table of runtime keys complete.
func TestDocListsEveryKey(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultConfig()
	keys, err := config.Keys(config.Section{Key: "gantry", EnvPrefix: "GANTRY", Target: &def})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		for _, want := range []string{k.Env, "-" + k.Flag} {
			if !strings.Contains(string(doc), want) {
				t.Errorf("doc.go does not mention %s (key %s)", want, k.Path)
			}
		}
	}
}

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

func TestAppNATSReplicas(t *testing.T) {
	if got := New("svc", WithArgs(nil), WithGetenv(env(nil))).Config().NATS.Replicas; got != 1 {
		t.Errorf("default nats.replicas = %d, want 1", got)
	}
	if got := New("svc", WithArgs(nil), WithGetenv(env(map[string]string{"GANTRY_NATS_REPLICAS": "3"}))).Config().NATS.Replicas; got != 3 {
		t.Errorf("GANTRY_NATS_REPLICAS=3: nats.replicas = %d, want 3", got)
	}
	for _, n := range []string{"0", "6", "-1", "three"} {
		a := New("svc", WithArgs(nil), WithGetenv(env(map[string]string{"GANTRY_NATS_REPLICAS": n})))
		if err := a.Err(); err == nil || !strings.Contains(strings.ToLower(err.Error()), "replicas") {
			t.Errorf("GANTRY_NATS_REPLICAS=%s: Err = %v, want an error naming nats.replicas", n, err)
		}
	}
}
