package liveconfig_test

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/liveconfig"
)

// settings is a service's live state as the overlay's apply functions see
// it.
type settings struct {
	level slog.Level
	limit float64
	flags liveconfig.Flags
}

func newOverlay(t *testing.T) (*liveconfig.Overlay, *settings) {
	t.Helper()
	s := &settings{}
	o := liveconfig.New(nil)
	liveconfig.Dynamic(o, "gantry.log_level", slog.LevelInfo, nil, func(l slog.Level) { s.level = l })
	liveconfig.Dynamic(o, "service.limit", 100.0, func(v float64) error {
		if v <= 0 {
			return errors.New("must be positive")
		}
		return nil
	}, func(v float64) { s.limit = v })
	liveconfig.Dynamic(o, "gantry.features", map[string]bool{}, nil, s.flags.Set)
	o.Static("gantry.http_addr", ":8080")
	o.Static("gantry.shutdown_timeout", 20*time.Second)
	return o, s
}

func TestApply(t *testing.T) {
	o, s := newOverlay(t)
	if s.level != slog.LevelInfo || s.limit != 100 {
		t.Fatalf("after registration: got level %v limit %v, want the bases info and 100", s.level, s.limit)
	}

	st, err := o.Apply([]byte("gantry: {log_level: debug, features: {new_checkout: true}}\nservice: {limit: 50}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gantry.features", "gantry.log_level", "service.limit"}; !reflect.DeepEqual(st.Applied, want) {
		t.Errorf("applied: got %v, want %v", st.Applied, want)
	}
	if s.level != slog.LevelDebug || s.limit != 50 || !s.flags.Enabled("new_checkout") || s.flags.Enabled("other") {
		t.Errorf("got level %v, limit %v, new_checkout %v; want debug, 50, on", s.level, s.limit, s.flags.Enabled("new_checkout"))
	}

	// The same document again changes nothing.
	if st, _ := o.Apply([]byte("gantry: {log_level: debug, features: {new_checkout: true}}\nservice: {limit: 50}\n")); len(st.Applied) != 0 {
		t.Errorf("same document again: got applied %v, want none", st.Applied)
	}

	// A key left out returns to its base value.
	if _, err := o.Apply([]byte("service: {limit: 50}")); err != nil {
		t.Fatal(err)
	}
	if s.level != slog.LevelInfo || s.flags.Enabled("new_checkout") || s.limit != 50 {
		t.Errorf("keys removed: got level %v, new_checkout %v, limit %v; want info, off, 50", s.level, s.flags.Enabled("new_checkout"), s.limit)
	}
	if _, err := o.Apply(nil); err != nil || s.limit != 100 {
		t.Errorf("no document: got limit %v, err %v; want the base 100", s.limit, err)
	}
}

func TestApplyRejects(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{"invalid value", "gantry: {log_level: debug}\nservice: {limit: -1}", "service.limit: must be positive"},
		{"wrong type", "gantry: {log_level: debug}\nservice: {limit: lots}", "service.limit"},
		{"bad level", "gantry: {log_level: loud}", "gantry.log_level"},
		{"unknown key", "gantry: {log_level: debug, log_levle: warn}", "unknown key gantry.log_levle"},
		{"unknown section", "servcie: {limit: 5}", "unknown key servcie"},
		{"not a mapping", "- a\n- b", "want a mapping"},
		{"malformed YAML", "gantry: {log_level: [", "overlay"},
		{"bad static value", "gantry: {shutdown_timeout: soon}", "gantry.shutdown_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, s := newOverlay(t)
			if _, err := o.Apply([]byte("service: {limit: 7}")); err != nil {
				t.Fatal(err)
			}
			st, err := o.Apply([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if st.Rejected != err || o.Status().Rejected != err {
				t.Errorf("status: got Rejected %v, want the error", o.Status().Rejected)
			}
			// All or nothing: the valid log_level beside the bad value did
			// not apply either, and the last good limit stays.
			if s.level != slog.LevelInfo || s.limit != 7 {
				t.Errorf("after a rejected document: got level %v limit %v, want info and 7 kept", s.level, s.limit)
			}
		})
	}
}

func TestStaticNeedsRestart(t *testing.T) {
	o, _ := newOverlay(t)
	st, err := o.Apply([]byte("gantry: {http_addr: ':9000', shutdown_timeout: 20s, log_level: warn}"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gantry.http_addr"}; !reflect.DeepEqual(st.NeedsRestart, want) {
		t.Errorf("needs restart: got %v, want %v (shutdown_timeout holds the running value)", st.NeedsRestart, want)
	}
	if want := []string{"gantry.log_level"}; !reflect.DeepEqual(st.Applied, want) {
		t.Errorf("applied: got %v, want %v", st.Applied, want)
	}
}

func TestFlagsZero(t *testing.T) {
	var f liveconfig.Flags
	if f.Enabled("x") {
		t.Errorf("zero Flags: got x on, want off")
	}
	m := map[string]bool{"x": true}
	f.Set(m)
	m["y"] = true
	if !f.Enabled("x") || f.Enabled("y") {
		t.Errorf("got x %v y %v, want x on and y off (Set copies)", f.Enabled("x"), f.Enabled("y"))
	}
}

func BenchmarkFlagsEnabled(b *testing.B) {
	var f liveconfig.Flags
	f.Set(map[string]bool{"new_checkout": true, "b": false, "c": true})
	plain := map[string]bool{"new_checkout": true, "b": false, "c": true}
	var sink bool
	b.Run("baseline_map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = plain["new_checkout"]
		}
	})
	b.Run("flags", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = f.Enabled("new_checkout")
		}
	})
	_ = sink
}

func FuzzApply(f *testing.F) {
	f.Add([]byte("gantry: {log_level: debug, features: {a: true}}\nservice: {limit: 5}"))
	f.Add([]byte("gantry: {http_addr: ':1'}"))
	f.Add([]byte("- x"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		o, s := newOverlay(t)
		before := s.limit
		if _, err := o.Apply(doc); err != nil && s.limit != before {
			t.Errorf("rejected document changed the limit from %v to %v", before, s.limit)
		}
	})
}
