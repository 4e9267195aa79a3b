package kit

import (
	"context"
	"encoding"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/gantrykit/gantry/liveconfig"
	"github.com/gantrykit/gantry/middleware"
)

// LiveConfig is the App's centralized configuration, made by WatchConfig:
// an overlay document in the config file's shape, read from a shared store
// at start and followed while the App runs.
//
// Dynamic, applied without a restart:
//
//	gantry.log_level   the level of the App's logger (unless WithLogger gave one)
//	gantry.features    feature flags, read with Features.Enabled
//	gantry.middleware.rate_limit.per_second, .burst
//	                   the rate limit of every operation of App.Middleware
//	                   (0 turns it off, a positive rate on)
//	gantry.client.breaker.min_requests, .failure_ratio,
//	gantry.client.breaker.consecutive_failures, .open_timeout
//	                   the trip thresholds of every operation's breaker in
//	                   App.ClientMiddleware; a changed
//	                   open_timeout replaces each breaker by a closed one
//	                   (see middleware/breaker.Breaker.SetOpenTimeout)
//
// Every other gantry.* key is static: an overlay that changes one is
// logged and listed in Status().NeedsRestart. Register the service's own
// settings (service.*) with liveconfig.Dynamic or Static on the Overlay before
// Run. A document with a bad value or an unknown key is rejected whole,
// logged, and the current settings are kept.
type LiveConfig struct {
	*liveconfig.Overlay
	// Features are the flags under gantry.features; all off until an
	// overlay turns them on.
	Features *liveconfig.Flags
}

// WatchConfig makes the App follow the overlay at key in src (key ""
// means the App's name), for example kit/natskit's NATS.ConfigSource,
// discovery/natskv's or discovery/etcd's ConfigSource. The watch runs while the App runs (an App.Go
// task); it survives the store going away and coming back. Call it before
// Run.
func (a *App) WatchConfig(src liveconfig.Source, key string) *LiveConfig {
	if key == "" {
		key = registrySafe(a.name)
	}
	lc := &LiveConfig{Overlay: liveconfig.New(a.logger), Features: &liveconfig.Flags{}}
	if a.opts.logger == nil {
		liveconfig.Dynamic(lc.Overlay, "gantry.log_level", a.cfg.LogLevel, nil, a.level.Set)
	} else {
		lc.Static("gantry.log_level", a.cfg.LogLevel)
	}
	liveconfig.Dynamic(lc.Overlay, "gantry.features", map[string]bool{}, nil, lc.Features.Set)
	live := liveChainKeys(lc.Overlay, a)
	live["gantry.log_level"] = true
	staticKeys(lc.Overlay, "gantry", reflect.ValueOf(a.cfg), live)
	a.Go("config", func(ctx context.Context) error { return lc.Run(ctx, src, key) })
	return lc
}

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

// liveChains applies the dynamic middleware keys to the App's chains.
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
	if !a.chains.built.Load() && l.server.RateLimit == a.cfg.Middleware.RateLimit &&
		l.client.Breaker == a.cfg.Client.Breaker {
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

// liveChainKeys registers the dynamic middleware keys on o and returns
// them.
func liveChainKeys(o *liveconfig.Overlay, a *App) map[string]bool {
	l := &liveChains{a: a, server: a.cfg.Middleware, client: a.cfg.Client}
	keys := map[string]bool{}
	liveKey(o, l, keys, "gantry.middleware.rate_limit.per_second",
		func(s *middleware.Config, _ *middleware.ClientConfig) *float64 { return &s.RateLimit.PerSecond })
	liveKey(o, l, keys, "gantry.middleware.rate_limit.burst",
		func(s *middleware.Config, _ *middleware.ClientConfig) *int { return &s.RateLimit.Burst })
	const prefix = "gantry.client.breaker."
	liveKey(o, l, keys, prefix+"min_requests",
		func(_ *middleware.Config, c *middleware.ClientConfig) *int { return &c.Breaker.MinRequests })
	liveKey(o, l, keys, prefix+"failure_ratio",
		func(_ *middleware.Config, c *middleware.ClientConfig) *float64 { return &c.Breaker.FailureRatio })
	liveKey(o, l, keys, prefix+"consecutive_failures",
		func(_ *middleware.Config, c *middleware.ClientConfig) *int { return &c.Breaker.ConsecutiveFailures })
	liveKey(o, l, keys, prefix+"open_timeout",
		func(_ *middleware.Config, c *middleware.ClientConfig) *time.Duration { return &c.Breaker.OpenTimeout })
	return keys
}

// liveKey registers key, the field that field points to, as a dynamic
// setting: validated with the chains' Validate (the running value is
// always accepted), applied with their Update.
func liveKey[T comparable](o *liveconfig.Overlay, l *liveChains, keys map[string]bool, key string, field func(*middleware.Config, *middleware.ClientConfig) *T) {
	keys[key] = true
	base := *field(&l.server, &l.client)
	validate := func(v T) error {
		if v == base {
			return nil
		}
		// The field alone, so that the error is about it.
		var s middleware.Config
		var c middleware.ClientConfig
		*field(&s, &c) = v
		if err := s.Validate(); err != nil {
			return err
		}
		return c.Validate()
	}
	liveconfig.Dynamic(o, key, base, validate, func(v T) {
		l.update(func(s *middleware.Config, c *middleware.ClientConfig) { *field(s, c) = v })
	})
}
