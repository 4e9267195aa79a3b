package kit

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gantrykit/gantry/middleware"
)

// Config is the runtime's own configuration: the gantry: section of the
// YAML file, GANTRY_* environment variables and the flags below. Each key
// is listed, with its default, in the package documentation. After New,
// App.Config returns the loaded values.
type Config struct {
	HTTPAddr  string `yaml:"http_addr" help:"service HTTP listen address"`
	AdminAddr string `yaml:"admin_addr" help:"admin HTTP listen address (/metrics, /healthz, /readyz; /debug/pprof/ with kit/pprofkit)"`

	DrainDelay      time.Duration `yaml:"drain_delay" help:"time between readiness turning 503 and the listeners closing"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" help:"bound on closing connections, stop hooks and flushing telemetry"`
	CheckTimeout    time.Duration `yaml:"check_timeout" help:"timeout of each readiness check"`

	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout" help:"time to read a request's headers"`
	ReadTimeout       time.Duration `yaml:"read_timeout" help:"time to read a whole request, body included (0: none)"`
	WriteTimeout      time.Duration `yaml:"write_timeout" help:"time to write a response (0: none; use the timeout middleware)"`
	IdleTimeout       time.Duration `yaml:"idle_timeout" help:"keep-alive connection idle time"`
	MaxHeaderBytes    int           `yaml:"max_header_bytes" help:"maximum size of a request's headers"`

	LogFormat string     `yaml:"log_format" help:"json or text"`
	LogLevel  slog.Level `yaml:"log_level" help:"debug, info, warn or error"`
	Instance  string     `yaml:"instance" help:"instance ID in logs, traces and discovery (default: host-random)"`
	Pprof     bool       `yaml:"pprof" help:"serve /debug/pprof/ on the admin listener, once kit/pprofkit is mounted"`

	TLS TLSConfig `yaml:"tls"`

	GRPCAddr string     `yaml:"grpc_addr" help:"gRPC listen address, used once a gRPC service is registered (kit/grpckit)"`
	NATS     NATSConfig `yaml:"nats"`
	DataDir  string     `yaml:"data_dir" help:"directory for embedded state such as NATS JetStream (default: gantry-SERVICE under the OS temp dir)"`

	// Middleware tunes the default server chain of App.Middleware.
	Middleware middleware.Config `yaml:"middleware"`
	// Client tunes the default client chain of App.ClientMiddleware.
	Client middleware.ClientConfig `yaml:"client"`
}

// TLSConfig names the service listener's certificate and key files. When
// both are set the service listener serves HTTPS and rereads the files when
// they change on disk. With ClientCAFile too it serves mutual TLS: a client
// must present a certificate signed by one of those CAs
// (tls.RequireAndVerifyClientCert), and the bundle is reread like the
// certificate.
type TLSConfig struct {
	CertFile     string `yaml:"cert_file" help:"PEM certificate chain for the service listener"`
	KeyFile      string `yaml:"key_file" help:"PEM private key for the service listener"`
	ClientCAFile string `yaml:"client_ca_file" help:"PEM CA bundle; when set, clients must present a certificate it signed (mTLS)"`
}

// NATSConfig says where the App's NATS connection (kit/natskit) goes.
type NATSConfig struct {
	URL  string `yaml:"url" secret:"true" help:"external NATS server or cluster, comma-separated (may hold credentials, so environment or file only); empty starts an embedded server"`
	Port int    `yaml:"port" help:"port of the embedded NATS server on 127.0.0.1 (0: any free port)"`
	// Replicas is how many copies JetStream keeps of what the App declares:
	// its streams, their dead-letter streams and the discovery and
	// configuration buckets. 1 for one server; 3 on a cluster of three or
	// more, so that losing a node loses nothing acknowledged (package
	// events, "Durability"). Every service sharing the cluster should say
	// the same.
	Replicas int `yaml:"replicas" help:"JetStream replicas of the streams and KV buckets the App declares: 1 for one server, 3 on a cluster (at most 5)"`
}

// DefaultGRPCAddr is where kit/grpckit's server listens when
// GANTRY_GRPC_ADDR is not set.
const DefaultGRPCAddr = ":50051"

// DefaultNATSPort is the port of kit/natskit's embedded NATS server when
// GANTRY_NATS_PORT is not set.
const DefaultNATSPort = 4222

// DefaultConfig returns the runtime defaults.
func DefaultConfig() Config {
	return Config{
		HTTPAddr:          ":8080",
		AdminAddr:         ":9090",
		DrainDelay:        5 * time.Second,
		ShutdownTimeout:   20 * time.Second,
		CheckTimeout:      2 * time.Second,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      0,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		LogFormat:         "json",
		LogLevel:          slog.LevelInfo,
		Pprof:             true,
		GRPCAddr:          DefaultGRPCAddr,
		NATS:              NATSConfig{Port: DefaultNATSPort, Replicas: 1},
	}
}

// Validate reports the first value no server could run with.
func (c *Config) Validate() error {
	switch {
	case c.HTTPAddr == "":
		return errors.New("http_addr must not be empty")
	case c.AdminAddr == "":
		return errors.New("admin_addr must not be empty")
	case c.LogFormat != "json" && c.LogFormat != "text":
		return fmt.Errorf("log_format: got %q, want json or text", c.LogFormat)
	case c.DrainDelay < 0 || c.ShutdownTimeout <= 0 || c.CheckTimeout <= 0:
		return errors.New("drain_delay must not be negative; shutdown_timeout and check_timeout must be positive")
	case c.ReadHeaderTimeout <= 0 || c.IdleTimeout <= 0:
		return errors.New("read_header_timeout and idle_timeout must be positive")
	case c.ReadTimeout < 0 || c.WriteTimeout < 0:
		return errors.New("read_timeout and write_timeout must not be negative")
	case c.MaxHeaderBytes <= 0:
		return errors.New("max_header_bytes must be positive")
	case c.GRPCAddr == "":
		return errors.New("grpc_addr must not be empty")
	case c.NATS.Port < 0 || c.NATS.Port > 65535:
		return fmt.Errorf("nats.port: got %d, want 0-65535", c.NATS.Port)
	case c.NATS.Replicas < 1 || c.NATS.Replicas > 5:
		return fmt.Errorf("nats.replicas: got %d, want 1-5", c.NATS.Replicas)
	case (c.TLS.CertFile == "") != (c.TLS.KeyFile == ""):
		return errors.New("tls: set both cert_file and key_file, or neither")
	case c.TLS.ClientCAFile != "" && c.TLS.CertFile == "":
		return errors.New("tls: client_ca_file needs cert_file and key_file")
	}
	if err := c.Middleware.Validate(); err != nil {
		return fmt.Errorf("middleware.%w", err)
	}
	if err := c.Client.Validate(); err != nil {
		return fmt.Errorf("client.%w", err)
	}
	return nil
}
