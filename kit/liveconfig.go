package kit

import (
	"context"
	"encoding"
	"reflect"
	"strings"

	"github.com/gantrykit/gantry/discovery/config"
)

// LiveConfig is the App's centralized configuration, made by WatchConfig:
// an overlay document in the config file's shape, read from a shared store
// at start and followed while the App runs.
//
// Dynamic, applied without a restart:
//
//	gantry.log_level   the level of the App's logger (unless WithLogger gave one)
//	gantry.features    feature flags, read with Features.Enabled
//
// Every other gantry.* key is static: an overlay that changes one is
// logged and listed in Status().NeedsRestart. Register the service's own
// settings (service.*) with config.Dynamic or Static on the Overlay before
// Run. A document with a bad value or an unknown key is rejected whole,
// logged, and the current settings are kept.
type LiveConfig struct {
	*config.Overlay
	// Features are the flags under gantry.features; all off until an
	// overlay turns them on.
	Features *config.Flags
}

// WatchConfig makes the App follow the overlay at key in src (key ""
// means the App's name), for example the App's NATS.ConfigSource, or
// discovery/etcd's ConfigSource. The watch runs while the App runs (an App.Go
// task); it survives the store going away and coming back. Call it before
// Run.
func (a *App) WatchConfig(src config.Source, key string) *LiveConfig {
	if key == "" {
		key = registrySafe(a.name)
	}
	lc := &LiveConfig{Overlay: config.New(a.logger), Features: &config.Flags{}}
	if a.opts.logger == nil {
		config.Dynamic(lc.Overlay, "gantry.log_level", a.cfg.LogLevel, nil, a.level.Set)
	} else {
		lc.Static("gantry.log_level", a.cfg.LogLevel)
	}
	config.Dynamic(lc.Overlay, "gantry.features", map[string]bool{}, nil, lc.Features.Set)
	staticKeys(lc.Overlay, "gantry", reflect.ValueOf(a.cfg), "gantry.log_level")
	a.Go("config", func(ctx context.Context) error { return lc.Run(ctx, src, key) })
	return lc
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// staticKeys registers every leaf of the config struct v under prefix as
// static, except skip.
func staticKeys(o *config.Overlay, prefix string, v reflect.Value, skip string) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		path := prefix + "." + name
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct && !reflect.PointerTo(f.Type).Implements(textUnmarshaler) {
			staticKeys(o, path, fv, skip)
			continue
		}
		if path != skip {
			o.Static(path, fv.Interface())
		}
	}
}

// ConfigSource returns the config.Source of bucket (config.DefaultBucket
// if "") over the App's NATS connection, for WatchConfig: the zero-extra-
// infrastructure home of configuration overlays, next to the NATS KV
// registry. The connection is taken when the watch starts, after the
// start hooks have connected it.
func (n *NATS) ConfigSource(bucket string) config.Source { return natsConfig{n, bucket} }

type natsConfig struct {
	n      *NATS
	bucket string
}

func (s natsConfig) Watch(ctx context.Context, key string, fn func([]byte)) error {
	return config.NATSKV(s.n.JetStream(), s.bucket).Watch(ctx, key, fn)
}
