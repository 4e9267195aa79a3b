package liveconfig_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gantrykit/gantry/liveconfig"
)

// pool is a component with a configuration, shaped as the middleware
// chains are: its owner keeps the table of live keys next to Update, which
// applies exactly those.
type pool struct {
	cfg poolConfig
}

type poolConfig struct {
	Size    int     `yaml:"size"`
	Ratio   float64 `yaml:"ratio"`
	Workers int     `yaml:"workers"`
}

func (c poolConfig) Validate() error {
	if c.Size < 0 || c.Ratio < 0 || c.Workers < 0 {
		return errors.New("negative")
	}
	return nil
}

// Update applies the live keys of cfg, the way middleware.Server.Update
// does.
func (p *pool) Update(cfg poolConfig, table []liveconfig.Key[poolConfig]) {
	for _, k := range table {
		k.Copy(&p.cfg, cfg)
	}
}

// bind makes table live the way kit does: Bind, then the struct's other
// leaves static.
func bind(p *pool, table []liveconfig.Key[poolConfig]) *liveconfig.Overlay {
	o := liveconfig.New(nil)
	live := map[string]bool{}
	for _, k := range liveconfig.Bind(o, "pool", p.cfg, table, poolConfig.Validate, func(c poolConfig) { p.Update(c, table) }) {
		live[k] = true
	}
	for k, v := range map[string]any{"pool.size": p.cfg.Size, "pool.ratio": p.cfg.Ratio, "pool.workers": p.cfg.Workers} {
		if !live[k] {
			o.Static(k, v)
		}
	}
	return o
}

// One more live key is one edit: the same component, the same owner's
// Update and the same binding, with one entry more in the table, applies
// the key at once instead of reporting that it needs a restart.
func TestOneMoreLiveKeyIsOneEdit(t *testing.T) {
	table := []liveconfig.Key[poolConfig]{
		liveconfig.Field("size", "pool size", func(c *poolConfig) *int { return &c.Size }),
	}
	doc := []byte("pool: {size: 8, workers: 3}")

	before := &pool{cfg: poolConfig{Size: 4, Workers: 1}}
	st, err := bind(before, table).Apply(doc)
	if err != nil || before.cfg.Size != 8 || before.cfg.Workers != 1 || !reflect.DeepEqual(st.NeedsRestart, []string{"pool.workers"}) {
		t.Fatalf("one live key: got %+v, %+v, %v; want size 8 applied, workers 1 kept and reported static", before.cfg, st, err)
	}

	table = append(table, liveconfig.Field("workers", "worker count", func(c *poolConfig) *int { return &c.Workers }))
	after := &pool{cfg: poolConfig{Size: 4, Workers: 1}}
	st, err = bind(after, table).Apply(doc)
	if err != nil || after.cfg.Size != 8 || after.cfg.Workers != 3 || len(st.NeedsRestart) != 0 ||
		!reflect.DeepEqual(st.Applied, []string{"pool.size", "pool.workers"}) {
		t.Fatalf("one more entry: got %+v, %+v, %v; want both applied, nothing static", after.cfg, st, err)
	}

	// Its validation is the struct's, on the key alone; the running value
	// always passes.
	if _, err := bind(after, table).Apply([]byte("pool: {workers: -1}")); err == nil || after.cfg.Workers != 3 {
		t.Errorf("a bad value: got %v and workers %d, want a rejection and 3 kept", err, after.cfg.Workers)
	}
	// A key absent from the overlay is back to the running value it was
	// bound with.
	p := &pool{cfg: poolConfig{Size: 4, Workers: 1}}
	o := bind(p, table)
	if _, err := o.Apply(doc); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Apply(nil); err != nil || p.cfg.Size != 4 || p.cfg.Workers != 1 {
		t.Errorf("overlay removed: got %+v, %v; want the running values back", p.cfg, err)
	}
}
