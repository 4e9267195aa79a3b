// Package config fills typed Go structs from, in rising precedence, the
// values they already hold (the defaults), one YAML file, environment
// variables and command-line flags. It is the loader behind kit.New; use it
// directly only for programs that do not run a kit.App (a command-line tool,
// the gateway command).
//
// A struct is bound as a Section: a top-level key in the YAML file, a prefix
// for environment variables and a prefix for flags. Every exported field is
// a key. Its name is the field's yaml tag (or, as in yaml.v3, the lower-cased
// field name); the environment variable is PREFIX_PATH_KEY and the flag is
// -prefix-path-key, where PATH is the chain of nested struct keys:
//
//	type DB struct {
//		URL      string        `yaml:"url" help:"database URL" secret:"true"`
//		MaxConns int           `yaml:"max_conns" help:"connection pool size"`
//		Timeout  time.Duration `yaml:"timeout"`
//	}
//	type Config struct {
//		DB    DB       `yaml:"db"`
//		Peers []string `yaml:"peers" help:"comma-separated in env and flags"`
//	}
//
// bound as Section{Key: "service", EnvPrefix: "ORDERS", Target: &cfg} reads
//
//	service:
//	  db: {url: "postgres://…", max_conns: 8, timeout: 2s}
//	  peers: [a, b]
//
// or ORDERS_DB_MAX_CONNS=8, or -db-max-conns=8. Supported field types are
// string, bool, the int, uint and float kinds, time.Duration, []string and
// any type whose pointer implements encoding.TextUnmarshaler (slog.Level,
// netip.Addr…); nested structs become nested keys. A field tagged
// secret:"true" has no flag: secrets come from the file or the environment,
// never from a command line that ps can show. The help tag is the flag's
// usage text. A field tagged yaml:"-" is not a key.
//
// An environment variable set to the empty string counts as unset. A YAML
// key with a null value keeps the default.
//
// What the caller sees: Load returns the first bad value as an error naming
// where it came from and the key, for example
//
//	config: GANTRY_DRAIN_DELAY: time: unknown unit "x" in duration "5x"
//	config: app.yaml:4: gantry.drain_delay: time: unknown unit "x" in duration "5x"
//	config: -drain-delay: time: unknown unit "x" in duration "5x"
//
// Unknown YAML keys and unknown flags are errors too. When a Target has a
// Validate() error method it is called after loading, and its error is
// returned prefixed with the section key. -h or -help returns a *HelpError
// whose text is the usage and which matches flag.ErrHelp with errors.Is.
package config
