package config_test

import (
	"fmt"
	"time"

	"github.com/gantrykit/gantry/kit/config"
)

func ExampleLoad() {
	type Config struct {
		Addr    string        `yaml:"addr" help:"listen address"`
		Timeout time.Duration `yaml:"timeout"`
		Peers   []string      `yaml:"peers"`
	}
	cfg := Config{Addr: ":8080", Timeout: time.Second} // the defaults
	env := map[string]string{"ORDERS_TIMEOUT": "3s"}
	err := config.Load(config.Source{
		Args:   []string{"-peers", "a:1,b:2"},
		Getenv: func(k string) string { return env[k] },
	}, config.Section{Key: "service", EnvPrefix: "ORDERS", Target: &cfg})
	fmt.Println(cfg.Addr, cfg.Timeout, cfg.Peers, err)

	env["ORDERS_TIMEOUT"] = "soon"
	fmt.Println(config.Load(config.Source{Getenv: func(k string) string { return env[k] }},
		config.Section{Key: "service", EnvPrefix: "ORDERS", Target: &cfg}))
	// Output:
	// :8080 3s [a:1 b:2] <nil>
	// config: ORDERS_TIMEOUT: time: invalid duration "soon"
}
