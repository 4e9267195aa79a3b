package liveconfig_test

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gantrykit/gantry/liveconfig"
)

// An overlay with a dynamic rate limit and log level, feature flags and a
// static listen address. A bad value is refused whole; a listen address
// change is only reported.
func ExampleOverlay() {
	var level slog.LevelVar
	var flags liveconfig.Flags
	limit := 100.0

	o := liveconfig.New(nil)
	liveconfig.Dynamic(o, "gantry.log_level", slog.LevelInfo, nil, level.Set)
	liveconfig.Dynamic(o, "gantry.features", map[string]bool{}, nil, flags.Set)
	liveconfig.Dynamic(o, "service.limit", 100.0, func(v float64) error {
		if v <= 0 {
			return errors.New("must be positive")
		}
		return nil
	}, func(v float64) { limit = v })
	o.Static("gantry.http_addr", ":8080")

	st, err := o.Apply([]byte(`
gantry: {log_level: debug, features: {new_checkout: true}, http_addr: ":9000"}
service: {limit: 50}
`))
	fmt.Println(st.Applied, st.NeedsRestart, err)
	fmt.Println(level.Level(), flags.Enabled("new_checkout"), limit)

	_, err = o.Apply([]byte("gantry: {log_level: warn}\nservice: {limit: 0}"))
	fmt.Println(err)
	fmt.Println(level.Level(), limit)
	// Output:
	// [gantry.features gantry.log_level service.limit] [gantry.http_addr] <nil>
	// DEBUG true 50
	// config: overlay: service.limit: must be positive
	// DEBUG 50
}
