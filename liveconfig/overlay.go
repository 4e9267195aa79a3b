package liveconfig

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Overlay applies overlay documents to the settings registered on it. It
// is safe for concurrent use; documents are applied one at a time.
type Overlay struct {
	log *slog.Logger

	mu      sync.Mutex
	dynamic map[string]*setting
	static  map[string]any // key → the running value
	status  Status
}

// setting is one dynamic setting: check decodes and validates its value in
// a document (node nil: the key is absent, use the base value) and returns
// the value and the function that applies it.
type setting struct {
	check   func(node *yaml.Node) (value any, apply func(), err error)
	current any
}

// Status is the outcome of the last document an Overlay saw.
type Status struct {
	// Applied lists the dynamic keys whose value the last accepted
	// document changed.
	Applied []string
	// NeedsRestart lists the static keys whose value in the last accepted
	// document differs from the running one.
	NeedsRestart []string
	// Rejected is why the last document was refused, nil if it was not.
	Rejected error
	// At is when the last document was seen (zero before any).
	At time.Time
}

// New returns an Overlay that logs on logger (nil: discard).
func New(logger *slog.Logger) *Overlay {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Overlay{log: logger, dynamic: map[string]*setting{}, static: map[string]any{}}
}

// Dynamic registers the dynamic setting key (a dotted path such as
// "log_level" or "limits.create_order") on o. base is its value when an
// overlay does not hold the key; validate (nil: any value) refuses bad
// values with an error naming the problem; apply makes a value take
// effect and must not fail. apply is called at once with base, then with
// each accepted value that differs from the last. Register settings
// before Run.
func Dynamic[T any](o *Overlay, key string, base T, validate func(T) error, apply func(T)) {
	s := &setting{current: base}
	s.check = func(node *yaml.Node) (any, func(), error) {
		v := base
		if node != nil {
			var decoded T
			if err := node.Decode(&decoded); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", key, err)
			}
			v = decoded
		}
		if validate != nil {
			if err := validate(v); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", key, err)
			}
		}
		return v, func() { apply(v) }, nil
	}
	o.mu.Lock()
	o.dynamic[key] = s
	o.mu.Unlock()
	apply(base)
}

// Static registers key as a setting read once at start, whose value is
// running: an overlay holding another value for it is reported as needing
// a restart.
func (o *Overlay) Static(key string, running any) {
	o.mu.Lock()
	o.static[key] = running
	o.mu.Unlock()
}

// Status returns the outcome of the last document.
func (o *Overlay) Status() Status {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.status
}

// Apply applies the overlay document doc (YAML; empty or nil: no overlay,
// every dynamic setting back to its base) all or nothing, and returns the
// resulting Status. On error no setting changes.
func (o *Overlay) Apply(doc []byte) (Status, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	st, err := o.apply(doc)
	st.Rejected, st.At = err, time.Now()
	if err != nil {
		// Keep what the last accepted document changed, for the record.
		st.Applied, st.NeedsRestart = o.status.Applied, o.status.NeedsRestart
	}
	o.status = st
	return st, err
}

func (o *Overlay) apply(doc []byte) (Status, error) {
	nodes := map[string]*yaml.Node{}
	if len(bytes.TrimSpace(doc)) > 0 {
		var root yaml.Node
		if err := yaml.Unmarshal(doc, &root); err != nil {
			return Status{}, fmt.Errorf("config: overlay: %w", err)
		}
		if len(root.Content) > 0 {
			if err := o.collect(root.Content[0], "", nodes); err != nil {
				return Status{}, err
			}
		}
	}
	var st Status
	var applies []func()
	values := map[string]any{}
	for _, key := range sortedKeys(o.dynamic) {
		s := o.dynamic[key]
		v, apply, err := s.check(nodes[key])
		if err != nil {
			return Status{}, fmt.Errorf("config: overlay: %w", err)
		}
		if !reflect.DeepEqual(v, s.current) {
			applies = append(applies, apply)
			values[key] = v
			st.Applied = append(st.Applied, key)
		}
	}
	for _, key := range sortedKeys(o.static) {
		node := nodes[key]
		if node == nil {
			continue
		}
		running := o.static[key]
		v := reflect.New(reflect.TypeOf(running))
		if err := node.Decode(v.Interface()); err != nil {
			return Status{}, fmt.Errorf("config: overlay: %s: %w", key, err)
		}
		if !reflect.DeepEqual(v.Elem().Interface(), running) {
			st.NeedsRestart = append(st.NeedsRestart, key)
		}
	}
	for _, apply := range applies {
		apply()
	}
	for key, v := range values {
		o.dynamic[key].current = v
	}
	return st, nil
}

// collect walks a mapping node down to the registered keys; any other
// leaf is an unknown key.
func (o *Overlay) collect(n *yaml.Node, prefix string, out map[string]*yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("config: overlay: %s: got a %s, want a mapping of keys", orRoot(prefix), kindName(n.Kind))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := prefix + n.Content[i].Value
		val := n.Content[i+1]
		_, dyn := o.dynamic[key]
		_, stat := o.static[key]
		switch {
		case dyn || stat:
			out[key] = val
		case val.Kind == yaml.MappingNode && o.hasPrefix(key+"."):
			if err := o.collect(val, key+".", out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("config: overlay: unknown key %s", key)
		}
	}
	return nil
}

func (o *Overlay) hasPrefix(p string) bool {
	for k := range o.dynamic {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	for k := range o.static {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func orRoot(p string) string {
	if p == "" {
		return "the document"
	}
	return strings.TrimSuffix(p, ".")
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Run applies the document at key in src, then every change to it, until
// ctx ends; it logs each outcome. When the watch fails (the store is
// unreachable) it keeps the current settings and watches again, backing
// off up to 5s. It returns nil when ctx ends.
func (o *Overlay) Run(ctx context.Context, src Source, key string) error {
	wait := 100 * time.Millisecond
	for {
		err := src.Watch(ctx, key, func(doc []byte) {
			wait = 100 * time.Millisecond
			o.report(key, doc)
		})
		if ctx.Err() != nil {
			return nil
		}
		o.log.Warn("config overlay: watch failed; keeping the current settings", "key", key, "error", err, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (o *Overlay) report(key string, doc []byte) {
	st, err := o.Apply(doc)
	switch {
	case err != nil:
		o.log.Error("config overlay rejected; keeping the current settings", "key", key, "error", err)
		return
	case len(st.Applied) > 0:
		o.log.Info("config overlay applied", "key", key, "changed", st.Applied)
	}
	if len(st.NeedsRestart) > 0 {
		o.log.Warn("config overlay: static settings need a restart to change", "key", key, "keys", st.NeedsRestart)
	}
}
