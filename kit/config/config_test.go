package config

import (
	"errors"
	"flag"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

type dbConf struct {
	URL      string        `yaml:"url" secret:"true"`
	MaxConns int           `yaml:"max_conns" help:"pool size"`
	Timeout  time.Duration `yaml:"timeout"`
}

type testConf struct {
	Addr    string     `yaml:"addr" help:"listen address"`
	Debug   bool       `yaml:"debug"`
	Level   slog.Level `yaml:"level"`
	Ratio   float64    `yaml:"ratio"`
	Port    uint16     `yaml:"port"`
	Peers   []string   `yaml:"peers"`
	DB      dbConf     `yaml:"db"`
	Skipped string     `yaml:"-"`
	Plain   int
}

func defaults() *testConf {
	return &testConf{Addr: ":80", Ratio: 0.5, Port: 1, DB: dbConf{MaxConns: 4, Timeout: time.Second}}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		s, ok := m[name]
		if !ok {
			return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
		}
		return []byte(s), nil
	}
}

func load(t *testing.T, c *testConf, src Source) error {
	t.Helper()
	src.FileFlag, src.FileEnv = "config", "APP_CONFIG"
	return Load(src, Section{Key: "service", EnvPrefix: "APP", Target: c})
}

func TestPrecedence(t *testing.T) {
	yml := "service:\n  addr: :81\n  debug: true\n  level: warn\n  peers: [a, b]\n  db:\n    url: pg://file\n    max_conns: 5\n    timeout: 2s\n  plain: 7\n"
	tests := []struct {
		name string
		src  Source
		want func(c *testConf) bool
	}{
		{"defaults", Source{}, func(c *testConf) bool { return c.Addr == ":80" && c.DB.MaxConns == 4 && c.Peers == nil }},
		{"file via env", Source{Getenv: env(map[string]string{"APP_CONFIG": "a.yaml"})},
			func(c *testConf) bool {
				return c.Addr == ":81" && c.Debug && c.Level == slog.LevelWarn && strings.Join(c.Peers, "|") == "a|b" &&
					c.DB.URL == "pg://file" && c.DB.MaxConns == 5 && c.DB.Timeout == 2*time.Second && c.Plain == 7 && c.Ratio == 0.5
			}},
		{"env over file", Source{Args: []string{"-config", "a.yaml"}, Getenv: env(map[string]string{"APP_ADDR": ":82", "APP_DB_MAX_CONNS": "6", "APP_PEERS": "x, y,,"})},
			func(c *testConf) bool {
				return c.Addr == ":82" && c.DB.MaxConns == 6 && strings.Join(c.Peers, "|") == "x|y" && c.DB.URL == "pg://file"
			}},
		{"flags over env", Source{Args: []string{"-config=a.yaml", "-addr", ":83", "-db-max-conns=9", "-debug=false", "-port", "0x10", "-level", "DEBUG+2"},
			Getenv: env(map[string]string{"APP_ADDR": ":82", "APP_DB_URL": "pg://env"})},
			func(c *testConf) bool {
				return c.Addr == ":83" && c.DB.MaxConns == 9 && !c.Debug && c.Port == 16 && c.Level == slog.LevelDebug+2 && c.DB.URL == "pg://env"
			}},
		{"empty env is unset", Source{Getenv: env(map[string]string{"APP_ADDR": ""})}, func(c *testConf) bool { return c.Addr == ":80" }},
		{"bool flag alone", Source{Args: []string{"-debug"}}, func(c *testConf) bool { return c.Debug }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaults()
			tt.src.ReadFile = files(map[string]string{"a.yaml": yml})
			if err := load(t, c, tt.src); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if !tt.want(c) {
				t.Errorf("got %+v, not the expected values", *c)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  Source
		yml  string
		want string
	}{
		{"bad env duration", Source{Getenv: env(map[string]string{"APP_DB_TIMEOUT": "5x"})}, "",
			`config: APP_DB_TIMEOUT: time: unknown unit "x" in duration "5x"`},
		{"bad flag int", Source{Args: []string{"-db-max-conns", "many"}}, "",
			`config: -db-max-conns: strconv.ParseInt: parsing "many": invalid syntax`},
		{"bad yaml value", Source{Args: []string{"-config", "a.yaml"}}, "service:\n  db:\n    timeout: 5x\n",
			`config: a.yaml:3: service.db.timeout: time: unknown unit "x" in duration "5x"`},
		{"bad level", Source{Getenv: env(map[string]string{"APP_LEVEL": "loud"})}, "", `config: APP_LEVEL: slog: level string "loud": unknown name`},
		{"uint overflow", Source{Getenv: env(map[string]string{"APP_PORT": "70000"})}, "", `config: APP_PORT: strconv.ParseUint: parsing "70000": value out of range`},
		{"unknown yaml key", Source{Args: []string{"-config", "a.yaml"}}, "service:\n  adr: x\n", `config: a.yaml:2: service.adr: unknown key`},
		{"unknown nested key", Source{Args: []string{"-config", "a.yaml"}}, "service:\n  db:\n    uri: x\n", `config: a.yaml:3: service.db.uri: unknown key`},
		{"unknown section", Source{Args: []string{"-config", "a.yaml"}}, "other:\n  a: 1\n", `config: a.yaml:1: unknown section "other" (known: service)`},
		{"scalar for struct", Source{Args: []string{"-config", "a.yaml"}}, "service:\n  db: 3\n", `config: a.yaml:2: service.db: want a mapping`},
		{"list for scalar", Source{Args: []string{"-config", "a.yaml"}}, "service:\n  addr: [a]\n", `config: a.yaml:2: service.addr: want a scalar value`},
		{"not yaml", Source{Args: []string{"-config", "a.yaml"}}, "service: [\n", `config: a.yaml: yaml: line 1: did not find expected node content`},
		{"missing file", Source{Args: []string{"-config", "b.yaml"}}, "", `config: open b.yaml: file does not exist`},
		{"unknown flag", Source{Args: []string{"-nope"}}, "", `config: flag provided but not defined: -nope`},
		{"secret has no flag", Source{Args: []string{"-db-url", "x"}}, "", `config: flag provided but not defined: -db-url`},
		{"positional", Source{Args: []string{"extra"}}, "", `config: unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.src.ReadFile = files(map[string]string{"a.yaml": tt.yml})
			err := load(t, defaults(), tt.src)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got error %v, want %s", err, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	err := load(t, defaults(), Source{Args: []string{"-h"}})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-addr", "listen address (env APP_ADDR)", "-db-max-conns", "(default 4)", "-config"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("usage lacks %q:\n%s", want, err)
		}
	}
	if strings.Contains(err.Error(), "db-url") {
		t.Errorf("usage shows the secret's flag:\n%s", err)
	}
}

type validated struct {
	N int `yaml:"n"`
}

func (v *validated) Validate() error {
	if v.N < 0 {
		return errors.New("n must not be negative")
	}
	return nil
}

func TestValidateAndBadTargets(t *testing.T) {
	v := &validated{}
	err := Load(Source{Args: []string{"-n=-1"}}, Section{Key: "x", Target: v})
	if err == nil || err.Error() != "config: x: n must not be negative" {
		t.Errorf("got %v, want the Validate error", err)
	}
	type bad struct {
		M map[string]int `yaml:"m"`
	}
	if err := Load(Source{}, Section{Key: "b", Target: &bad{}}); err == nil || !strings.Contains(err.Error(), "unsupported type map[string]int") {
		t.Errorf("got %v, want unsupported type", err)
	}
	if err := Load(Source{}, Section{Key: "b", Target: validated{}}); err == nil {
		t.Errorf("got nil error for a non-pointer target, want one")
	}
	a, b := &validated{}, &validated{}
	err = Load(Source{}, Section{Key: "a", EnvPrefix: "A", Target: a}, Section{Key: "b", EnvPrefix: "B", Target: b})
	if err == nil || !strings.Contains(err.Error(), "flag -n is defined twice") {
		t.Errorf("got %v, want a duplicate flag error", err)
	}
	err = Load(Source{Args: []string{"-b-n", "3"}, Getenv: env(map[string]string{"A_N": "2"})},
		Section{Key: "a", EnvPrefix: "A", Target: a}, Section{Key: "b", FlagPrefix: "b", Target: b})
	if err != nil || a.N != 2 || b.N != 3 {
		t.Errorf("got a=%d b=%d err=%v, want 2 3 nil", a.N, b.N, err)
	}
}

func TestKeys(t *testing.T) {
	keys, err := Keys(Section{Key: "service", EnvPrefix: "APP", Target: defaults()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Key{}
	for _, k := range keys {
		got[k.Path] = k
	}
	if k := got["service.db.timeout"]; k.Env != "APP_DB_TIMEOUT" || k.Flag != "db-timeout" || k.Default != "1s" || k.Type != "time.Duration" {
		t.Errorf("got %+v for service.db.timeout", k)
	}
	if k := got["service.db.url"]; k.Flag != "" || k.Default != "" {
		t.Errorf("got %+v for the secret, want no flag and no default", k)
	}
	if _, ok := got["service.skipped"]; ok || len(keys) != 10 {
		t.Errorf("got %d keys (%v), want 10 without the skipped field", len(keys), keys)
	}
}

func FuzzYAML(f *testing.F) {
	f.Add("service:\n  addr: x\n  db: {timeout: 1s}\n  peers: [a]\n")
	f.Add("service: ~\n")
	f.Add("- a\n")
	f.Fuzz(func(t *testing.T, doc string) {
		src := Source{Args: []string{"-config", "f"}, ReadFile: func(string) ([]byte, error) { return []byte(doc), nil }}
		_ = load(t, defaults(), src) // must not panic
	})
}
