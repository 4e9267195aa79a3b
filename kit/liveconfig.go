package kit

import (
	"context"
	"encoding"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/gantrykit/gantry/liveconfig"
	"github.com/gantrykit/gantry/middleware"
)

// LiveConfig is the App's centralized configuration, made by WatchConfig:
// an overlay document in the config file's shape, read from a shared store
// at start and followed while the App runs.
//
// The live keys, applied without a restart, are listed by LiveKeys (and in
// the package documentation, checked against it): the runtime's own
// (runtimeLiveKeys), the server chain's (middleware.LiveKeys) and the
// client chain's (middleware.ClientLiveKeys). Every other gantry.* key is
// static: an overlay that changes one is logged and listed in
// Status().NeedsRestart. Register the service's own settings (service.*)
// with liveconfig.Dynamic or Static on the Overlay before Run. A document
// with a bad value or an unknown key is rejected whole, logged, and the
// current settings are kept.
type LiveConfig struct {
	*liveconfig.Overlay
	// Features are the flags under gantry.features; all off until an
	// overlay turns them on.
	Features *liveconfig.Flags
}

// LiveKey is a live key of the runtime, by its full path, with what a
// change does.
type LiveKey struct {
	Path, Doc string
}

// LiveKeys lists every key of the gantry: section that WatchConfig applies
// without a restart, from the tables that own them.
func LiveKeys() []LiveKey {
	out := []LiveKey{{"gantry.features.NAME", "feature flags, read with LiveConfig.Features"}}
	out = appendKeys(out, "gantry", runtimeLiveKeys())
	out = appendKeys(out, "gantry.middleware", middleware.LiveKeys())
	return appendKeys(out, "gantry.client", middleware.ClientLiveKeys())
}

func appendKeys[C any](out []LiveKey, prefix string, keys []liveconfig.Key[C]) []LiveKey {
	for _, k := range keys {
		out = append(out, LiveKey{prefix + "." + k.Path, k.Doc})
	}
	return out
}

// runtimeLiveKeys are the keys of Config that the runtime itself applies
// while it runs (liveRuntime).
func runtimeLiveKeys() []liveconfig.Key[Config] {
	return []liveconfig.Key[Config]{
		liveconfig.Field("log_level", "the logger's level (static when WithLogger gave the logger)",
			func(c *Config) *slog.Level { return &c.LogLevel }),
	}
}

// WatchConfig makes the App follow the overlay at key in src (key ""
// means the App's name), for example kit/natskit's NATS.ConfigSource,
// discovery/natskv's or discovery/etcd's ConfigSource. The watch runs
// while the App runs (an App.Go task); it survives the store going away
// and coming back. Call it before Run.
func (a *App) WatchConfig(src liveconfig.Source, key string) *LiveConfig {
	if key == "" {
		key = registrySafe(a.name)
	}
	lc := &LiveConfig{Overlay: liveconfig.New(a.logger), Features: &liveconfig.Flags{}}
	liveconfig.Dynamic(lc.Overlay, "gantry.features", map[string]bool{}, nil, lc.Features.Set)
	live := map[string]bool{}
	for _, p := range a.bindLive(lc.Overlay, runtimeLiveKeys(), middleware.LiveKeys(), middleware.ClientLiveKeys()) {
		live[p] = true
	}
	staticKeys(lc.Overlay, "gantry", reflect.ValueOf(a.cfg), live)
	a.Go("config", func(ctx context.Context) error { return lc.Run(ctx, src, key) })
	return lc
}

// bindLive makes the tables live on o and returns the keys it bound.
func (a *App) bindLive(o *liveconfig.Overlay, runtime []liveconfig.Key[Config],
	server []liveconfig.Key[middleware.Config], client []liveconfig.Key[middleware.ClientConfig]) []string {
	if a.opts.logger != nil { // the level is the given logger's: static
		runtime = slices.DeleteFunc(slices.Clone(runtime), func(k liveconfig.Key[Config]) bool { return k.Path == "log_level" })
	}
	l := &liveChains{a: a, server: a.cfg.Middleware, client: a.cfg.Client}
	keys := liveconfig.Bind(o, "gantry", a.cfg, runtime, nil, a.liveRuntime)
	keys = append(keys, liveconfig.Bind(o, "gantry.middleware", a.cfg.Middleware, server, middleware.Config.Validate,
		func(c middleware.Config) { l.update(func(s *middleware.Config, _ *middleware.ClientConfig) { *s = c }) })...)
	return append(keys, liveconfig.Bind(o, "gantry.client", a.cfg.Client, client, middleware.ClientConfig.Validate,
		func(c middleware.ClientConfig) {
			l.update(func(_ *middleware.Config, cc *middleware.ClientConfig) { *cc = c })
		})...)
}

// liveRuntime applies the runtime's live keys.
func (a *App) liveRuntime(c Config) { a.level.Set(c.LogLevel) }

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// staticKeys registers every leaf of the config struct v under prefix as
// static, except those in skip.
func staticKeys(o *liveconfig.Overlay, prefix string, v reflect.Value, skip map[string]bool) {
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
		if !skip[path] {
			o.Static(path, fv.Interface())
		}
	}
}

// liveChains applies the live middleware keys to the App's chains.
type liveChains struct {
	a *App

	mu     sync.Mutex
	server middleware.Config
	client middleware.ClientConfig
}

// update edits the live copies and applies them. Chains not built yet are
// left alone while the settings equal the ones they will be built with;
// else they are built now, so that a change is never lost.
func (l *liveChains) update(edit func(*middleware.Config, *middleware.ClientConfig)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	edit(&l.server, &l.client)
	a := l.a
	if !a.chains.built.Load() && reflect.DeepEqual(l.server, a.cfg.Middleware) && reflect.DeepEqual(l.client, a.cfg.Client) {
		return
	}
	a.buildChains()
	if a.chains.err != nil {
		return // Run reports it
	}
	// Each key is validated by the overlay, and the static keys it reports
	// are the ones Update would; an error here is a start value Update
	// refuses (such as a negative rate, taken as "no limit" at start).
	if _, err := a.chains.server.Update(l.server); err != nil {
		a.logger.Error("config overlay: server middleware not updated", "error", err)
	}
	if _, err := a.chains.client.Update(l.client); err != nil {
		a.logger.Error("config overlay: client middleware not updated", "error", err)
	}
}
